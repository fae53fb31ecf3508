import { CHAOS_APPS } from './fault-schedule';
import { waitUntilSettled, type PipelineProbe, type StageState } from './pipeline-probe';

type Look = 'ok' | 'slow' | 'down' | 'lag';

/** One sample: every process as `look` says (the ingest API first). */
const sample = (looks: Partial<Record<(typeof CHAOS_APPS)[number], Look>>): StageState[] =>
  CHAOS_APPS.map((app) => {
    const look = looks[app] ?? 'ok';
    if (look === 'slow') return { app, healthy: false, health: 'timed out', slow: true };
    if (look === 'down') return { app, healthy: false, health: '503 stalled' };
    return { app, healthy: true, health: '200', lag: look === 'lag' ? 7 : 0 };
  });

/** A probe that gives these samples in turn, then the last one for ever. */
const scripted = (samples: StageState[][]) => {
  let i = 0;
  return {
    sample: () => Promise.resolve(samples[Math.min(i++, samples.length - 1)] as StageState[]),
    taken: () => i,
  };
};

const settle = (probe: ReturnType<typeof scripted>, timeoutMs = 1_000) =>
  waitUntilSettled(probe as unknown as PipelineProbe, { timeoutMs, stableMs: 0, intervalMs: 0 });

describe('waitUntilSettled', () => {
  it('waits through late answers and settles on the first sample where all answered and caught up', async () => {
    const probe = scripted([
      sample({ aggregator: 'slow' }),
      sample({ locator: 'lag' }),
      sample({ sanitizer: 'slow' }),
      sample({}),
    ]);
    const result = await settle(probe);
    expect(result.settled).toBe(true);
    expect(probe.taken()).toBe(4);
  });

  it('never counts a sample with a late answer as settled, even when the others are fine', async () => {
    const probe = scripted([sample({ aggregator: 'slow' })]);
    const result = await settle(probe, 50);
    expect(result.settled).toBe(false);
    expect(result.behind).toEqual(['aggregator unhealthy (timed out)']);
  });

  it('lets an answer that is not 2xx break the stretch even while another process is late', async () => {
    const probe = scripted([sample({ aggregator: 'slow', locator: 'down' })]);
    expect((await settle(probe, 50)).settled).toBe(false);
  });
});
