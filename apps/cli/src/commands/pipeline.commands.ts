/**
 * The pipeline's stages over JSON lines, and the aggregates' digest: their wiring to the
 * configuration. Each loads only what it uses (PostgreSQL, TypeORM and H3 are slow to load).
 */
import { loadConfig } from '@app/config';
import type { Pool } from 'pg';
import { missingSchemaMessage } from './with-database';

export const CHECKSUM_HELP = `cortege checksum

Prints an ordered digest of the aggregate tables of DATABASE_URL (event, event_region,
event_presence, cell_tension, tension_zone) as JSON: equal digests mean equal rows.
Used to prove a rebuild, a replay or a crash recovery gives the same aggregates.`;

export async function sanitizeMain(): Promise<number> {
  const [{ PlaceNames, sanitizationPolicy }, { readPlaceNames }, { sanitizeCommand }] =
    await Promise.all([
      import('@app/sanitization'),
      import('@app/geocoding-adapters'),
      import('./sanitize.command'),
    ]);
  const { sanitizer } = loadConfig();
  const placeNames = new PlaceNames(await readPlaceNames(sanitizer.placesFile ?? undefined));
  await sanitizeCommand(
    process.stdin,
    process.stdout,
    sanitizationPolicy({ ...sanitizer.policyOverrides, placeNames }),
  );
  return 0;
}

export async function locateMain(): Promise<number> {
  const [{ Pool }, { migrate }, { locatorModel }, { createGeocoder }, { locateCommand }] =
    await Promise.all([
      import('pg'),
      import('@app/database'),
      import('@app/geo'),
      import('@app/geocoding-adapters'),
      import('./locate.command'),
    ]);
  const config = loadConfig();
  const pool = new Pool({ connectionString: config.database.url, max: 2 });
  try {
    const model = locatorModel(config.locator.modelOverrides);
    await migrate(config.database.url);
    await locateCommand(
      process.stdin,
      process.stdout,
      createGeocoder(config.geocoding, { db: pool }),
      model,
    );
  } finally {
    await pool.end();
  }
  return 0;
}

export async function scoreMain(): Promise<number> {
  const [{ tensionModelOf }, { scoreCommand }] = await Promise.all([
    import('@app/tension'),
    import('./score.command'),
  ]);
  await scoreCommand(process.stdin, process.stdout, tensionModelOf(loadConfig().tension));
  return 0;
}

export async function checksumMain(): Promise<number> {
  const [{ Pool }, { aggregateChecksum }] = await Promise.all([
    import('pg'),
    import('@app/aggregation'),
  ]);
  const pool = new Pool({ connectionString: loadConfig().database.url, max: 1 });
  try {
    console.log(JSON.stringify(await aggregateChecksum(pool), null, 2));
    return 0;
  } catch (error) {
    const missing = missingSchemaMessage(error);
    if (missing === undefined) throw error;
    console.error(`cortege checksum: ${missing}`);
    return 1;
  } finally {
    await pool.end();
  }
}

export async function migrateMain(json = false): Promise<number> {
  const [{ migrate }, { recordOperation }] = await Promise.all([
    import('@app/database'),
    import('../operations-audit'),
  ]);
  const started = Date.now();
  const applied = await migrate(loadConfig().database.url);
  if (json) console.log(JSON.stringify({ applied }));
  else console.log(applied.length > 0 ? `applied: ${applied.join(', ')}` : 'schema up to date');
  const pool = (await databasePool())();
  try {
    await recordOperation(pool, {
      command: 'cortege db migrate',
      params: { applied },
      status: 0,
      rows: applied.length,
      startedAt: started,
    });
  } finally {
    await pool.end();
  }
  return 0;
}

/** A small pool on DATABASE_URL, for a command that runs a few queries. */
export async function databasePool(): Promise<() => Pool> {
  const { Pool: PgPool } = await import('pg');
  const { url } = loadConfig().database;
  return () => new PgPool({ connectionString: url, max: 2 });
}
