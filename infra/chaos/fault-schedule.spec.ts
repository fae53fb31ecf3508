import { CHAOS_APPS, faultSchedule } from './fault-schedule';

describe('faultSchedule', () => {
  const counts = { kills: 50, brokerRestarts: 3, postgresRestarts: 3, registryRestarts: 2 };

  it('plans every fault asked, in time order, inside the window, deterministically', () => {
    const plan = faultSchedule(counts, 600_000, 1);
    const count = (kind: string) => plan.filter((f) => f.kind === kind).length;
    expect([
      count('stage-kill'),
      count('broker-kill'),
      count('postgres-restart'),
      count('registry-restart'),
    ]).toEqual([50, 3, 3, 2]);
    expect(plan.map((f) => f.atMs)).toEqual([...plan.map((f) => f.atMs)].sort((a, b) => a - b));
    expect(plan.every((f) => f.atMs > 0 && f.atMs < 600_000)).toBe(true);
    expect(faultSchedule(counts, 600_000, 1)).toEqual(plan);
    expect(faultSchedule(counts, 600_000, 2)).not.toEqual(plan);
  });

  it('aims kills at every process and spreads heavy faults, kinds interleaved, each down 2–8 s', () => {
    const plan = faultSchedule(counts, 600_000, 5);
    expect(new Set(plan.filter((f) => f.target).map((f) => f.target))).toEqual(new Set(CHAOS_APPS));
    const heavy = plan.filter((f) => f.kind !== 'stage-kill');
    expect(heavy.map((f) => f.kind)).toEqual([
      'broker-kill',
      'postgres-restart',
      'registry-restart',
      'broker-kill',
      'postgres-restart',
      'registry-restart',
      'broker-kill',
      'postgres-restart',
    ]);
    for (let i = 1; i < heavy.length; i += 1)
      expect((heavy[i]?.atMs ?? 0) - (heavy[i - 1]?.atMs ?? 0)).toBeGreaterThan(40_000);
    expect(heavy.every((f) => (f.downMs ?? 0) >= 2_000 && (f.downMs ?? 0) <= 8_000)).toBe(true);
  });

  it('refuses negative or fractional counts and an empty window', () => {
    expect(() => faultSchedule({ ...counts, kills: -1 }, 1_000, 1)).toThrow(RangeError);
    expect(() => faultSchedule({ ...counts, kills: 1.5 }, 1_000, 1)).toThrow(RangeError);
    expect(() => faultSchedule(counts, 0, 1)).toThrow(RangeError);
  });
});
