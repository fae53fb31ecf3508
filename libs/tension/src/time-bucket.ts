import { endsAfterStart, type TimeInterval } from '@app/contracts';
import { TensionError, TensionErrorCode } from './tension.error';

/** @throws TensionError `invalid_bucket` unless `bucketMs` is an integer > 0. */
export function assertValidBucketMs(bucketMs: number): void {
  if (!(Number.isInteger(bucketMs) && bucketMs > 0))
    throw new TensionError(
      TensionErrorCode.InvalidBucket,
      `bucket length must be an integer number of ms > 0, got ${String(bucketMs)}`,
    );
}

/** @throws TensionError `invalid_interval` unless both bounds are finite and `endAt > startAt`. */
export function assertValidInterval(interval: TimeInterval): void {
  if (!endsAfterStart(interval))
    throw new TensionError(
      TensionErrorCode.InvalidInterval,
      `interval must have finite bounds and end after start, got [${String(interval.startAt)}, ${String(interval.endAt)})`,
    );
}

/** Start of the bucket holding instant `t` (UTC ms), buckets aligned to the Unix epoch. */
export const bucketStartOf = (t: number, bucketMs: number): number =>
  Math.floor(t / bucketMs) * bucketMs;

/**
 * Fraction (0–1) of the bucket `[bucketStart, bucketStart + bucketMs)` covered by
 * `[startAt, endAt)`; all in UTC ms.
 *
 * @throws TensionError `invalid_bucket`, `invalid_interval`.
 */
export function presenceFraction(
  interval: TimeInterval,
  bucketStart: number,
  bucketMs: number,
): number {
  assertValidBucketMs(bucketMs);
  assertValidInterval(interval);
  const covered =
    Math.min(interval.endAt, bucketStart + bucketMs) - Math.max(interval.startAt, bucketStart);
  return covered > 0 ? covered / bucketMs : 0;
}

/**
 * Starts (UTC ms, ascending, aligned to the epoch) of every bucket `[startAt, endAt)` overlaps
 * for a positive time; an interval ending exactly on a boundary does not touch the next bucket.
 *
 * @throws TensionError `invalid_bucket`, `invalid_interval`.
 */
export function bucketsOf(interval: TimeInterval, bucketMs: number): number[] {
  assertValidBucketMs(bucketMs);
  assertValidInterval(interval);
  const starts: number[] = [];
  for (let b = bucketStartOf(interval.startAt, bucketMs); b < interval.endAt; b += bucketMs)
    starts.push(b);
  return starts;
}

/** The union of intervals as sorted, disjoint, non-touching intervals. */
export function unionOf(intervals: readonly TimeInterval[]): TimeInterval[] {
  const sorted = [...intervals].sort((a, b) => a.startAt - b.startAt || a.endAt - b.endAt);
  const merged: { startAt: number; endAt: number }[] = [];
  for (const { startAt, endAt } of sorted) {
    const last = merged[merged.length - 1];
    if (last !== undefined && startAt <= last.endAt) last.endAt = Math.max(last.endAt, endAt);
    else merged.push({ startAt, endAt });
  }
  return merged;
}

/** Sorted disjoint intervals clipped to `[from, to)`. */
export function clipTo(
  intervals: readonly TimeInterval[],
  from: number,
  to: number,
): TimeInterval[] {
  const clipped: TimeInterval[] = [];
  for (const i of intervals) {
    const startAt = Math.max(i.startAt, from);
    const endAt = Math.min(i.endAt, to);
    if (endAt > startAt) clipped.push({ startAt, endAt });
  }
  return clipped;
}

/** Total length (ms) of intervals, sorted and disjoint. */
export const lengthOf = (intervals: readonly TimeInterval[]): number =>
  intervals.reduce((sum, i) => sum + (i.endAt - i.startAt), 0);

/** Length (ms) of the intersection of two lists of sorted, disjoint intervals. */
export function overlapLength(a: readonly TimeInterval[], b: readonly TimeInterval[]): number {
  let i = 0;
  let j = 0;
  let total = 0;
  while (i < a.length && j < b.length) {
    const x = a[i] as TimeInterval;
    const y = b[j] as TimeInterval;
    const covered = Math.min(x.endAt, y.endAt) - Math.max(x.startAt, y.startAt);
    if (covered > 0) total += covered;
    if (x.endAt <= y.endAt) i += 1;
    else j += 1;
  }
  return total;
}
