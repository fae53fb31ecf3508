import {
  HOTSPOT_WINDOW_KINDS,
  windowsOfDays,
  type HotspotStore,
  type HotspotWindow,
  type HotspotWindowOutcome,
} from './hotspot-store';

export interface HotspotRefresherOptions {
  /** Benjamini–Hochberg's false-discovery rate (HOTSPOT_ALPHA). */
  readonly alpha: number;
  /**
   * How long the days batches touch are gathered before their windows are recomputed
   * (HOTSPOT_REFRESH_MS): a window is recomputed at most once per delay, however many batches
   * touch it meanwhile. 0 = as soon as the batch that touched it has committed.
   */
  readonly delayMs: number;
  /** Each window recomputed, with how long it took. */
  readonly recomputed?: (outcome: HotspotWindowOutcome, ms: number) => void;
  /** A recomputation that failed: its windows are kept and tried again after the delay. */
  readonly failed?: (error: unknown) => void;
  /** {@link HotspotRefresher.busy}, after each touch and each pass. */
  readonly state?: (busy: boolean) => void;
}

/**
 * Keeps the `hotspot` table fresh behind the live aggregator: each batch, once committed, says
 * which local days its resolution-9 tension touched (`BatchOutcome.hotspotDays`); the day and
 * ISO-week windows holding them are gathered for `delayMs`, then recomputed whole, one after
 * another, by {@link HotspotStore.recompute} (its own transaction and per-window lock, so
 * several aggregator instances may refresh the same window: the last to take the lock reads
 * every batch committed before it). Days touched during a recomputation are gathered for the
 * next. The table is thus eventually what `recomputeAll` gives, `delayMs` plus one window's
 * recomputation after the last batch; {@link flush} and {@link close} do it at once.
 */
export class HotspotRefresher {
  private readonly pending = new Map<string, HotspotWindow>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<boolean> | undefined;
  private closed = false;

  constructor(
    private readonly store: HotspotStore,
    private readonly options: HotspotRefresherOptions,
  ) {}

  /** Windows waiting to be recomputed (not counting one being recomputed). */
  get waiting(): number {
    return this.pending.size;
  }

  /** True while a recomputation runs or one is waiting. */
  get busy(): boolean {
    return this.running !== undefined || this.pending.size > 0;
  }

  /** The days a committed batch touched. */
  touch(days: readonly string[]): void {
    if (days.length === 0 || this.closed) return;
    for (const w of windowsOfDays(days, HOTSPOT_WINDOW_KINDS))
      this.pending.set(`${w.kind}|${w.start}`, w);
    this.schedule(this.options.delayMs);
    this.options.state?.(this.busy);
  }

  /**
   * Recomputes every window waiting now, and waits for it (and for one under way); stops at a
   * recomputation that fails (reported to `failed`, its windows kept).
   */
  async flush(): Promise<void> {
    for (;;) {
      if (this.timer !== undefined) clearTimeout(this.timer);
      this.timer = undefined;
      if (!this.busy) return;
      if (this.running === undefined) this.running = this.run();
      if (!(await this.running)) return;
    }
  }

  /** Takes no more days, and flushes what it has. */
  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
  }

  private schedule(delayMs: number): void {
    if (this.timer !== undefined || this.running !== undefined || this.pending.size === 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.run();
    }, delayMs);
    // A pending refresh does not keep the process alive: close() flushes it.
    this.timer.unref();
  }

  /** One pass over the windows waiting; false if one failed. */
  private async run(): Promise<boolean> {
    // Not a step of the caller's own turn: `running` is set before this clears it.
    await Promise.resolve();
    // Days first, then weeks, each in order: the same touches give the same order of work.
    const windows = [...this.pending.values()].sort(
      (a, b) => a.kind.localeCompare(b.kind) || a.start.localeCompare(b.start),
    );
    this.pending.clear();
    let retry = false;
    try {
      for (const [i, window] of windows.entries()) {
        const started = performance.now();
        try {
          const outcome = await this.store.recompute(window, this.options.alpha);
          this.options.recomputed?.(outcome, performance.now() - started);
        } catch (error) {
          // This window and those after it wait for the next run (newer touches kept).
          for (const w of windows.slice(i)) this.pending.set(`${w.kind}|${w.start}`, w);
          this.options.failed?.(error);
          retry = true;
          break;
        }
      }
    } finally {
      this.running = undefined;
    }
    if (!this.closed)
      this.schedule(retry ? Math.max(this.options.delayMs, 1_000) : this.options.delayMs);
    this.options.state?.(this.busy);
    return !retry;
  }
}
