import { latLngToCell } from 'h3-js';
import { scoreCells } from './cell-score';
import type { LocatedEvent } from './located-event';
import { DEFAULT_TENSION_MODEL } from './tension.model';

/** The worked example of the README ("The tension model"), pinned so the two never disagree. */
describe('the README worked example', () => {
  const cell = latLngToCell(43.2965, 5.3698, 10);
  const bucket = Date.parse('2026-05-01T09:00:00Z');
  const half = 7.5 * 60_000;
  const march = (endAt: number): LocatedEvent => ({
    eventId: 'march',
    kind: 'MOVING_DEMONSTRATION',
    theme: null,
    peopleExpected: 3000,
    peopleDeclared: null,
    carsExpected: 2,
    carsDeclared: null,
    cells: [{ cell, startAt: bucket, endAt }],
  });
  const visit = (endAt: number): LocatedEvent => ({
    eventId: 'visit',
    kind: 'OFFICIAL_VISIT',
    theme: null,
    peopleExpected: null,
    peopleDeclared: null,
    carsExpected: null,
    carsDeclared: null,
    cells: [{ cell, startAt: bucket, endAt }],
  });
  const rowAt10 = (events: LocatedEvent[]) =>
    scoreCells(events, DEFAULT_TENSION_MODEL).find(
      (r) => r.resolution === 10 && r.cell === cell && r.bucketStart === bucket,
    );

  it('a march of 3,000 with 2 cars, alone for half a bucket, loads 3.86', () => {
    expect(rowAt10([march(bucket + half)])?.score).toBeCloseTo(3.856, 3);
  });

  it('with an official visit for that half it scores 7.86; for the whole bucket 15.71', () => {
    const halfRow = rowAt10([march(bucket + half), visit(bucket + half)]);
    expect(halfRow?.load).toBeCloseTo(4.856, 3);
    expect(halfRow?.conflict).toBeCloseTo(3, 6);
    expect(halfRow?.score).toBeCloseTo(7.856, 3);
    expect(rowAt10([march(bucket + 2 * half), visit(bucket + 2 * half)])?.score).toBeCloseTo(
      15.713,
      3,
    );
  });
});
