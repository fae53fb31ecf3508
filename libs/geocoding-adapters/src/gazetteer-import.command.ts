import { parseArgs } from 'node:util';
import type { AppConfig } from '@app/config';
import { migrate } from '@app/database';
import { Pool } from 'pg';
import { GazetteerError } from './gazetteer.error';
import {
  importBanAddresses,
  importGazetteerPlaces,
  type GazetteerImportProgress,
} from './gazetteer.importer';

export const GAZETTEER_IMPORT_HELP = `usage: cortege gazetteer import <adresses-13.csv[.gz]> [--places <places.csv>]

Imports a Base Adresse Nationale CSV (';'-separated, header in any column order, at least
numero, rep, nom_voie, code_postal, code_insee, lon, lat) into the PostGIS gazetteer, keeping
Marseille's arrondissements (INSEE 13201-13216). A re-import replaces the previous one.
  --places <file>   also import named places (name;aliases;kind;code_insee;lon;lat;source)
  --quiet           no progress on stderr
  --json            the outcome as one JSON object on stdout
Progress (rows, rows/s, share of the file) goes to stderr. The database is DATABASE_URL's.
The project's own extract: libs/geocoding-adapters/data/adresses-13-extract.csv and places.csv.`;

export interface CommandIo {
  readonly stderr: Pick<NodeJS.WriteStream, 'write'> & { isTTY?: boolean };
  readonly stdout?: Pick<NodeJS.WriteStream, 'write'>;
}

/**
 * `cortege gazetteer import <file> [--places <file>]`: `argv` is what follows `import`.
 * Returns the exit code: 0 done, 1 the file was refused (the message names the line or the
 * missing columns), 2 bad usage.
 */
export async function gazetteerImportCommand(
  argv: readonly string[],
  config: AppConfig,
  io: CommandIo = { stderr: process.stderr, stdout: process.stdout },
): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    io.stderr.write(
      `cortege gazetteer import: ${(error as Error).message}\n\n${GAZETTEER_IMPORT_HELP}\n`,
    );
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stderr.write(`${GAZETTEER_IMPORT_HELP}\n`);
    return 0;
  }
  const [file, ...extra] = positionals;
  if (file === undefined || extra.length > 0) {
    io.stderr.write(
      `cortege gazetteer import: give exactly one file\n\n${GAZETTEER_IMPORT_HELP}\n`,
    );
    return 2;
  }
  const pool = new Pool({ connectionString: config.database.url, max: 2 });
  const live = io.stderr.isTTY === true;
  try {
    // The gazetteer's tables come with the schema: a fresh database is migrated first.
    await migrate(config.database.url);
    const result = await importBanAddresses(pool, file, {
      batchSize: config.geocoding.importBatchSize,
      onProgress: values.quiet ? undefined : (p) => io.stderr.write(progressLine(p, live)),
    });
    io.stderr.write(
      `${live ? '\n' : ''}gazetteer: ${result.kept} addresses of Marseille on ${result.streets} streets ` +
        `(${result.rows} rows read, ${result.skipped} of other communes skipped) in ` +
        `${(result.elapsedMs / 1000).toFixed(1)} s, ${result.rowsPerSecond} rows/s\n`,
    );
    let places: number | null = null;
    if (values.places !== undefined) {
      places = (await importGazetteerPlaces(pool, values.places)).places;
      io.stderr.write(`gazetteer: ${places} named places from ${values.places}\n`);
    }
    if (values.json) io.stdout?.write(`${JSON.stringify({ ...result, places })}\n`);
    return 0;
  } catch (error) {
    if (error instanceof GazetteerError) {
      io.stderr.write(`${live ? '\n' : ''}cortege gazetteer import: ${error.message}\n`);
      return 1;
    }
    throw error;
  } finally {
    await pool.end();
  }
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      places: { type: 'string' },
      quiet: { type: 'boolean', short: 'q' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

/** One progress line: a bar on a terminal (redrawn in place), a plain line otherwise. */
export function progressLine(p: GazetteerImportProgress, live: boolean): string {
  const share = p.totalBytes > 0 ? Math.min(1, p.bytesRead / p.totalBytes) : 0;
  const width = 24;
  const filled = Math.round(share * width);
  const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(share * 100).toFixed(0).padStart(3)}%`;
  // Time left at the pace so far: what is still to read, over what was read per ms.
  const eta = share > 0 ? `${Math.ceil((p.elapsedMs * (1 - share)) / share / 1000)} s` : '-';
  const text = `${bar} ${p.rows} rows, ${p.kept} kept, ${p.rowsPerSecond} rows/s, ETA ${eta}`;
  return live ? `\r${text}` : `${text}\n`;
}
