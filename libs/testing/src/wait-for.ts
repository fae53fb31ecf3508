import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Polls `probe` every `intervalMs` (ms) until it returns a value other than undefined, and
 * returns it. Fails after `timeoutMs` (ms) with `what` in the message, also when a probe is
 * still running then (a request that never answers fails the wait at its deadline, not the
 * test's). Tests wait with this, never with a fixed sleep.
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  { timeoutMs = 20_000, intervalMs = 100 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await beforeDeadline(probe, deadline, what, timeoutMs);
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/** The probe's answer, or a failure at the deadline if it has none by then. */
async function beforeDeadline<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  deadline: number,
  what: string,
  timeoutMs: number,
): Promise<T | undefined> {
  const timer = new AbortController();
  // A check started just before the deadline still gets a second to answer.
  const late = sleep(Math.max(deadline - Date.now(), 1_000), undefined, {
    signal: timer.signal,
  }).then(() => {
    throw new Error(
      `timed out after ${timeoutMs} ms waiting for ${what} (its last check had not answered)`,
    );
  });
  late.catch(() => undefined); // an abort once the probe answered is no failure
  try {
    return await Promise.race([Promise.resolve().then(probe), late]);
  } finally {
    timer.abort();
  }
}
