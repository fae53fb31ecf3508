import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Pool, PoolClient } from 'pg';
import { BanCsvReader, type BanAddress } from './ban-csv.parser';
import { GazetteerError, GazetteerErrorCode } from './gazetteer.error';
import { assertGazetteerSchema } from './gazetteer.schema';
import { openLines, type LineSource } from './line.reader';
import { PlacesCsvReader, type GazetteerPlace } from './places-csv.parser';

/** Where an import is, reported after each batch and at the end. */
export interface GazetteerImportProgress {
  /** Data lines read. */
  readonly rows: number;
  /** Addresses of Marseille kept. */
  readonly kept: number;
  /** Lines of other communes, skipped. */
  readonly skipped: number;
  /** Bytes of the file read, and its size (compressed bytes for a `.gz`). */
  readonly bytesRead: number;
  readonly totalBytes: number;
  /** Since the import started, ms. */
  readonly elapsedMs: number;
  /** Data lines read per second. */
  readonly rowsPerSecond: number;
}

export interface GazetteerImportResult extends GazetteerImportProgress {
  /** Streets (per arrondissement) derived from the addresses. */
  readonly streets: number;
}

export interface GazetteerImportOptions {
  /** Rows per INSERT (default 1000). */
  readonly batchSize?: number;
  readonly onProgress?: (progress: GazetteerImportProgress) => void;
}

const INSERT_ADDRESSES = `
INSERT INTO gazetteer_address
  (id, numero, rep, nom_voie, nom_voie_norm, nom_voie_core, code_postal, code_insee, geom)
SELECT id, numero, rep, nom_voie, norm, core, cp, insee, ST_SetSRID(ST_MakePoint(lon, lat), 4326)
FROM unnest($1::text[], $2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
            $8::text[], $9::float8[], $10::float8[])
  AS t(id, numero, rep, nom_voie, norm, core, cp, insee, lon, lat)
ON CONFLICT (id) DO NOTHING`;

/** One row per street and arrondissement: the address nearest the centroid of its addresses. */
const REBUILD_STREETS = `
DELETE FROM gazetteer_street;
INSERT INTO gazetteer_street
  (nom_voie_norm, code_insee, nom_voie, nom_voie_core, code_postal, address_count, geom)
SELECT g.nom_voie_norm, g.code_insee, g.nom_voie, g.nom_voie_core, g.code_postal, g.n,
       (SELECT a.geom FROM gazetteer_address a
         WHERE a.nom_voie_norm = g.nom_voie_norm AND a.code_insee = g.code_insee
         ORDER BY a.geom <-> g.centroid LIMIT 1)
FROM (SELECT nom_voie_norm, code_insee, min(nom_voie) AS nom_voie,
             min(nom_voie_core) AS nom_voie_core,
             mode() WITHIN GROUP (ORDER BY code_postal) AS code_postal,
             count(*)::int AS n, ST_Centroid(ST_Collect(geom)) AS centroid
        FROM gazetteer_address GROUP BY nom_voie_norm, code_insee) g`;

/**
 * Imports a Base Adresse Nationale CSV (`adresses-13.csv` or `.csv.gz`) into `gazetteer_address`,
 * streaming, in batches inside one transaction that first empties the table: a re-import
 * replaces the gazetteer, and a failed one leaves the previous one in place (readers see the old
 * rows until the commit). Keeps Marseille's arrondissements only, rebuilds `gazetteer_street`, and
 * drops the cached geocodes the gazetteer gave (they came from the replaced rows).
 * @throws GazetteerError `unreadable`, `empty_file`, `missing_columns` or `bad_row` (with its line).
 */
export async function importBanAddresses(
  pool: Pool,
  path: string,
  options: GazetteerImportOptions = {},
): Promise<GazetteerImportResult> {
  const batchSize = options.batchSize ?? 1000;
  const source = await openLines(path);
  await assertGazetteerSchema(pool);
  const started = Date.now();
  let rows = 0;
  let kept = 0;
  let skipped = 0;
  const progress = (): GazetteerImportProgress => {
    const elapsedMs = Date.now() - started;
    return {
      rows,
      kept,
      skipped,
      bytesRead: source.bytesRead(),
      totalBytes: source.totalBytes,
      elapsedMs,
      rowsPerSecond: elapsedMs > 0 ? Math.round((rows * 1000) / elapsedMs) : rows,
    };
  };

  return inTransaction(pool, async (client) => {
    await client.query('DELETE FROM gazetteer_address');
    let reader: BanCsvReader | undefined;
    let batch: BanAddress[] = [];
    let lineNumber = 0;
    for await (const line of source.lines) {
      lineNumber++;
      if (reader === undefined) {
        reader = new BanCsvReader(line);
        continue;
      }
      const parsed = reader.parse(line, lineNumber);
      if (parsed.kind === 'blank') continue;
      rows++;
      if (parsed.kind === 'outside') {
        skipped++;
        continue;
      }
      batch.push(parsed.address);
      if (batch.length >= batchSize) {
        kept += await insertAddresses(client, batch);
        batch = [];
        options.onProgress?.(progress());
      }
    }
    if (reader === undefined) {
      throw new GazetteerError(GazetteerErrorCode.EmptyFile, `${path} is empty: no header line`);
    }
    if (batch.length > 0) kept += await insertAddresses(client, batch);
    await client.query(REBUILD_STREETS);
    const streets = await client.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM gazetteer_street',
    );
    await client.query("DELETE FROM geocode_cache WHERE source = 'gazetteer'");
    const done = progress();
    options.onProgress?.(done);
    return { ...done, streets: streets.rows[0]?.n ?? 0 };
  });
}

/**
 * The project's own list of Marseille's named places (`libs/geocoding-adapters/data`), for the
 * tests, the demo and the sanitizer's default: found from this module up, so that the CLI's
 * bundle (`dist/cli`) finds it as the sources do.
 */
export function projectPlacesFile(): string {
  const inRepository = join('libs', 'geocoding-adapters', 'data', 'places.csv');
  for (let dir = __dirname; dirname(dir) !== dir; dir = dirname(dir))
    if (existsSync(join(dir, inRepository))) return join(dir, inRepository);
  // Not found: the path the sources would have, named by the error that follows.
  return join(__dirname, '..', 'data', 'places.csv');
}

/**
 * Reads a places file (`name;aliases;kind;code_insee;lon;lat;source`, aliases separated by `|`).
 * @throws GazetteerError `unreadable`, `empty_file`, `missing_columns` or `bad_row` (with its line).
 */
export async function readPlacesFile(path: string): Promise<GazetteerPlace[]> {
  const source: LineSource = await openLines(path);
  const places: GazetteerPlace[] = [];
  let reader: PlacesCsvReader | undefined;
  let lineNumber = 0;
  for await (const line of source.lines) {
    lineNumber++;
    if (reader === undefined) {
      reader = new PlacesCsvReader(line);
      continue;
    }
    const place = reader.parse(line, lineNumber);
    if (place) places.push(place);
  }
  if (reader === undefined) {
    throw new GazetteerError(GazetteerErrorCode.EmptyFile, `${path} is empty: no header line`);
  }
  return places;
}

/** Every name and alias of a places file (the project's own list by default). */
export async function readPlaceNames(path: string = projectPlacesFile()): Promise<string[]> {
  return (await readPlacesFile(path)).flatMap((place) => [place.name, ...place.aliases]);
}

/**
 * Imports named places (`readPlacesFile`) into `gazetteer_place`, replacing the previous ones,
 * in one transaction.
 * @throws GazetteerError `unreadable`, `empty_file`, `missing_columns` or `bad_row` (with its line).
 */
export async function importGazetteerPlaces(pool: Pool, path: string): Promise<{ places: number }> {
  const places = await readPlacesFile(path);
  await assertGazetteerSchema(pool);
  return inTransaction(pool, async (client) => {
    await client.query('DELETE FROM gazetteer_place');
    for (let i = 0; i < places.length; i += 1000) {
      const chunk = places.slice(i, i + 1000);
      await client.query(
        `INSERT INTO gazetteer_place
           (id, name, name_norm, aliases, aliases_norm, names_core, kind, code_insee, source, geom)
         SELECT id, name, name_norm, string_to_array(aliases, '|'), string_to_array(aliases_norm, '|'),
                string_to_array(cores, '|'), kind, insee, source,
                ST_SetSRID(ST_MakePoint(lon, lat), 4326)
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
                     $7::text[], $8::text[], $9::text[], $10::float8[], $11::float8[])
           AS t(id, name, name_norm, aliases, aliases_norm, cores, kind, insee, source, lon, lat)
         ON CONFLICT (id) DO UPDATE SET aliases = EXCLUDED.aliases,
           aliases_norm = EXCLUDED.aliases_norm, names_core = EXCLUDED.names_core,
           geom = EXCLUDED.geom`,
        [
          chunk.map((p) => p.id),
          chunk.map((p) => p.name),
          chunk.map((p) => p.nameNorm),
          chunk.map((p) => p.aliases.join('|')),
          chunk.map((p) => p.aliasesNorm.join('|')),
          chunk.map((p) => p.namesCore.join('|')),
          chunk.map((p) => p.kind),
          chunk.map((p) => p.codeInsee),
          chunk.map((p) => p.source),
          chunk.map((p) => p.lon),
          chunk.map((p) => p.lat),
        ],
      );
    }
    await client.query("DELETE FROM geocode_cache WHERE source = 'gazetteer'");
    const count = await client.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM gazetteer_place',
    );
    return { places: count.rows[0]?.n ?? 0 };
  });
}

async function insertAddresses(client: PoolClient, batch: readonly BanAddress[]): Promise<number> {
  const result = await client.query(INSERT_ADDRESSES, [
    batch.map((a) => a.id),
    batch.map((a) => a.numero),
    batch.map((a) => a.rep),
    batch.map((a) => a.nomVoie),
    batch.map((a) => a.nomVoieNorm),
    batch.map((a) => a.nomVoieCore),
    batch.map((a) => a.codePostal),
    batch.map((a) => a.codeInsee),
    batch.map((a) => a.lon),
    batch.map((a) => a.lat),
  ]);
  return result.rowCount ?? 0;
}

async function inTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    await client.query(
      'ANALYZE gazetteer_address; ANALYZE gazetteer_street; ANALYZE gazetteer_place',
    );
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
