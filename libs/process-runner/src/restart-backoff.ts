/** How a crashed process is brought back: exponential back-off, capped, reset by a long run. */
export interface RestartPolicy {
  /** Delay (ms) before the first restart after a stable run. */
  initialDelayMs: number;
  /** Upper bound (ms) of the delay, however many crashes in a row. */
  maxDelayMs: number;
  /** Each consecutive crash multiplies the delay by this (≥ 1). */
  factor: number;
  /** A process that ran at least this long (ms) before exiting counts as stable: back-off resets. */
  resetAfterMs: number;
}

export const DEFAULT_RESTART_POLICY: Readonly<RestartPolicy> = {
  initialDelayMs: 500,
  maxDelayMs: 15_000,
  factor: 2,
  resetAfterMs: 30_000,
};

/**
 * The back-off of one process: `initialDelayMs × factor^n` for its n-th crash in a row (from 0),
 * capped at `maxDelayMs`. A run of `resetAfterMs` or more before an exit starts the count again,
 * so an app that crashes once a day restarts quickly every time.
 */
export class RestartBackoff {
  private consecutiveCrashes = 0;

  constructor(private readonly policy: Readonly<RestartPolicy>) {}

  /** Delay (ms, whole) before restarting a process that exited after running `uptimeMs` (ms). */
  next(uptimeMs: number): number {
    if (uptimeMs >= this.policy.resetAfterMs) this.consecutiveCrashes = 0;
    const delay = this.policy.initialDelayMs * this.policy.factor ** this.consecutiveCrashes;
    this.consecutiveCrashes += 1;
    return Math.round(Math.min(this.policy.maxDelayMs, delay));
  }
}
