import { setTimeout as sleep } from 'node:timers/promises';

/** Milliseconds since some origin; `Date.now` by default. */
export type Clock = () => number;

/** Called once the request is over (answered, failed or timed out); later calls do nothing. */
export type Release = () => void;

/**
 * At most `limit` requests in any window of `windowMs` milliseconds, as the service counts
 * them: `limit` slots, each reusable `windowMs` after the end of the request that held it. A
 * request arrives at the service before it ends, so its successor in the slot arrives at least
 * `windowMs` after it, whatever the network's delays — a cap counted on arrivals is never
 * exceeded. 50/s lets 50 requests start at once, then one more as each slot frees.
 */
export class RateLimiter {
  /** When each slot may be used again: a time (ms), or `Infinity` while a request holds it. */
  private readonly freeAt: number[];
  private readonly waiting: Array<() => void> = [];

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    private readonly clock: Clock = Date.now,
    private readonly wait: (ms: number) => Promise<unknown> = (ms) => sleep(ms),
  ) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be ≥ 1: ${limit}`);
    if (!(windowMs > 0)) throw new RangeError(`windowMs must be > 0: ${windowMs}`);
    this.freeAt = Array.from({ length: limit }, () => -Infinity);
  }

  /**
   * `rate` requests per second: `limit = rate` per 1000 ms for a whole rate, else one request
   * per `1000 / rate` ms (0.5/s → one per 2 s).
   */
  static perSecond(rate: number, clock?: Clock, wait?: (ms: number) => Promise<unknown>) {
    return Number.isInteger(rate) && rate >= 1
      ? new RateLimiter(rate, 1000, clock, wait)
      : new RateLimiter(1, 1000 / rate, clock, wait);
  }

  /** Resolves when one request may start; call the returned `Release` when it is over. */
  async acquire(): Promise<Release> {
    for (;;) {
      let slot = -1;
      for (let i = 0; i < this.freeAt.length; i++) {
        const at = this.freeAt[i]!;
        if (at !== Infinity && (slot === -1 || at < this.freeAt[slot]!)) slot = i;
      }
      if (slot === -1) {
        await new Promise<void>((resolve) => this.waiting.push(resolve));
        continue;
      }
      const at = this.freeAt[slot]!;
      this.freeAt[slot] = Infinity;
      const now = this.clock();
      if (at > now) await this.wait(at - now);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        this.freeAt[slot] = this.clock() + this.windowMs;
        this.waiting.shift()?.();
      };
    }
  }
}
