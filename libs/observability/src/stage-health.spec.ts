import { KafkaJSConnectionError } from 'kafkajs';
import { StageHealth, type StageProgress } from './stage-health';
import { NoAnswerError } from './within';

/** A stage health whose probes, progress and clock the test sets. */
function harness(stallAfterMs = 10_000) {
  let now = 1_000_000;
  const lines: string[] = [];
  const state = {
    postgres: undefined as Error | undefined,
    progress: { lag: 0, member: true } as StageProgress | Error,
  };
  const health = new StageHealth({
    stage: 'aggregator',
    groupId: 'cortege-aggregator',
    probes: {
      postgres: () => (state.postgres ? Promise.reject(state.postgres) : Promise.resolve()),
    },
    progress: () =>
      state.progress instanceof Error
        ? Promise.reject(state.progress)
        : Promise.resolve(state.progress),
    stallAfterMs,
    intervalMs: 60_000,
    log: (level, message) => lines.push(`${level} ${message}`),
    now: () => now,
  });
  return { health, state, lines, advance: (ms: number) => (now += ms) };
}

describe('StageHealth', () => {
  it('is unavailable while starting, with the reason, then ok once running', async () => {
    const { health, lines } = harness();
    health.starting('waiting for a dependency: ECONNREFUSED');
    let report = await health.check();
    expect(report.status).toBe('unavailable');
    expect(report.reasons).toEqual(['starting: waiting for a dependency: ECONNREFUSED']);
    health.running();
    report = await health.check();
    expect(report).toMatchObject({ status: 'ok', reasons: [], lag: 0, member: true });
    expect(report.dependencies).toEqual({ postgres: 'up' });
    expect(lines).toEqual(['log aggregator: healthy after 0.0 s unavailable']);
  });

  it('names a dependency that does not answer, and logs the change once', async () => {
    const { health, state, lines } = harness();
    health.running();
    await health.check();
    state.postgres = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:15433'), {
      code: 'ECONNREFUSED',
    });
    for (let i = 0; i < 3; i++) await health.check();
    const report = await health.check();
    expect(report.status).toBe('unavailable');
    expect(report.dependencies.postgres).toBe('down');
    expect(report.reasons).toEqual([
      'postgres unreachable: Error ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:15433',
    ]);
    expect(lines.filter((l) => l.includes('unavailable'))).toHaveLength(1);
    state.postgres = undefined;
    expect((await health.check()).status).toBe('ok');
    expect(lines.at(-1)).toMatch(/^log aggregator: healthy after/);
  });

  it('reports Kafka down when lag and membership cannot be read', async () => {
    const { health, state } = harness();
    health.running();
    state.progress = new Error('Kafka: no answer within 2500 ms');
    const report = await health.check();
    expect(report.dependencies.kafka).toBe('down');
    expect(report.lag).toBeNull();
    expect(report.reasons).toEqual(['kafka unreachable: Error: Kafka: no answer within 2500 ms']);
  });

  it('is unavailable when not a member of its group', async () => {
    const { health, state } = harness();
    health.running();
    state.progress = { lag: 0, member: false };
    expect((await health.check()).reasons).toEqual([
      'not a member of consumer group cortege-aggregator',
    ]);
  });

  it('a dependency that does not answer in time is slow, and down only on the third check in a row', async () => {
    const { health, state, lines } = harness();
    health.running();
    state.progress = { lag: 7, member: true };
    await health.check();
    const late = () => new NoAnswerError('postgres: no answer within 2500 ms');
    state.postgres = late();
    let report = await health.check();
    expect(report).toMatchObject({ status: 'ok', dependencies: { postgres: 'slow' } });
    state.postgres = undefined;
    expect((await health.check()).dependencies.postgres).toBe('up');
    state.postgres = late();
    await health.check();
    report = await health.check();
    expect(report).toMatchObject({ status: 'ok', dependencies: { postgres: 'slow' } });
    report = await health.check();
    expect(report.status).toBe('unavailable');
    expect(report.dependencies.postgres).toBe('down');
    expect(report.reasons).toEqual([
      'postgres unreachable: NoAnswerError: postgres: no answer within 2500 ms',
    ]);
    expect(lines.filter((l) => l.includes('unavailable'))).toHaveLength(1);
  });

  it('keeps the last lag while Kafka is only slow to give it', async () => {
    const { health, state } = harness();
    health.running();
    state.progress = { lag: 12, member: true };
    await health.check();
    state.progress = new NoAnswerError('lag and membership: no answer within 2500 ms');
    let report = await health.check();
    expect(report).toMatchObject({ status: 'ok', lag: 12, member: true });
    expect(report.dependencies.kafka).toBe('slow');
    await health.check();
    report = await health.check();
    expect(report.status).toBe('unavailable');
    expect(report.dependencies.kafka).toBe('down');
    expect(report.lag).toBeNull();
  });

  it('a fetch aborted on its time limit counts as no answer, a refusal as down at once', async () => {
    const { health, state } = harness();
    health.running();
    state.postgres = Object.assign(new Error('The operation was aborted due to timeout'), {
      name: 'TimeoutError',
    });
    expect((await health.check()).dependencies.postgres).toBe('slow');
    state.postgres = new Error('password authentication failed for user "cortege"');
    expect((await health.check()).dependencies.postgres).toBe('down');
  });

  it("takes kafkajs's connection timeout for no answer, and its refused connection for down", async () => {
    const { health, state } = harness();
    health.running();
    state.postgres = new KafkaJSConnectionError('Connection timeout', { broker: '127.0.0.1:1' });
    expect((await health.check()).dependencies.postgres).toBe('slow');
    state.postgres = new KafkaJSConnectionError('Connection error: connect ECONNREFUSED', {
      broker: '127.0.0.1:1',
    });
    expect((await health.check()).dependencies.postgres).toBe('down');
  });

  it('is stalled when the lag stays positive with no batch for the stall time, not before', async () => {
    const { health, state, advance } = harness(10_000);
    health.running();
    state.progress = { lag: 40, member: true };
    expect((await health.check()).status).toBe('ok');
    advance(9_000);
    expect((await health.check()).status).toBe('ok');
    advance(2_000);
    const stalled = await health.check();
    expect(stalled.reasons).toEqual(['no batch committed for 11 s while the lag is 40']);
    health.batchCompleted();
    expect((await health.check()).status).toBe('ok');
    advance(3_000);
    expect((await health.check()).lastBatchAgeMs).toBe(3_000);
  });

  it('an idle stage (lag 0) is never stalled however old its last batch', async () => {
    const { health, advance } = harness(10_000);
    health.running();
    health.batchCompleted();
    advance(3_600_000);
    expect((await health.check()).status).toBe('ok');
  });

  it('a batch being retried is a reason until it goes through; one line each way', async () => {
    const { health, lines } = harness();
    health.running();
    await health.check();
    health.retrying(new Error('fetch failed'));
    health.retrying(new Error('fetch failed'));
    expect((await health.current(0)).reasons).toEqual([
      'retrying a batch after: Error: fetch failed',
    ]);
    health.batchCompleted();
    expect((await health.check()).status).toBe('ok');
    expect(lines.filter((l) => l.includes('retrying with back-off'))).toHaveLength(1);
    expect(lines.filter((l) => l.includes('retried batch went through'))).toHaveLength(1);
  });

  it('is unavailable while stopping', async () => {
    const { health } = harness();
    health.running();
    await health.check();
    health.stopping();
    expect((await health.current(60_000)).reasons).toEqual(['stopping']);
  });
});
