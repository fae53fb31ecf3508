import { randomUUID } from 'node:crypto';
import type { Submission } from '@app/contracts';
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
