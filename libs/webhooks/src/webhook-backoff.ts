/** Exponential back-off between attempts of one delivery. */
export interface BackoffPolicy {
  /** The delay after the first failed attempt, ms; doubled after each further one. */
  readonly baseMs: number;
  /** The longest delay, ms (before jitter). */
  readonly maxMs: number;
}

/**
 * The delay (ms) before the attempt after `attempts` failed ones: `baseMs · 2^(attempts−1)`,
 * capped at `maxMs`, then jittered to between half and all of it ("equal jitter"), so the
 * deliveries that failed together (an endpoint down) do not all come back at once.
 * `random` is in [0, 1).
 */
export function backoffDelayMs(
  policy: BackoffPolicy,
  attempts: number,
  random: () => number = Math.random,
): number {
  const exponent = Math.min(Math.max(attempts - 1, 0), 40);
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** exponent);
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/**
 * A `Retry-After` header as a delay in ms from `now` (ms since the epoch): delta-seconds or an
 * HTTP date; `undefined` when absent or unreadable, 0 for a date already past.
 */
export function retryAfterMs(header: string | null | undefined, now: number): number | undefined {
  if (header === null || header === undefined) return undefined;
  const value = header.trim();
  if (/^\d{1,10}$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Whether an HTTP status is worth another attempt: 408, 429 and 5xx. Other 4xx are final. */
export function isRetriableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}
