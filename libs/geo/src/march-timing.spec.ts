import { columnLengthMetres, marchIntervals, marchSpeedMetresPerMs } from './march-timing';
import type { RouteCover } from './route-cover';

const MINUTE = 60_000;
/** A 400 m route over three cells. */
const COVER: RouteCover = {
  resolution: 10,
  lengthMetres: 400,
  path: ['a', 'b', 'c'],
  cells: [
    { cell: 'a', enterMetres: 0, exitMetres: 100 },
    { cell: 'b', enterMetres: 100, exitMetres: 250 },
    { cell: 'c', enterMetres: 250, exitMetres: 400 },
  ],
};
/** 2 km/h in metres per millisecond: 100 m take 3 minutes. */
const TWO_KMH = 2000 / 3_600_000;

describe('march timing', () => {
  it('spreads the crowd over the street: 4,000 people at 2 /m² on 15 m make 133.3 m', () => {
    expect(columnLengthMetres(4000, 2, 15)).toBeCloseTo(133.33, 2);
    expect(columnLengthMetres(0, 2, 15)).toBe(0);
  });

  it('walks at the slower of the walking speed and length ÷ duration', () => {
    // 3 km in an hour would need 3 km/h: the crowd walks at 2 km/h.
    expect(marchSpeedMetresPerMs(3000, 60 * MINUTE, 2)).toBeCloseTo(TWO_KMH, 12);
    // 1 km in an hour: 1 km/h.
    expect(marchSpeedMetresPerMs(1000, 60 * MINUTE, 2)).toBeCloseTo(1000 / 3_600_000, 12);
  });

  it('occupies a cell from the head’s arrival to the tail’s departure', () => {
    const intervals = marchIntervals(
      COVER,
      { startAt: 0, endAt: 60 * MINUTE },
      { speedMetresPerMs: TWO_KMH, columnMetres: 50 },
    );
    // Head at 0, 100, 250 m after 0, 3, 7.5 min; tail leaves 100+50, 250+50, 400+50 m at 4.5, 9, 13.5 min.
    expect(intervals).toEqual([
      { cell: 'a', startAt: 0, endAt: 4.5 * MINUTE },
      { cell: 'b', startAt: 3 * MINUTE, endAt: 9 * MINUTE },
      { cell: 'c', startAt: 7.5 * MINUTE, endAt: 13.5 * MINUTE },
    ]);
  });

  it('clips to the declared end and drops cells the head reaches after it', () => {
    const speed = { speedMetresPerMs: TWO_KMH, columnMetres: 50 };
    expect(marchIntervals(COVER, { startAt: 0, endAt: 10 * MINUTE }, speed)).toEqual([
      { cell: 'a', startAt: 0, endAt: 4.5 * MINUTE },
      { cell: 'b', startAt: 3 * MINUTE, endAt: 9 * MINUTE },
      { cell: 'c', startAt: 7.5 * MINUTE, endAt: 10 * MINUTE },
    ]);
    expect(marchIntervals(COVER, { startAt: 0, endAt: 6 * MINUTE }, speed)).toEqual([
      { cell: 'a', startAt: 0, endAt: 4.5 * MINUTE },
      { cell: 'b', startAt: 3 * MINUTE, endAt: 6 * MINUTE },
    ]);
  });

  it('starts at the declared start and rounds outward to whole milliseconds', () => {
    const start = Date.parse('2026-05-01T08:30:00Z');
    const [a, b] = marchIntervals(
      COVER,
      { startAt: start, endAt: start + 60 * MINUTE },
      { speedMetresPerMs: 0.7, columnMetres: 0 },
    );
    expect(a).toEqual({ cell: 'a', startAt: start, endAt: start + 143 }); // 100 / 0.7 = 142.86 ms
    expect(b).toEqual({ cell: 'b', startAt: start + 142, endAt: start + 358 }); // 250 / 0.7 = 357.1
  });
});
