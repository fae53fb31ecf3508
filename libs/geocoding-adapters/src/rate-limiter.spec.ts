import { RateLimiter } from './rate-limiter';

/** A fake clock: `wait` moves time forward instead of sleeping, and records each wait. */
function fakeTime() {
  let now = 1_000_000;
  const waits: number[] = [];
  return {
    clock: () => now,
    wait: (ms: number) => {
      waits.push(ms);
      now += ms;
      return Promise.resolve();
    },
    advance: (ms: number) => {
      now += ms;
    },
    waits,
    now: () => now,
  };
}

describe('RateLimiter', () => {
  it('lets `limit` requests start at once, the next one a window after the first ends', async () => {
    const t = fakeTime();
    const limiter = new RateLimiter(50, 1000, t.clock, t.wait);
    const start = t.now();
    const releases = [];
    for (let i = 0; i < 50; i++) releases.push(await limiter.acquire());
    expect(t.now()).toBe(start);

    const next = limiter.acquire();
    t.advance(30); // the first request takes 30 ms
    releases[0]!();
    await next;
    expect(t.now() - start).toBe(1030);
    expect(t.waits).toEqual([1000]);
  });

  it('never lets more than `limit` requests arrive in any window, however long they take', async () => {
    const t = fakeTime();
    const limiter = new RateLimiter(3, 1000, t.clock, t.wait);
    const starts: number[] = [];
    let pending = Promise.resolve();
    for (let i = 0; i < 20; i++) {
      const release = await limiter.acquire();
      starts.push(t.now());
      // Requests of uneven length, ended in order.
      const duration = [5, 300, 40, 900][i % 4]!;
      pending = pending.then(() => {
        t.advance(duration);
        release();
      });
      if (i % 3 === 2) await pending;
    }
    for (const s of starts) {
      expect(starts.filter((x) => x >= s && x < s + 1000).length).toBeLessThanOrEqual(3);
    }
  });

  it('queues requests beyond the limit until a slot is released', async () => {
    const t = fakeTime();
    const limiter = new RateLimiter(1, 1000, t.clock, t.wait);
    const first = await limiter.acquire();
    let secondStarted = false;
    const second = limiter.acquire().then((release) => {
      secondStarted = true;
      return release;
    });
    await Promise.resolve();
    expect(secondStarted).toBe(false);
    first();
    first(); // a second release is ignored
    (await second)();
    expect(t.waits).toEqual([1000]);
  });

  it('does not wait once the window has passed', async () => {
    const t = fakeTime();
    const limiter = new RateLimiter(2, 1000, t.clock, t.wait);
    (await limiter.acquire())();
    (await limiter.acquire())();
    t.advance(1000);
    await limiter.acquire();
    expect(t.waits).toEqual([]);
  });

  it('reads a rate per second: whole rates as a window of one second, fractions as spacing', () => {
    expect(RateLimiter.perSecond(50)).toMatchObject({ limit: 50, windowMs: 1000 });
    expect(RateLimiter.perSecond(1)).toMatchObject({ limit: 1, windowMs: 1000 });
    expect(RateLimiter.perSecond(0.5)).toMatchObject({ limit: 1, windowMs: 2000 });
    expect(RateLimiter.perSecond(2.5)).toMatchObject({ limit: 1, windowMs: 400 });
  });

  it('refuses a limit below one', () => {
    expect(() => new RateLimiter(0, 1000)).toThrow(RangeError);
  });
});
