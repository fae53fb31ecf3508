import { loadConfig } from '@app/config';
import type { Submission } from '@app/contracts';
import {
  createGazetteerDatabase,
  createTopics,
  pipelineEnv,
  pipelineTopics,
  readTopic,
  runCortege,
  sampleSubmissions,
  stageProcess,
  SubmissionPublisher,
  testKafka,
  uniqueName,
  waitFor,
  type AppProcess,
  type StageName,
  type TestDatabase,
} from '@app/testing';

const config = loadConfig();
const STAGES: readonly StageName[] = ['sanitizer', 'locator', 'aggregator'];

/** The counters of a metric whose `outcome` label is one of `outcomes`, summed. */
function counted(metrics: string, name: string, outcomes: readonly string[]): number {
  let total = 0;
  for (const line of metrics.split('\n')) {
    const match = new RegExp(`^${name}\\{([^}]*)\\} (\\d+)`).exec(line);
    const outcome = /outcome="([^"]*)"/.exec(match?.[1] ?? '')?.[1];
    if (match && outcome !== undefined && outcomes.includes(outcome)) total += Number(match[2]);
  }
  return total;
}

/** What each stage counts when a record it reads again changes nothing. */
const NO_OP: Record<StageName, readonly [string, readonly string[]]> = {
  sanitizer: ['cortege_sanitizer_records_total', ['duplicate', 'stale']],
  locator: ['cortege_locator_events_total', ['skipped']],
  aggregator: ['cortege_aggregator_records_total', ['stale', 'replayed']],
};

describe('cortege replay and rebuild (a settled pipeline, its stages as processes)', () => {
  const kafka = testKafka(config);
  const name = uniqueName('replay');
  const topics = pipelineTopics(name);
  const running = new Map<StageName, { app: AppProcess; port: number }>();
  const started: AppProcess[] = [];
  let database: TestDatabase;
  let env: Record<string, string>;

  beforeAll(async () => {
    database = await createGazetteerDatabase(config);
    await createTopics(kafka, Object.values(topics));
    env = { ...pipelineEnv(name, topics), DATABASE_URL: database.url };
  });
  afterAll(async () => {
    await Promise.all(started.map((app) => app.stop('SIGKILL')));
    await database?.drop();
  });

  const startStages = async () => {
    for (const stage of STAGES) {
      const process = await stageProcess(stage, name, topics, database.url);
      running.set(stage, process);
      started.push(process.app);
      process.app.start();
    }
    for (const { app, port } of running.values()) await app.healthy(port);
  };
  const stopStages = async () => {
    for (const [stage, { app }] of running)
      expect([stage, await app.stop('SIGTERM')]).toEqual([stage, 0]);
    running.clear();
  };
  const cortege = async (...args: string[]) => {
    const run = await runCortege(env, args);
    if (run.code !== 0) throw new Error(`cortege ${args.join(' ')}: ${run.code}\n${run.stderr}`);
    return run.stdout;
  };
  /** Waits until each stage has counted `expected[stage]` records read again as no-ops. */
  const noOps = async (expected: Record<StageName, number>) =>
    waitFor(
      'every record read again, as a no-op',
      async () => {
        for (const stage of STAGES) {
          const { port } = running.get(stage)!;
          const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
          const [metric, outcomes] = NO_OP[stage];
          if (counted(metrics, metric, outcomes) < expected[stage]) return undefined;
        }
        return true;
      },
      { timeoutMs: 180_000, intervalMs: 500 },
    );

  it('replays every stage of a settled pipeline from the beginning, and the aggregates stay the same', async () => {
    const { moving, static: rally, operation, visit } = sampleSubmissions();
    const revised: Submission = {
      ...moving,
      revision: 2,
      submittedAt: moving.submittedAt + 60_000,
    };
    const cancelled: Submission = { ...visit, revision: 2, action: 'CANCEL', payload: null };
    const publisher = await SubmissionPublisher.create(kafka, config.registry.url, topics.input);
    await publisher.publish([moving, rally, operation, visit, revised, cancelled]);
    await startStages();
    await waitFor(
      'the pipeline settled',
      async () => {
        const health = await Promise.all(
          [...running.values()].map(
            async ({ port }) =>
              (await fetch(`http://127.0.0.1:${port}/health`)).json() as Promise<{
                lag: number | null;
              }>,
          ),
        );
        if (health.some((h) => h.lag !== 0)) return undefined;
        const sums = JSON.parse(await cortege('checksum')) as {
          tables: { event: { rows: number } };
        };
        return sums.tables.event.rows === 3 ? true : undefined;
      },
      { timeoutMs: 180_000, intervalMs: 1_000 },
    );
    const before = await cortege('checksum');

    // While a stage runs, its position is not moved: the refusal names the member.
    const busy = await runCortege(env, ['replay', 'locator', '--to-earliest', '--execute']);
    expect(busy.code).toBe(1);
    expect(busy.stderr).toMatch(
      new RegExp(
        `^cortege replay: the locator's group ${name}-locator has 1 active member\\(s\\): \\S+ \\(`,
      ),
    );

    await stopStages();
    const counts: Record<StageName, number> = {
      sanitizer: (await readTopic(kafka, topics.input, 100, { timeoutMs: 5_000 })).length,
      locator: (await readTopic(kafka, topics.events, 100, { timeoutMs: 5_000 })).length,
      aggregator: (await readTopic(kafka, topics.presence, 1_000, { timeoutMs: 5_000 })).length,
    };
    expect(counts.sanitizer).toBe(6);
    for (const stage of STAGES) {
      const dry = JSON.parse(await cortege('replay', stage, '--to-earliest', '--json')) as {
        execute: boolean;
        moves: Array<{ partition: number; current: string; next: string; again: number }>;
      };
      expect(dry.execute).toBe(false);
      expect(dry.moves.map((m) => m.partition)).toEqual([0, 1, 2]);
      expect(dry.moves.every((m) => m.next === '0')).toBe(true);
      // Read again: the records, plus the transaction markers between them.
      expect(dry.moves.reduce((n, m) => n + m.again, 0)).toBeGreaterThanOrEqual(counts[stage]);
      await cortege('replay', stage, '--to-earliest', '--execute');
      const moved = JSON.parse(
        await cortege('replay', stage, '--to-latest', '--json'),
      ) as typeof dry;
      expect(moved.moves.every((m) => m.current === '0')).toBe(true);
    }

    await startStages();
    await noOps(counts);
    expect(await cortege('checksum')).toBe(before);

    const audited = await runCortege(env, ['audit', 'export', '--since', '2000-01-01T00:00:00Z']);
    const replays = audited.stdout
      .split('\n')
      .filter((line) => line.includes('"cortege replay '))
      .map((line) => (JSON.parse(line) as { route: string }).route);
    expect(replays).toEqual(STAGES.map((stage) => `cortege replay ${stage}`));
    await stopStages();
  });

  it('rebuilds the aggregates beside the live aggregator: the same checksum, twice; another model, other zones; the aggregator goes on after the swap', async () => {
    await startStages();
    const live = await cortege('checksum');
    const rebuild = async (extra: Record<string, string> = {}) => {
      const run = await runCortege({ ...env, ...extra }, ['rebuild', '--json']);
      if (run.code !== 0) throw new Error(`cortege rebuild: ${run.code}\n${run.stderr}`);
      return JSON.parse(run.stdout) as {
        records: number;
        checksum: { digest: string; tables: Record<string, { rows: number }> };
        positions: Record<string, string>;
      };
    };
    const first = await rebuild();
    expect(first.records).toBeGreaterThan(0);
    expect(JSON.parse(live)).toEqual(first.checksum);
    expect((await rebuild()).checksum).toEqual(first.checksum);
    expect(await cortege('checksum')).toBe(live);

    // A lower zone threshold: more zones, from the same presence.
    const lower = await rebuild({ TENSION_ZONE_THRESHOLD: '0.5' });
    expect(lower.checksum.tables.tension_zone!.rows).toBeGreaterThan(
      first.checksum.tables.tension_zone!.rows,
    );
    expect(lower.checksum.tables.event).toEqual(first.checksum.tables.event);
    await rebuild();
    expect(await cortege('checksum')).toBe(live);

    // The live aggregator goes on from the rebuilt positions: a new event reaches the tables,
    // once, and a rebuild then agrees with it.
    const publisher = await SubmissionPublisher.create(kafka, config.registry.url, topics.input);
    await publisher.publish([sampleSubmissions().static]);
    await waitFor(
      'the new event in the tables',
      async () => {
        const sums = JSON.parse(await cortege('checksum')) as typeof first.checksum;
        return sums.tables.event!.rows === 4 ? sums : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 1_000 },
    );
    await waitFor(
      'the aggregator settled',
      async () => {
        const { port } = running.get('aggregator')!;
        const health = (await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as {
          lag: number | null;
        };
        return health.lag === 0 ? true : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 500 },
    );
    const after = await cortege('checksum');
    expect(after).not.toBe(live);
    expect((await rebuild()).checksum).toEqual(JSON.parse(after));
    await stopStages();
  });

  it('refuses an unknown stage, no target, two targets and a bad duration, naming what is wrong', async () => {
    const runs = await Promise.all([
      runCortege(env, ['replay', 'geocoder', '--to-earliest']),
      runCortege(env, ['replay', 'sanitizer']),
      runCortege(env, ['replay', 'sanitizer', '--to-earliest', '--to-latest']),
      runCortege(env, ['replay', 'sanitizer', '--by-duration', 'two hours']),
    ]);
    expect(runs.map((r) => r.code)).toEqual([2, 2, 2, 2]);
    expect(runs[0].stderr).toBe(
      'cortege replay: "geocoder" is not a stage; expected one of sanitizer, locator, aggregator\n',
    );
    expect(runs[1].stderr).toMatch(/^cortege replay: say where: --to-earliest, --to-latest/);
    expect(runs[2].stderr).toMatch(
      /^cortege replay: give one of --to-earliest, --to-latest, not several/,
    );
    expect(runs[3].stderr).toMatch(
      /^cortege replay: --by-duration: "two hours" is not an ISO 8601 duration/,
    );
  });
});
