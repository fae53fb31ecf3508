import { cellToLatLng, gridDisk, gridDistance, latLngToCell } from 'h3-js';
import { alertRulesOf } from './alert-rules';
import { conflictsOf, pairKeyOf, pairOverlaps, type ConflictPresence } from './conflict-overlap';
import { TensionError } from './tension.error';

// The Vieux-Port at resolution 10, [lat, lng] for h3-js.
const here = latLngToCell(43.2951, 5.3745, 10);
const neighbour = gridDisk(here, 1).find((c) => c !== here) as string;
const twoAway = gridDisk(here, 2).find((c) => gridDistance(here, c) === 2) as string;
const A = '00000000-0000-4000-8000-00000000000a';
const B = '00000000-0000-4000-8000-00000000000b';
const H = 3_600_000;

const row = (eventId: string, cell: string, from: number, to: number): ConflictPresence => ({
  eventId,
  cell,
  startAt: from * H,
  endAt: to * H,
});

describe('pairOverlaps', () => {
  it('meets in the same cell over the shared interval', () => {
    const [overlap, ...rest] = pairOverlaps(
      [row(A, here, 10, 12), row(B, here, 11, 13)],
      new Set([A]),
    );
    expect(rest).toEqual([]);
    expect(overlap).toEqual({
      eventA: A,
      eventB: B,
      cells: [here],
      startAt: 11 * H,
      endAt: 12 * H,
      firstCell: here,
    });
  });

  it('counts a 1-ring neighbour, not a cell two steps away', () => {
    expect(pairOverlaps([row(A, here, 10, 12), row(B, neighbour, 10, 12)], new Set([B]))).toEqual([
      {
        eventA: A,
        eventB: B,
        cells: [here, neighbour].sort(),
        startAt: 10 * H,
        endAt: 12 * H,
        firstCell: [here, neighbour].sort()[0],
      },
    ]);
    expect(pairOverlaps([row(A, here, 10, 12), row(B, twoAway, 10, 12)], new Set([A]))).toEqual([]);
  });

  it('does not count intervals that only touch (one ends when the other starts)', () => {
    expect(pairOverlaps([row(A, here, 10, 12), row(B, here, 12, 14)], new Set([A, B]))).toEqual([]);
    const justIn = pairOverlaps(
      [row(A, here, 10, 12), { eventId: B, cell: here, startAt: 12 * H - 1, endAt: 14 * H }],
      new Set([A]),
    );
    expect(justIn.map((o) => [o.startAt, o.endAt])).toEqual([[12 * H - 1, 12 * H]]);
  });

  it('gathers a pair over its cells: the first meeting start, the last end, the first cell', () => {
    const [overlap] = pairOverlaps(
      [
        row(A, here, 9, 10),
        row(A, neighbour, 10, 11),
        row(B, neighbour, 10, 16),
        row(B, twoAway, 15, 16),
      ],
      new Set([A]),
    );
    // A in `here` meets B in `neighbour`? Only if their intervals meet: [9,10) vs [10,16) do not.
    expect(overlap).toEqual({
      eventA: A,
      eventB: B,
      cells: [neighbour],
      startAt: 10 * H,
      endAt: 11 * H,
      firstCell: neighbour,
    });
  });

  it('keeps only pairs with a touched event, and never an event with itself', () => {
    const C = '00000000-0000-4000-8000-00000000000c';
    const rows = [row(A, here, 10, 12), row(A, neighbour, 10, 12), row(B, here, 10, 12)];
    expect(
      pairOverlaps([...rows, row(C, here, 10, 12)], new Set([C])).map((o) =>
        pairKeyOf(o.eventA, o.eventB),
      ),
    ).toEqual([pairKeyOf(A, C), pairKeyOf(B, C)].sort());
    expect(pairOverlaps([row(A, here, 10, 12), row(A, neighbour, 11, 13)], new Set([A]))).toEqual(
      [],
    );
  });

  it('refuses a string that is not a cell and an empty interval', () => {
    expect(() => pairOverlaps([row(A, 'nowhere', 1, 2)], new Set([A]))).toThrow(TensionError);
    expect(() => pairOverlaps([row(A, here, 2, 2)], new Set([A]))).toThrow(TensionError);
  });
});

describe('conflictsOf', () => {
  const rules = alertRulesOf();
  const overlaps = pairOverlaps([row(A, here, 10, 12), row(B, here, 11, 13)], new Set([A]));

  it('names the rule, the severity, the kinds, the revisions and the first cell centre', () => {
    const events = new Map([
      [A, { kind: 'MOVING_DEMONSTRATION' as const, theme: null, revision: 3 }],
      [B, { kind: 'STATIC_DEMONSTRATION' as const, theme: null, revision: 1 }],
    ]);
    const [lat, lng] = cellToLatLng(here);
    expect(conflictsOf(overlaps, events, rules)).toEqual([
      {
        ...overlaps[0],
        rule: 'MOVING_DEMONSTRATION:STATIC_DEMONSTRATION',
        severity: 'HIGH',
        kindA: 'MOVING_DEMONSTRATION',
        kindB: 'STATIC_DEMONSTRATION',
        revisionA: 3,
        revisionB: 1,
        point: [lng, lat],
      },
    ]);
  });

  it('gives none for a pair without a rule or with an event no longer known', () => {
    const fleaMarket = new Map([
      [A, { kind: 'MOVING_DEMONSTRATION' as const, theme: null, revision: 1 }],
      [
        B,
        { kind: 'SCHEDULED_OPERATION' as const, theme: 'MARCHE_AUX_PUCES' as const, revision: 1 },
      ],
    ]);
    expect(conflictsOf(overlaps, fleaMarket, rules)).toEqual([]);
    const cancelled = new Map([
      [A, { kind: 'MOVING_DEMONSTRATION' as const, theme: null, revision: 2 }],
    ]);
    expect(conflictsOf(overlaps, cancelled, rules)).toEqual([]);
  });
});
