import type { Pool } from 'pg';
import { GazetteerError, GazetteerErrorCode } from './gazetteer.error';

/** The geocoding tables, made by a migration of `@app/database` (1765000000000). */
const GAZETTEER_TABLES = ['gazetteer_address', 'gazetteer_street', 'gazetteer_place'] as const;

/**
 * Refuses to import into a database that was not migrated, naming the tables missing and what
 * to run, rather than failing half-way on PostgreSQL's "relation does not exist".
 * @throws GazetteerError `no_schema`
 */
export async function assertGazetteerSchema(pool: Pick<Pool, 'query'>): Promise<void> {
  const { rows } = await pool.query<{ name: string }>(
    'SELECT name FROM unnest($1::text[]) AS name WHERE to_regclass(name) IS NULL',
    [GAZETTEER_TABLES],
  );
  if (rows.length > 0)
    throw new GazetteerError(
      GazetteerErrorCode.NoSchema,
      `the database has no ${rows.map((r) => r.name).join(', ')}: migrate it first (cortege db migrate)`,
    );
}
