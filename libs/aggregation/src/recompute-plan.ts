import { bucketMsOf, bucketsOf, type TensionModel } from '@app/tension';
import { cellToParent, getResolution, gridDisk } from 'h3-js';

/** One presence row as stored: a cell at the presence resolution and `[startAt, endAt)`, UTC ms. */
export interface PresenceSpan {
  readonly cell: string;
  readonly startAt: number;
  readonly endAt: number;
}

/** The cell's ancestors at the scored resolutions (itself when its resolution is scored), sorted. */
export function scoredAncestors(cell: string, model: TensionModel): string[] {
  const own = getResolution(cell);
  return model.resolutions
    .filter((r) => r <= own)
    .map((r) => (r === own ? cell : cellToParent(cell, r)))
    .sort();
}

/**
 * What a change of presence makes stale. A row (resolution r, cell c, bucket b) of
 * `cell_tension` depends on the presence in c and its 1-ring at r during b, so every changed
 * span marks its ancestor at r and that ancestor's 1-ring, for each bucket it overlaps.
 */
export class RecomputePlan {
  /** `${resolution}|${cell}` → bucket starts (UTC ms) to recompute. */
  private readonly stale = new Map<string, Set<number>>();
  private readonly bucketMs: number;

  constructor(private readonly model: TensionModel) {
    this.bucketMs = bucketMsOf(model);
  }

  /** Marks what `span` (an old or a new presence row) touches. */
  touch(span: PresenceSpan): void {
    const buckets = bucketsOf(span, this.bucketMs);
    for (const ancestor of scoredAncestors(span.cell, this.model)) {
      const resolution = getResolution(ancestor);
      for (const near of gridDisk(ancestor, 1)) {
        const key = `${resolution}|${near}`;
        let set = this.stale.get(key);
        if (set === undefined) this.stale.set(key, (set = new Set<number>()));
        for (const b of buckets) set.add(b);
      }
    }
  }

  get isEmpty(): boolean {
    return this.stale.size === 0;
  }

  /** The stale buckets of (resolution, cell), if any: a `ScoreScope` for `scoreCells`. */
  bucketsOf(resolution: number, cell: string): ReadonlySet<number> | undefined {
    return this.stale.get(`${resolution}|${cell}`);
  }

  /** The stale rows: per (resolution, cell), its runs of consecutive stale buckets. */
  rows(): CellRange[] {
    const ranges: CellRange[] = [];
    for (const [key, buckets] of this.stale) {
      const split = key.indexOf('|');
      const resolution = Number(key.slice(0, split));
      const cell = key.slice(split + 1);
      for (const [from, to] of runsOf(buckets, this.bucketMs))
        ranges.push({ resolution, cell, from, to });
    }
    return ranges;
  }

  /**
   * What the stale rows read: a row (r, c, b) reads the presence in c's 1-ring at r during b,
   * so per cell of those rings (matched against `event_presence.parents`), the runs of the
   * buckets its stale neighbours need — scoped bucket by bucket, not by the batch's span.
   */
  reads(): CellRange[] {
    const byCell = new Map<string, { resolution: number; buckets: Set<number> }>();
    for (const [key, buckets] of this.stale) {
      const split = key.indexOf('|');
      const resolution = Number(key.slice(0, split));
      for (const near of gridDisk(key.slice(split + 1), 1)) {
        const known = byCell.get(near);
        if (known === undefined) byCell.set(near, { resolution, buckets: new Set(buckets) });
        else for (const b of buckets) known.buckets.add(b);
      }
    }
    const ranges: CellRange[] = [];
    for (const [cell, { resolution, buckets }] of byCell)
      for (const [from, to] of runsOf(buckets, this.bucketMs))
        ranges.push({ resolution, cell, from, to });
    return ranges;
  }

  /**
   * The cells at `resolution` (no finer than any scored) that hold every stale row: what a
   * batch locks, so that batches whose stale rows are far apart commit side by side.
   */
  areas(resolution: number): Set<string> {
    const areas = new Set<string>();
    for (const key of this.stale.keys()) {
      const split = key.indexOf('|');
      const cell = key.slice(split + 1);
      areas.add(Number(key.slice(0, split)) === resolution ? cell : cellToParent(cell, resolution));
    }
    return areas;
  }
}

/** A run of consecutive buckets of one cell: `[from, to)`, UTC ms. */
export interface CellRange {
  readonly resolution: number;
  readonly cell: string;
  readonly from: number;
  readonly to: number;
}

/** The sorted runs `[from, to)` of consecutive buckets in `buckets`. */
function runsOf(buckets: ReadonlySet<number>, bucketMs: number): [number, number][] {
  const sorted = [...buckets].sort((a, b) => a - b);
  const runs: [number, number][] = [];
  for (const b of sorted) {
    const last = runs[runs.length - 1];
    if (last !== undefined && last[1] === b) last[1] = b + bucketMs;
    else runs.push([b, b + bucketMs]);
  }
  return runs;
}
