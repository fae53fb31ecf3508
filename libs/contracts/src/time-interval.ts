/** When something happens: `[startAt, endAt)`, UTC epoch milliseconds, the end excluded. */
export interface TimeInterval {
  readonly startAt: number;
  readonly endAt: number;
}

/**
 * The platform's one rule on time: an interval has finite bounds and ends after it starts.
 * The contract reports a break as `end_before_start`; the geometry, the model and the
 * aggregator refuse such an interval wherever it reaches them.
 */
export const endsAfterStart = (interval: {
  readonly startAt: number | null;
  readonly endAt: number | null;
}): boolean =>
  Number.isFinite(interval.startAt) &&
  Number.isFinite(interval.endAt) &&
  (interval.endAt as number) > (interval.startAt as number);
