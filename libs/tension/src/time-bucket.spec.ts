import { bucketsOf, overlapLength, presenceFraction, unionOf } from './time-bucket';
import { TensionError } from './tension.error';

const MIN = 60_000;
const BUCKET = 15 * MIN;
/** A bucket start: 1,944,444 × 900,000 ms. */
const B0 = 1_749_999_600_000;

describe('time buckets', () => {
  it('gives the covered fraction of a bucket', () => {
    expect(presenceFraction({ startAt: B0, endAt: B0 + 7.5 * MIN }, B0, BUCKET)).toBe(0.5);
    expect(presenceFraction({ startAt: B0 - MIN, endAt: B0 + 30 * MIN }, B0, BUCKET)).toBe(1);
    expect(presenceFraction({ startAt: B0 + 15 * MIN, endAt: B0 + 20 * MIN }, B0, BUCKET)).toBe(0);
  });

  it('lists the epoch-aligned buckets an interval touches, end excluded', () => {
    expect(bucketsOf({ startAt: B0 + 5 * MIN, endAt: B0 + 30 * MIN }, BUCKET)).toEqual([
      B0,
      B0 + BUCKET,
    ]);
    expect(bucketsOf({ startAt: B0 + 5 * MIN, endAt: B0 + 31 * MIN }, BUCKET)).toEqual([
      B0,
      B0 + BUCKET,
      B0 + 2 * BUCKET,
    ]);
  });

  it('rejects empty intervals and bad buckets', () => {
    expect(() => bucketsOf({ startAt: B0, endAt: B0 }, BUCKET)).toThrow(TensionError);
    expect(() => presenceFraction({ startAt: B0, endAt: B0 + 1 }, B0, 0)).toThrow(TensionError);
  });

  it('unites and intersects interval lists', () => {
    const a = unionOf([
      { startAt: 5, endAt: 8 },
      { startAt: 0, endAt: 3 },
      { startAt: 2, endAt: 4 },
    ]);
    expect(a).toEqual([
      { startAt: 0, endAt: 4 },
      { startAt: 5, endAt: 8 },
    ]);
    expect(overlapLength(a, [{ startAt: 3, endAt: 6 }])).toBe(2);
  });
});
