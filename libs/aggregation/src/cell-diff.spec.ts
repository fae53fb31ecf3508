import type { CellTension } from '@app/tension';
import { diffCells } from './cell-diff';

const row = (
  cell: string,
  bucketStart: number,
  score: number,
  eventIds: string[],
): CellTension => ({
  resolution: 9,
  cell,
  bucketStart,
  load: score,
  conflict: 0,
  score,
  eventCount: eventIds.length,
  eventIds,
});

describe('diffCells', () => {
  it('inserts new rows, updates changed ones, deletes vanished ones and skips equal ones', () => {
    const stored = [row('a', 0, 1, ['e1']), row('b', 0, 2, ['e1']), row('c', 0, 3, ['e2'])];
    const scored = [row('a', 0, 1, ['e1']), row('b', 0, 2.5, ['e1', 'e3']), row('d', 0, 1, ['e3'])];
    const diff = diffCells(stored, scored, new Set(['e3']));
    expect(diff.inserts.map((r) => r.cell)).toEqual(['d']);
    expect(diff.updates.map((r) => [r.cell, r.score])).toEqual([['b', 2.5]]);
    expect(diff.deletes).toEqual([{ resolution: 9, cell: 'c', bucketStart: 0 }]);
  });

  it('treats a different set of events with equal scores as a change', () => {
    const diff = diffCells([row('a', 0, 1, ['e1'])], [row('a', 0, 1, ['e2'])], new Set());
    expect(diff.updates).toHaveLength(1);
  });

  it('redraws the zones of slices where a row changed or a changed event is, and only those', () => {
    const stored = [
      row('a', 0, 1, ['e1']),
      row('b', 900_000, 1, ['e2']),
      row('c', 1_800_000, 1, ['e4']),
    ];
    const scored = [
      row('a', 0, 1, ['e1']), // equal, no changed event: its slice stays
      row('b', 900_000, 1, ['e2']), // equal, but e2 changed (its kind may have)
      row('c', 1_800_000, 2, ['e4']), // updated
      row('d', 2_700_000, 1, ['e5']), // inserted
    ];
    const slices = diffCells(stored, scored, new Set(['e2'])).slices.map((s) => s.bucketStart);
    expect(slices.sort((x, y) => x - y)).toEqual([900_000, 1_800_000, 2_700_000]);
    const gone = diffCells([row('z', 3_600_000, 1, ['e9'])], [], new Set()).slices;
    expect(gone).toEqual([{ resolution: 9, bucketStart: 3_600_000 }]);
  });
});
