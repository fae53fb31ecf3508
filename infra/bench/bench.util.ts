import { randomUUID } from 'node:crypto';
import { copyRows, scoredAncestors } from '@app/aggregation';
import type { Presence, Submission } from '@app/contracts';
import type { TensionModel } from '@app/tension';
import type { Pool } from 'pg';
import { sampleSubmissions } from '@app/testing';

/**
 * `count` realistic submissions: the five sample shapes (a march with its route, a rally with
 * its footprint, an operation, a visit, a cancel) with fresh ids and shifted days.
 */
export function realisticSubmissions(count: number): Submission[] {
  const shapes = Object.values(sampleSubmissions());
  return Array.from({ length: count }, (_, i) => {
    const shape = shapes[i % shapes.length] as Submission;
    return { ...shape, eventId: randomUUID(), submittedAt: shape.submittedAt + i * 1000 };
  });
}

/** Splits `items` into consecutive chunks of `size`. */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Runs `work` and returns its rate in items per second. */
export async function rate(items: number, work: () => Promise<void>): Promise<number> {
  const started = process.hrtime.bigint();
  await work();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return items / seconds;
}

export const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

/**
 * COPY alone of the presence rows of `records` into `event_presence` of the database of
 * `pool`, in one transaction (committed or rolled back): the benchmarks' baseline. Returns
 * its seconds. Revisions and times are shifted per row so that no key repeats.
 */
export async function copyPresenceSeconds(
  pool: Pool,
  records: readonly Presence[],
  model: TensionModel,
  commit = false,
): Promise<number> {
  const client = await pool.connect();
  const started = process.hrtime.bigint();
  try {
    await client.query('BEGIN');
    await copyRows(
      client,
      'event_presence',
      ['event_id', 'region', 'cell', 'parents', 'revision', 'start_at', 'end_at'],
      records.flatMap((r) =>
        r.cells.map((c, i) => [
          r.eventId,
          r.region,
          c.cell,
          scoredAncestors(c.cell, model),
          r.revision * 1000 + i,
          new Date(c.startAt + r.revision * 1000 + i).toISOString(),
          new Date(c.endAt + 1_000_000).toISOString(),
        ]),
      ),
    );
    await client.query(commit ? 'COMMIT' : 'ROLLBACK');
  } finally {
    client.release();
  }
  return Number(process.hrtime.bigint() - started) / 1e9;
}
