import { Pool } from 'pg';
import { loadConfig } from '@app/config';
import { PRESENCE_SCHEMA, type Presence } from '@app/contracts';
import { migrate } from '@app/database';
import { AvroSerde, RegistryClient } from '@app/schema-registry';
import {
  createTestDatabase,
  createTopic,
  runCortege,
  syntheticCityDay,
  testKafka,
  testProducer,
  uniqueName,
  type TestDatabase,
} from '@app/testing';

const config = loadConfig();

const ROWS = `SELECT window_kind, to_char(window_start, 'YYYY-MM-DD') AS start, cell, z, q, spot, alpha
                FROM hotspot ORDER BY window_kind, window_start, cell`;

describe('cortege hotspots and cortege rebuild (real broker and PostGIS)', () => {
  const kafka = testKafka(config);
  const topic = uniqueName('hotcli.presence');
  let database: TestDatabase;
  let pool: Pool;
  let env: Record<string, string>;

  beforeAll(async () => {
    database = await createTestDatabase(config);
    await migrate(database.url);
    pool = new Pool({ connectionString: database.url, max: 2 });
    env = {
      DATABASE_URL: database.url,
      AGGREGATOR_INPUT_TOPIC: topic,
      AGGREGATOR_GROUP_ID: `${topic}-aggregator`,
    };
    const admin = kafka.admin();
    await admin.connect();
    try {
      await createTopic(admin, topic, 1);
    } finally {
      await admin.disconnect();
    }
    const serde = await AvroSerde.register<Presence>(
      new RegistryClient(config.registry.url),
      topic,
      PRESENCE_SCHEMA,
    );
    // Two days, Friday 1 and Saturday 2 May 2026 (one ISO week).
    const records = syntheticCityDay(80, 5, Date.UTC(2026, 4, 1), 7, 2);
    const producer = testProducer(kafka);
    await producer.connect();
    try {
      await producer.send({
        topic,
        messages: records.map((r) => ({ key: r.region, value: serde.encode(r) })),
      });
    } finally {
      await producer.disconnect();
    }
  });
  afterAll(async () => {
    await pool?.end();
    await database?.drop();
  });

  const cortege = async (extra: Record<string, string>, ...args: string[]) => {
    const run = await runCortege({ ...env, ...extra }, args);
    if (run.code !== 0) throw new Error(`cortege ${args.join(' ')}: ${run.code}\n${run.stderr}`);
    return run.stdout;
  };

  it('rebuild fills the hotspots; recompute of a range, at HOTSPOT_ALPHA, and list', async () => {
    const rebuilt = JSON.parse(await cortege({}, 'rebuild', '--json')) as {
      hotspots: { windows: number; hot: number };
    };
    // Two days and their week.
    expect(rebuilt.hotspots.windows).toBe(3);
    expect(rebuilt.hotspots.hot).toBeGreaterThan(0);
    const afterRebuild = (await pool.query(ROWS)).rows as { start: string; alpha: number }[];
    expect(afterRebuild.length).toBeGreaterThan(0);
    expect(new Set(afterRebuild.map((r) => r.alpha))).toEqual(new Set([0.05]));

    // Only the windows meeting 2 May, at another α: the day of 1 May keeps its rows.
    const recomputed = JSON.parse(
      await cortege(
        { HOTSPOT_ALPHA: '0.2' },
        'hotspots',
        'recompute',
        '--from',
        '2026-05-02',
        '--to',
        '2026-05-03',
        '--json',
      ),
    ) as { alpha: number; windows: { kind: string; start: string }[] };
    expect(recomputed.alpha).toBe(0.2);
    expect(recomputed.windows.map((w) => `${w.kind} ${w.start}`)).toEqual([
      'day 2026-05-02',
      'week 2026-04-27',
    ]);
    const { rows: alphas } = await pool.query<{ kind: string; start: string; alpha: number }>(
      `SELECT DISTINCT window_kind AS kind, to_char(window_start, 'YYYY-MM-DD') AS start, alpha
         FROM hotspot ORDER BY 1, 2`,
    );
    expect(alphas).toEqual([
      { kind: 'day', start: '2026-05-01', alpha: 0.05 },
      { kind: 'day', start: '2026-05-02', alpha: 0.2 },
      { kind: 'week', start: '2026-04-27', alpha: 0.2 },
    ]);

    // list: the hot and cold cells of the day windows holding 1 May, as JSON lines.
    const listed = (
      await cortege({}, 'hotspots', 'list', '--window', 'day', '--date', '2026-05-01', '--json')
    )
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { kind: string; start: string; spot: string });
    const { rows: expected } = await pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM hotspot
        WHERE window_kind = 'day' AND window_start = '2026-05-01' AND spot <> 'NONE'`,
    );
    expect(listed.length).toBe(expected[0]?.n);
    expect(listed.length).toBeGreaterThan(0);
    expect(
      listed.every((r) => r.kind === 'day' && r.start === '2026-05-01' && r.spot !== 'NONE'),
    ).toBe(true);

    // Bad usage: exit code 2, naming what is wrong.
    const bad = await runCortege(env, ['hotspots', 'recompute', '--window', 'month']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--window: expected day or week/);
    const half = await runCortege(env, ['hotspots', 'recompute', '--from', '2026-05-01']);
    expect(half.code).toBe(2);
    expect(half.stderr).toMatch(/--from and --to go together/);
  });
});
