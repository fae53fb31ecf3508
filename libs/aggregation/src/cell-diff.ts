import type { CellTension } from '@app/tension';

/** The key of a `cell_tension` row. */
export interface CellKey {
  readonly resolution: number;
  readonly cell: string;
  /** UTC ms. */
  readonly bucketStart: number;
}

/** A (resolution, bucket) of the map: the zones are drawn slice by slice. */
export interface Slice {
  readonly resolution: number;
  readonly bucketStart: number;
}

/** What must change in `cell_tension` for the stale rows to hold their new scores. */
export interface CellDiff {
  /** Rows the stale part of the map gains. */
  readonly inserts: readonly CellTension[];
  /** Rows whose values change (their key, hence their outline, stays). */
  readonly updates: readonly CellTension[];
  /** Rows the stale part of the map loses: nothing is present or in conflict there anymore. */
  readonly deletes: readonly CellKey[];
  /**
   * The slices whose zones may differ: where a row changed, and where a changed event is (its
   * kind may change with equal scores, and zones list their events' kinds).
   */
  readonly slices: readonly Slice[];
}

const keyOf = (row: CellKey): string => `${row.resolution}|${row.cell}|${row.bucketStart}`;

const sameValues = (a: CellTension, b: CellTension): boolean =>
  a.load === b.load &&
  a.conflict === b.conflict &&
  a.score === b.score &&
  a.eventIds.length === b.eventIds.length &&
  a.eventIds.every((id, i) => id === b.eventIds[i]);

/**
 * Compares the stale rows as stored (`stored`: every row of the stale part of the map) with
 * the same rows rescored (`scored`: the model's rows for exactly that part), so that only real
 * differences are written. `changed`: the events whose presence changed in the batch.
 */
export function diffCells(
  stored: readonly CellTension[],
  scored: readonly CellTension[],
  changed: ReadonlySet<string>,
): CellDiff {
  const before = new Map(stored.map((row) => [keyOf(row), row]));
  const inserts: CellTension[] = [];
  const updates: CellTension[] = [];
  const slices = new Map<string, Slice>();
  const touch = (row: CellKey) =>
    slices.set(`${row.resolution}|${row.bucketStart}`, {
      resolution: row.resolution,
      bucketStart: row.bucketStart,
    });
  for (const row of scored) {
    const key = keyOf(row);
    const old = before.get(key);
    before.delete(key);
    if (old === undefined) inserts.push(row);
    else if (!sameValues(old, row)) updates.push(row);
    else if (!row.eventIds.some((id) => changed.has(id))) continue;
    touch(row);
  }
  const deletes = [...before.values()].map(({ resolution, cell, bucketStart }) => ({
    resolution,
    cell,
    bucketStart,
  }));
  for (const row of deletes) touch(row);
  return { inserts, updates, deletes, slices: [...slices.values()] };
}
