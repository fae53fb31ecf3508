import { cellToChildren, cellToParent, gridDisk, latLngToCell } from 'h3-js';
import { scoreCells, type CellTension } from './cell-score';
import type { LocatedEvent } from './located-event';
import { TensionError, TensionErrorCode } from './tension.error';

const MIN = 60_000;
/** A bucket start: 1,944,444 × 900,000 ms (15-minute buckets aligned to the epoch). */
const B0 = 1_749_999_600_000;
const B1 = B0 + 15 * MIN;

/** Vieux-Port, Marseille, at the presence resolution. */
const X = latLngToCell(43.2965, 5.3698, 10);
/** A neighbour of X. */
const Y = gridDisk(X, 1)
  .filter((c) => c !== X)
  .sort()[0] as string;
/** The two cells next to both X and Y. */
const BOTH = gridDisk(X, 1)
  .filter((c) => c !== X && c !== Y && gridDisk(Y, 1).includes(c))
  .sort();

function event(
  eventId: string,
  kind: LocatedEvent['kind'],
  people: number | null,
  cells: [string, number, number][],
  extra: Partial<LocatedEvent> = {},
): LocatedEvent {
  return {
    eventId,
    kind,
    theme: null,
    peopleExpected: people,
    peopleDeclared: null,
    carsExpected: null,
    carsDeclared: null,
    cells: cells.map(([cell, startAt, endAt]) => ({ cell, startAt, endAt })),
    ...extra,
  };
}

const atResolution = (rows: CellTension[], resolution: number): CellTension[] =>
  rows.filter((row) => row.resolution === resolution);

const pick = (rows: CellTension[], cell: string, bucketStart = B0) =>
  rows.find((row) => row.cell === cell && row.bucketStart === bucketStart);

describe('scoreCells', () => {
  it('scores a march alone: load only, no conflict', () => {
    // intensity = 3 × (1 + log10(1 + 900/100)) + 0.5 × log10(1 + 9) = 3 × 2 + 0.5 = 6.5
    const march = event('m', 'MOVING_DEMONSTRATION', 900, [[X, B0 + 7.5 * MIN, B0 + 30 * MIN]], {
      peopleDeclared: 500,
      carsDeclared: 9,
    });
    const rows = scoreCells([march]);
    // bucket B0: present 7.5 of 15 min → 6.5 × 0.5 = 3.25; bucket B1: whole → 6.5.
    // Alone, it has no partner in any 1-ring: conflict 0 and no row for the ring cells.
    const expected = [
      { bucketStart: B0, load: 3.25 },
      { bucketStart: B1, load: 6.5 },
    ];
    for (const resolution of [10, 9, 8]) {
      const cell = resolution === 10 ? X : cellToParent(X, resolution);
      expect(atResolution(rows, resolution)).toEqual(
        expected.map(({ bucketStart, load }) => ({
          resolution,
          cell,
          bucketStart,
          load,
          conflict: 0,
          score: load,
          eventCount: 1,
          eventIds: ['m'],
        })),
      );
    }
    expect(rows).toHaveLength(6);
  });

  it('scores a march crossing an official visit in the next cell for half a bucket', () => {
    // march: 3 × (1 + log10(10)) = 6, in X for [0, 7.5 min); visit: 2 × (1 + 0) = 2, in Y all bucket.
    // Both are in the 1-ring of X, of Y and of the two cells next to both, together 7.5 of 15 min:
    // conflict = pairWeight(march, visit) 3 × min(6, 2) × 0.5 = 3 in each of these four cells.
    const march = event('m', 'MOVING_DEMONSTRATION', 900, [[X, B0, B0 + 7.5 * MIN]]);
    const visit = event('v', 'OFFICIAL_VISIT', null, [[Y, B0, B1]]);
    const rows = atResolution(scoreCells([march, visit]), 10);
    expect(BOTH).toHaveLength(2);
    // X: load = 6 × 0.5 = 3, score 3 + 3 = 6
    expect(pick(rows, X)).toMatchObject({ load: 3, conflict: 3, score: 6, eventCount: 2 });
    // Y: load = 2 × 1 = 2, score 2 + 3 = 5
    expect(pick(rows, Y)).toMatchObject({ load: 2, conflict: 3, score: 5, eventIds: ['m', 'v'] });
    // the cells between them: no load, conflict 3
    for (const cell of BOTH)
      expect(pick(rows, cell)).toMatchObject({ load: 0, conflict: 3, score: 3, eventCount: 2 });
    // cells next to only one of them see no pair: no row
    expect(rows.map((row) => row.cell).sort()).toEqual([X, Y, ...BOTH].sort());
  });

  it('scores a march and a visit in the same cell', () => {
    // load = 6 × 0.5 + 2 × 1 = 5; conflict = 3 × 2 × 0.5 = 3; score 8
    const march = event('m', 'MOVING_DEMONSTRATION', 900, [[X, B0 + 7.5 * MIN, B1]]);
    const visit = event('v', 'OFFICIAL_VISIT', null, [[X, B0, B1]]);
    const rows = atResolution(scoreCells([march, visit]), 10);
    expect(pick(rows, X)).toMatchObject({ load: 5, conflict: 3, score: 8 });
    // each of the 6 ring cells sees the pair in X: conflict 3, no load
    expect(rows).toHaveLength(7);
  });

  it('weighs a march beside a flea market low', () => {
    // march 6; flea market: 1 × (1 + log10(1 + 900/100)) = 2; both in X all bucket.
    // conflict = 0.1 (flea-market override) × min(6, 2) × 1 = 0.2; load = 6 + 2 = 8
    const march = event('m', 'MOVING_DEMONSTRATION', 900, [[X, B0, B1]]);
    const fleaMarket = event('f', 'SCHEDULED_OPERATION', 900, [[X, B0, B1]], {
      theme: 'MARCHE_AUX_PUCES',
    });
    const flea = pick(atResolution(scoreCells([march, fleaMarket]), 10), X);
    expect(flea?.load).toBe(8);
    expect(flea?.conflict).toBeCloseTo(0.2, 12);
    expect(flea?.score).toBeCloseTo(8.2, 12);
    // the same operation as a road check: pairWeight(march, operation) 1 × 2 × 1 = 2
    const roadCheck = { ...fleaMarket, theme: 'SECURITE_ROUTIERE' as const };
    expect(pick(atResolution(scoreCells([march, roadCheck]), 10), X)?.conflict).toBe(2);
    // and another march of 900: 3 × min(6, 6) × 1 = 18
    const other = { ...march, eventId: 'm2' };
    expect(pick(atResolution(scoreCells([march, other]), 10), X)?.conflict).toBe(18);
  });

  it('leaves no trace of a cancelled event', () => {
    const march = event('m', 'MOVING_DEMONSTRATION', 900, [[X, B0, B1]]);
    const visit = event('v', 'OFFICIAL_VISIT', null, [[Y, B0, B1]]);
    const before = event('c', 'MOVING_DEMONSTRATION', 5000, [[X, B0, B1]]);
    const cancelled = { ...before, cells: [] };
    const without = scoreCells([march, visit]);
    expect(scoreCells([march, cancelled, visit])).toEqual(without);
    // while it stood, it did change the rows
    expect(scoreCells([march, before, visit])).not.toEqual(without);
  });

  it('does not depend on the order of events or of their cells', () => {
    const far = latLngToCell(43.3, 5.38, 10);
    const events = [
      event('m', 'MOVING_DEMONSTRATION', 900, [
        [X, B0, B0 + 10 * MIN],
        [Y, B0 + 5 * MIN, B1 + 5 * MIN],
        [far, B1, B1 + 20 * MIN],
      ]),
      event('v', 'OFFICIAL_VISIT', 40, [[Y, B0 + 3 * MIN, B1 + 9 * MIN]], { carsDeclared: 12 }),
      event('f', 'SCHEDULED_OPERATION', 3000, [[BOTH[0] as string, B0, B1 + B1 - B0]], {
        theme: 'MARCHE_AUX_PUCES',
      }),
      event('s', 'STATIC_DEMONSTRATION', 250, [
        [far, B0 + 1 * MIN, B1 + 2 * MIN],
        [X, B0 + 4 * MIN, B0 + 13 * MIN],
      ]),
    ];
    const expected = scoreCells(events);
    const reversed = [...events].reverse().map((e) => ({ ...e, cells: [...e.cells].reverse() }));
    const rotated = [...events.slice(2), ...events.slice(0, 2)];
    expect(scoreCells(reversed)).toEqual(expected);
    expect(scoreCells(rotated)).toEqual(expected);
    expect(expected.length).toBeGreaterThan(10);
    const sorted = [...expected].sort(
      (a, b) =>
        a.resolution - b.resolution ||
        (a.cell < b.cell ? -1 : a.cell > b.cell ? 1 : 0) ||
        a.bucketStart - b.bucketStart,
    );
    expect(expected).toEqual(sorted);
  });

  it('computes, in a scope, exactly the rows of an unrestricted run inside it', () => {
    const far = latLngToCell(43.3, 5.38, 10);
    const events = [
      event('m', 'MOVING_DEMONSTRATION', 900, [
        [X, B0, B0 + 10 * MIN],
        [Y, B0 + 5 * MIN, B1 + 5 * MIN],
      ]),
      event('v', 'OFFICIAL_VISIT', 40, [[Y, B0 + 3 * MIN, B1 + 9 * MIN]]),
      event('s', 'STATIC_DEMONSTRATION', 250, [[far, B0, B1 + 2 * MIN]]),
    ];
    const all = scoreCells(events);
    const wanted = new Map<string, Set<number>>([
      [`10|${Y}`, new Set([B1])],
      [`10|${BOTH[0] as string}`, new Set([B0, B1])],
      [`9|${cellToParent(X, 9)}`, new Set([B0])],
    ]);
    const scoped = scoreCells(events, undefined, (r, cell) => wanted.get(`${r}|${cell}`));
    expect(scoped).toEqual(
      all.filter((row) => wanted.get(`${row.resolution}|${row.cell}`)?.has(row.bucketStart)),
    );
    expect(scoped).toHaveLength(4);
  });

  it('counts an event once at a parent, with the union of its children intervals', () => {
    const parent = cellToParent(X, 9);
    const [c1, c2] = cellToChildren(parent, 10) as [string, string];
    // march 6 in c1 for [0, 7.5 min) and in c2 for [5, 15 min)
    const march = event('m', 'MOVING_DEMONSTRATION', 900, [
      [c1, B0, B0 + 7.5 * MIN],
      [c2, B0 + 5 * MIN, B1],
    ]);
    const rows = scoreCells([march]);
    // children: 6 × 7.5/15 = 3 and 6 × 10/15 = 4
    expect(pick(atResolution(rows, 10), c1)?.load).toBe(3);
    expect(pick(atResolution(rows, 10), c2)?.load).toBeCloseTo(4, 12);
    // parent: [0, 7.5) ∪ [5, 15) = the whole bucket → 6 × 1 = 6, not 3 + 4 = 7
    expect(pick(atResolution(rows, 9), parent)).toMatchObject({
      load: 6,
      conflict: 0,
      score: 6,
      eventCount: 1,
    });
    expect(pick(atResolution(rows, 8), cellToParent(X, 8))?.load).toBe(6);
  });

  it('rejects duplicate ids, coarse cells and empty intervals', () => {
    const march = event('m', 'MOVING_DEMONSTRATION', 900, [[X, B0, B1]]);
    const codeOf = (events: LocatedEvent[]) => {
      try {
        scoreCells(events);
      } catch (error) {
        return (error as TensionError).code;
      }
      return undefined;
    };
    expect(codeOf([march, march])).toBe(TensionErrorCode.DuplicateEvent);
    expect(
      codeOf([{ ...march, cells: [{ cell: cellToParent(X, 9), startAt: B0, endAt: B1 }] }]),
    ).toBe(TensionErrorCode.InvalidCell);
    expect(codeOf([{ ...march, cells: [{ cell: X, startAt: B1, endAt: B0 }] }])).toBe(
      TensionErrorCode.InvalidInterval,
    );
  });
});

describe('scoreCells at city scale', () => {
  it('returns more rows than a call stack can take as arguments', () => {
    // 400 static events over 3-ring disks for 12 hours: ~150,000 rows at resolution 10.
    const events = Array.from({ length: 400 }, (_, i) =>
      event(`e${String(i).padStart(3, '0')}`, 'STATIC_DEMONSTRATION', 100, [
        ...gridDisk(
          latLngToCell(43.2 + (i % 20) * 0.01, 5.3 + Math.floor(i / 20) * 0.01, 10),
          3,
        ).map((cell): [string, number, number] => [cell, B0, B0 + 12 * 60 * MIN]),
      ]),
    );
    const rows = scoreCells(events);
    expect(rows.length).toBeGreaterThan(150_000);
  });

  it('gives the same scores to the same events under other ids (another order of summation)', () => {
    // Six events in and around X with uneven crowds and times: the sums of their terms are
    // floating-point, and the ids decide in which order they are added.
    const shapes = [
      ['MOVING_DEMONSTRATION', 1_234, 3.7],
      ['STATIC_DEMONSTRATION', 777, 5.3],
      ['OFFICIAL_VISIT', 45, 11.1],
      ['SCHEDULED_OPERATION', 310, 2.9],
      ['STATIC_DEMONSTRATION', 2_020, 7.7],
      ['MOVING_DEMONSTRATION', 99, 13.3],
    ] as const;
    const build = (ids: readonly string[]) =>
      shapes.map(([kind, people, minutes], i) =>
        event(ids[i] as string, kind, people, [
          [i % 2 === 0 ? X : Y, B0 + minutes * MIN, B1 + (minutes + i) * MIN],
        ]),
      );
    const forward = ['a1', 'b2', 'c3', 'd4', 'e5', 'f6'];
    const backward = ['z6', 'y5', 'x4', 'w3', 'v2', 'u1'];
    const strip = (rows: CellTension[]) =>
      rows.map(({ cell, resolution, bucketStart, load, conflict, score, eventCount }) => ({
        cell,
        resolution,
        bucketStart,
        load,
        conflict,
        score,
        eventCount,
      }));
    expect(strip(scoreCells(build(backward)))).toEqual(strip(scoreCells(build(forward))));
  });
});
