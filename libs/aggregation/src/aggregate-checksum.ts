import { createHash } from 'node:crypto';
import type { Pool } from 'pg';

/** The aggregate tables and the order (their primary key) their rows are digested in. */
export const CHECKSUM_TABLES = [
  { table: 'event', orderBy: 'event_id' },
  { table: 'event_region', orderBy: 'event_id, region' },
  { table: 'event_presence', orderBy: 'cell, event_id, start_at' },
  { table: 'cell_tension', orderBy: 'cell, resolution, bucket_start' },
  { table: 'tension_zone', orderBy: 'zone_id' },
] as const;

export interface TableChecksum {
  readonly rows: number;
  /** md5 of the md5s of every row's text, in primary-key order. */
  readonly digest: string;
}

export interface AggregateChecksum {
  /** sha256 over the tables' digests, in `CHECKSUM_TABLES` order. */
  readonly digest: string;
  readonly tables: Readonly<Record<string, TableChecksum>>;
}

/**
 * An ordered digest of every aggregate table: equal digests mean equal rows, every column
 * (floats in PostgreSQL's shortest exact text, geometries as EWKB). Offsets are left out: the
 * same data read in other batches has other positions.
 */
export async function aggregateChecksum(pool: Pool): Promise<AggregateChecksum> {
  const tables: Record<string, TableChecksum> = {};
  const all = createHash('sha256');
  for (const { table, orderBy } of CHECKSUM_TABLES) {
    const { rows } = await pool.query<{ rows: number; digest: string }>(
      `SELECT count(*)::int AS rows,
              md5(coalesce(string_agg(md5(t::text), '' ORDER BY ${orderBy}), '')) AS digest
         FROM ${table} t`,
    );
    const row = rows[0] as TableChecksum;
    tables[table] = { rows: row.rows, digest: row.digest };
    all.update(`${table}:${row.rows}:${row.digest}\n`);
  }
  return { digest: all.digest('hex'), tables };
}
