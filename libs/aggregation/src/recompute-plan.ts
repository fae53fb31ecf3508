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

  /**
   * The cells whose presence the stale rows read (each stale cell and its 1-ring, at its own
   * resolution; matched against `event_presence.parents`), and the time they span.
   */
  inputs(): { cells: string[]; from: number; to: number } {
    const cells = new Set<string>();
    let from = Infinity;
    let to = -Infinity;
    for (const [key, set] of this.stale) {
      for (const near of gridDisk(key.slice(key.indexOf('|') + 1), 1)) cells.add(near);
      for (const b of set) {
        from = Math.min(from, b);
        to = Math.max(to, b + this.bucketMs);
      }
    }
    return { cells: [...cells], from, to };
  }
}
