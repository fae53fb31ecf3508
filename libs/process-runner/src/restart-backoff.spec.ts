import { DEFAULT_RESTART_POLICY, RestartBackoff } from './restart-backoff';

describe('RestartBackoff', () => {
  const policy = { initialDelayMs: 100, maxDelayMs: 1_000, factor: 2, resetAfterMs: 5_000 };

  it('multiplies the delay by the factor on each crash in a row, up to the cap', () => {
    const backoff = new RestartBackoff(policy);
    expect([10, 10, 10, 10, 10, 10].map((uptime) => backoff.next(uptime))).toEqual([
      100, 200, 400, 800, 1_000, 1_000,
    ]);
  });

  it('starts again from the initial delay after a run of resetAfterMs or more', () => {
    const backoff = new RestartBackoff(policy);
    expect([10, 10, 10, 4_999, 5_000, 10].map((uptime) => backoff.next(uptime))).toEqual([
      100, 200, 400, 800, 100, 200,
    ]);
  });

  it('rounds to whole milliseconds and stays capped however long the streak', () => {
    const backoff = new RestartBackoff({ ...policy, initialDelayMs: 10, factor: 1.5 });
    expect([0, 0, 0].map((uptime) => backoff.next(uptime))).toEqual([10, 15, 23]);
    for (let i = 0; i < 5_000; i += 1) backoff.next(0);
    expect(backoff.next(0)).toBe(1_000);
  });

  it('defaults to 500 ms, ×2, at most 15 s, reset after 30 s of running', () => {
    expect(DEFAULT_RESTART_POLICY).toEqual({
      initialDelayMs: 500,
      maxDelayMs: 15_000,
      factor: 2,
      resetAfterMs: 30_000,
    });
  });
});
