import { Pool } from 'pg';
import { loadConfig } from '@app/config';
import { eventOf, PAYLOAD_BRANCH, type Submission } from '@app/contracts';
import { migrate } from '@app/database';
import { DLQ_HEADERS } from '@app/kafka';
import {
  createTestDatabase,
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
  type TestDatabase,
} from '@app/testing';

const config = loadConfig();
const HOUR = 3_600_000;

/** A march whose end comes before its start: refused by every policy. */
function backwards(): Submission {
  const { moving } = sampleSubmissions();
  const kinded = eventOf(moving);
  if (kinded === null) throw new Error('a sample without payload');
  const event = { ...kinded.event, endAt: kinded.event.startAt - HOUR };
  return {
    ...moving,
    payload: { [PAYLOAD_BRANCH[kinded.kind]]: event } as unknown as Submission['payload'],
  };
}

describe('cortege dlq list, show and redrive (the stack, the sanitizer as a process)', () => {
  const kafka = testKafka(config);
  const name = uniqueName('dlq');
  const topics = pipelineTopics(name);
  const apps: AppProcess[] = [];
  let database: TestDatabase;
  let env: Record<string, string>;

  beforeAll(async () => {
    database = await createTestDatabase(config);
    await migrate(database.url);
    await createTopics(kafka, [topics.input, topics.events, topics.dlq]);
    env = {
      ...pipelineEnv(name, topics),
      DATABASE_URL: database.url,
      DLQ_REDRIVE_GROUP_ID: `${name}-redrive`,
      DLQ_MAX_REDRIVES: '1',
    };
  });
  afterAll(async () => {
    await Promise.all(apps.map((app) => app.stop('SIGKILL')));
    await database?.drop();
  });

  /** The sanitizer on the private topics, with `extra` variables, once healthy. */
  const sanitizer = async (extra: Record<string, string> = {}) => {
    const { app, port } = await stageProcess('sanitizer', name, topics, undefined, extra);
    apps.push(app);
    app.start();
    await app.healthy(port);
    return app;
  };
  const cortege = async (...args: string[]) => {
    const run = await runCortege(env, ['dlq', ...args]);
    if (run.code !== 0)
      throw new Error(`cortege dlq ${args.join(' ')}: ${run.code}\n${run.stderr}`);
    return run;
  };
  const json = async (...args: string[]) =>
    JSON.parse((await cortege(...args, '--json')).stdout) as Record<string, unknown>;
  const eventIds = async (count: number) =>
    (await readTopic(kafka, topics.events, count, { timeoutMs: 60_000 })).map((m) =>
      String(m.message.key),
    );

  it('redrives what a rule refused once the rule is relaxed, resumes an interrupted redrive without sending twice, and refuses a record sent back too often', async () => {
    const publisher = await SubmissionPublisher.create(kafka, config.registry.url, topics.input);
    // Three marches of 4,000 people, refused while the policy allows at most 1,000; a rally of 300.
    const marches = [1, 2, 3].map(() => sampleSubmissions().moving);
    const rally = sampleSubmissions().static;
    await publisher.publish([...marches, rally]);
    const strict = await sanitizer({ SANITIZER_MAX_PEOPLE: '1000' });
    await waitFor(
      'three dead letters',
      async () =>
        (await readTopic(kafka, topics.dlq, 3, { timeoutMs: 5_000 })).length === 3 || undefined,
      { timeoutMs: 60_000 },
    );

    const listed = await json('list');
    expect(listed).toMatchObject({
      total: 3,
      groups: [{ stage: 'sanitizer', reason: 'count_too_large', total: 3, ages: { '< 1 h': 3 } }],
    });
    const table = (await cortege('list')).stdout;
    expect(table).toMatch(/^stage\s+reason\s+< 1 h\s+< 1 d\s+< 7 d\s+older\s+total$/m);
    expect(table).toMatch(/^sanitizer\s+count_too_large\s+3\s+0\s+0\s+0\s+3$/m);

    const [letter] = await readTopic(kafka, topics.dlq, 1, { timeoutMs: 5_000 });
    const shown = await json('show', `${letter!.partition}:${letter!.message.offset}`);
    expect(shown).toMatchObject({
      key: String(letter!.message.key),
      undecodable: null,
      content: { eventId: String(letter!.message.key), revision: 1, action: 'UPSERT' },
      headers: { [DLQ_HEADERS.reason]: 'count_too_large', [DLQ_HEADERS.stage]: 'sanitizer' },
    });
    expect(marches.map((m) => m.eventId)).toContain(shown.key);

    // A dry run sends nothing.
    const filter = ['--stage', 'sanitizer', '--reason', 'count_too_large'];
    expect(await json('redrive', ...filter)).toMatchObject({ execute: false, matched: 3, sent: 3 });
    expect(await readTopic(kafka, topics.input, 5, { timeoutMs: 3_000 })).toHaveLength(4);

    // The rule relaxed (the default policy), the redrive, interrupted after two, then resumed.
    expect(await strict.stop('SIGTERM')).toBe(0);
    await sanitizer();
    expect(await json('redrive', ...filter, '--max', '2', '--execute')).toMatchObject({
      execute: true,
      sent: 2,
      bySource: { [topics.input]: 2 },
    });
    expect(await json('redrive', ...filter, '--execute')).toMatchObject({ sent: 1, examined: 1 });
    expect(await json('redrive', ...filter, '--execute')).toMatchObject({ sent: 0, examined: 0 });

    const arrived = await eventIds(4);
    expect(arrived.sort()).toEqual([...marches, rally].map((s) => s.eventId).sort());
    const input = await readTopic(kafka, topics.input, 8, { timeoutMs: 5_000 });
    expect(input).toHaveLength(7);
    const resent = input.filter((m) => m.message.headers?.['cortege-dlq-redrives'] !== undefined);
    expect(resent.map((m) => String(m.message.key)).sort()).toEqual(
      marches.map((m) => m.eventId).sort(),
    );
    expect(resent.map((m) => String(m.message.headers?.['cortege-dlq-redrives']))).toEqual([
      '1',
      '1',
      '1',
    ]);

    // A record no policy accepts comes back to the dead letters; sent back once (the limit
    // here), it is refused the second time instead of going round for ever.
    await publisher.publish([backwards()]);
    const loop = ['--reason', 'end_before_start'];
    await waitFor(
      'the backwards march dead-lettered',
      async () => ((await json('list', ...loop)).total === 1 ? true : undefined),
      { timeoutMs: 60_000 },
    );
    expect(await json('redrive', ...loop, '--execute')).toMatchObject({ sent: 1 });
    await waitFor(
      'the backwards march dead-lettered again',
      async () => ((await json('list', ...loop)).total === 2 ? true : undefined),
      { timeoutMs: 60_000 },
    );
    const refused = await cortege('redrive', ...loop, '--execute');
    expect(refused.stdout).toMatch(/sent back 0/);
    expect(refused.stdout).toMatch(/refused 1: already sent back as often as DLQ_MAX_REDRIVES/);

    // Every redrive that sent is in the access audit, with the operator.
    const pool = new Pool({ connectionString: database.url, max: 1 });
    try {
      const { rows } = await pool.query<{ principal: string; route: string; rows: number }>(
        `SELECT principal, route, rows FROM access_audit WHERE method = 'CLI' ORDER BY id`,
      );
      expect(rows.map((r) => [r.route, r.rows])).toEqual([
        ['cortege dlq redrive', 2],
        ['cortege dlq redrive', 1],
        ['cortege dlq redrive', 0],
        ['cortege dlq redrive', 1],
        ['cortege dlq redrive', 0],
      ]);
      expect(rows.every((r) => r.principal.startsWith('cli:'))).toBe(true);
    } finally {
      await pool.end();
    }
  });

  it('refuses an unknown stage, a bad date and an unknown action, naming what is wrong', async () => {
    const stage = await runCortege(env, ['dlq', 'list', '--stage', 'geocoder']);
    expect(stage).toMatchObject({
      code: 2,
      stderr:
        'cortege dlq: --stage: "geocoder" is not a stage; expected one of sanitizer, locator, aggregator\n',
    });
    const since = await runCortege(env, ['dlq', 'redrive', '--since', 'yesterday']);
    expect(since.code).toBe(2);
    expect(since.stderr).toMatch(/^cortege dlq: --since: "yesterday" is not an RFC 3339 date-time/);
    const misplaced = await runCortege(env, ['dlq', 'list', '--execute']);
    expect(misplaced.code).toBe(2);
    expect(misplaced.stderr).toMatch(/^cortege dlq: list takes no --execute/);
    const action = await runCortege(env, ['dlq', 'purge']);
    expect(action.code).toBe(2);
    expect(action.stderr).toMatch(/^cortege dlq: unknown action 'purge'/);
  });
});
