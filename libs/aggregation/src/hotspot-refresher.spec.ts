import { HotspotRefresher } from './hotspot-refresher';
import {
  hotspotDaysOf,
  parisDay,
  windowsOfDays,
  type HotspotStore,
  type HotspotWindow,
} from './hotspot-store';

/** A store that records the windows it is asked to recompute, and fails when told to. */
function fakeStore() {
  const calls: string[] = [];
  let failures = 0;
  const store = {
    recompute(window: HotspotWindow, alpha: number) {
      calls.push(`${window.kind} ${window.start} @${alpha}`);
      if (failures > 0) {
        failures -= 1;
        return Promise.reject(new Error('PostgreSQL away'));
      }
      return Promise.resolve({ ...window, studyArea: 7, hot: 1, cold: 0 });
    },
  };
  return {
    store: store as unknown as HotspotStore,
    calls,
    failNext: (n: number) => (failures = n),
  };
}

describe('the hotspot windows of a batch', () => {
  it('are the local days (Europe/Paris) of its resolution-9 buckets only, and their ISO weeks', () => {
    // 22:00 UTC on 2 May is midnight in Paris (summer time): already 3 May.
    const late = Date.UTC(2026, 4, 2, 22, 0);
    const noon = Date.UTC(2026, 4, 2, 10, 0);
    expect(parisDay(late)).toBe('2026-05-03');
    expect(
      hotspotDaysOf([
        { resolution: 9, bucketStart: late },
        { resolution: 9, bucketStart: noon },
        { resolution: 9, bucketStart: noon },
        { resolution: 10, bucketStart: Date.UTC(2026, 4, 9, 10) },
      ]),
    ).toEqual(['2026-05-02', '2026-05-03']);
    // Saturday 2 and Sunday 3 May: one ISO week; Monday 4 starts the next.
    expect(windowsOfDays(['2026-05-03', '2026-05-02', '2026-05-04'])).toEqual([
      { kind: 'day', start: '2026-05-02' },
      { kind: 'day', start: '2026-05-03' },
      { kind: 'day', start: '2026-05-04' },
      { kind: 'week', start: '2026-04-27' },
      { kind: 'week', start: '2026-05-04' },
    ]);
  });
});

describe('HotspotRefresher', () => {
  const refreshers: HotspotRefresher[] = [];
  afterEach(async () => {
    await Promise.all(refreshers.map((r) => r.close()));
    refreshers.length = 0;
  });
  const make = (store: HotspotStore, delayMs: number, failed?: (e: unknown) => void) => {
    const refresher = new HotspotRefresher(store, { alpha: 0.05, delayMs, failed });
    refreshers.push(refresher);
    return refresher;
  };

  it('gathers the days of many batches and recomputes each window once, at its alpha', async () => {
    const { store, calls } = fakeStore();
    // A delay no test waits for: only flush runs the windows.
    const refresher = make(store, 3_600_000);
    refresher.touch(['2026-05-01']);
    refresher.touch(['2026-05-02', '2026-05-01']);
    refresher.touch([]);
    expect(calls).toEqual([]);
    expect(refresher.busy).toBe(true);
    expect(refresher.waiting).toBe(3);
    await refresher.flush();
    expect(calls).toEqual([
      'day 2026-05-01 @0.05',
      'day 2026-05-02 @0.05',
      'week 2026-04-27 @0.05',
    ]);
    expect(refresher.busy).toBe(false);
  });

  it('runs by itself after the delay, and again for days touched while it ran', async () => {
    const { store, calls } = fakeStore();
    const refresher = make(store, 0);
    refresher.touch(['2026-05-01']);
    // Touched again before the first pass ends: a second pass follows.
    await new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (calls.length > 0) {
          refresher.touch(['2026-05-08']);
          clearInterval(check);
          resolve();
        }
      }, 1);
    });
    await refresher.flush();
    expect(calls).toEqual([
      'day 2026-05-01 @0.05',
      'week 2026-04-27 @0.05',
      'day 2026-05-08 @0.05',
      'week 2026-05-04 @0.05',
    ]);
  });

  it('keeps the windows of a failed pass for the next one, and takes nothing once closed', async () => {
    const { store, calls, failNext } = fakeStore();
    const errors: unknown[] = [];
    const refresher = make(store, 3_600_000, (e) => errors.push(e));
    refresher.touch(['2026-05-01']);
    failNext(1);
    await refresher.flush();
    expect(errors).toHaveLength(1);
    expect(refresher.waiting).toBe(2);
    await refresher.close();
    expect(calls).toEqual([
      'day 2026-05-01 @0.05',
      'day 2026-05-01 @0.05',
      'week 2026-04-27 @0.05',
    ]);
    refresher.touch(['2026-05-02']);
    expect(refresher.busy).toBe(false);
  });
});
