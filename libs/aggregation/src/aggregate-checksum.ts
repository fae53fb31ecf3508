import { createHash } from 'node:crypto';
import type { Pool } from 'pg';

/**
 * The aggregate tables, the order (their primary key) their rows are digested in, and the
 * columns left out: processing times (`event.located_at`, the locator's clock) differ between
 * two runs over the same data, and a digest that differs on equal data proves nothing.
 */
export const CHECKSUM_TABLES = [
  { table: 'event', orderBy: 'event_id', without: ['located_at'] },
  { table: 'event_region', orderBy: 'event_id, region', without: [] },
  { table: 'event_presence', orderBy: 'cell, event_id, start_at', without: [] },
  { table: 'cell_tension', orderBy: 'cell, resolution, bucket_start', without: [] },
  { table: 'tension_zone', orderBy: 'zone_id', without: [] },
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
 * An ordered digest of every aggregate table: equal digests mean equal rows, every column but
 * processing times (floats in PostgreSQL's shortest exact text, geometries as EWKB). Offsets are
 * left out: the same data read in other batches has other positions.
 */
export async function aggregateChecksum(pool: Pool): Promise<AggregateChecksum> {
  const tables: Record<string, TableChecksum> = {};
  const all = createHash('sha256');
  for (const { table, orderBy, without } of CHECKSUM_TABLES) {
    const { rows: columns } = await pool.query<{ name: string }>(
      `SELECT quote_ident(column_name) AS name FROM information_schema.columns
        WHERE table_schema = current_schema() AND table_name = $1 AND NOT column_name = ANY($2)
        ORDER BY ordinal_position`,
      [table, without],
    );
    const rowText = `ROW(${columns.map((c) => `t.${c.name}`).join(', ')})::text`;
    const { rows } = await pool.query<{ rows: number; digest: string }>(
      `SELECT count(*)::int AS rows,
              md5(coalesce(string_agg(md5(${rowText}), '' ORDER BY ${orderBy}), '')) AS digest
         FROM ${table} t`,
    );
    const row = rows[0] as TableChecksum;
    tables[table] = { rows: row.rows, digest: row.digest };
    all.update(`${table}:${row.rows}:${row.digest}\n`);
  }
  return { digest: all.digest('hex'), tables };
}
