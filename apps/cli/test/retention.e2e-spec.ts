import { Pool } from 'pg';
import { PresenceAggregator } from '@app/aggregation';
import { loadConfig } from '@app/config';
import { migrate } from '@app/database';
import { ensureTopics, latestPerKey, topicConfigValues } from '@app/kafka';
import { tensionModelOf } from '@app/tension';
import {
  createTestDatabase,
  pipelineEnv,
  pipelineTopics,
  runCortege,
  syntheticCityDay,
  testKafka,
  testProducer,
  uniqueName,
  type TestDatabase,
} from '@app/testing';

const config = loadConfig();
const DAY = 86_400_000;

describe('cortege retention status and apply (real broker and PostGIS)', () => {
  const kafka = testKafka(config);
  const name = uniqueName('retention');
  const topics = pipelineTopics(name);
  let database: TestDatabase;
  let pool: Pool;
  let env: Record<string, string>;
  /** Each event's id and end, from the tables. */
  let ends: { event_id: string; end_at: Date }[];

  beforeAll(async () => {
    database = await createTestDatabase(config);
    await migrate(database.url);
    pool = new Pool({ connectionString: database.url, max: 2 });
    env = { ...pipelineEnv(name, topics), INGEST_TOPIC: topics.input, DATABASE_URL: database.url };
    // The topics as the stages used to create them: the dead letters kept for ever.
    await ensureTopics(kafka, [
      { topic: topics.input, numPartitions: 2 },
      { topic: topics.events, numPartitions: 2, configs: { 'cleanup.policy': 'compact' } },
      { topic: topics.presence, numPartitions: 2 },
      { topic: topics.dlq, numPartitions: 1, configs: { 'retention.ms': '-1' } },
    ]);
    // Sixty days of events in the tables, as the aggregator writes them.
    const records = syntheticCityDay(60, 31, Date.UTC(2025, 0, 1), 7, 60);
    await new PresenceAggregator(
      pool,
      tensionModelOf(config.tension),
      `${name}-aggregator`,
    ).applyBatch(
      records.map((record, i) => ({
        topic: topics.presence,
        partition: 0,
        offset: String(i),
        record,
      })),
    );
    ends = (
      await pool.query<{ event_id: string; end_at: Date }>(
        'SELECT event_id, end_at FROM event ORDER BY end_at, event_id',
      )
    ).rows;
    // The events topic: each event's record, written a day before it starts, and two keys no
    // table holds (dead-lettered by the locator, say): one old, one recent.
    const producer = testProducer(kafka);
    await producer.connect();
    await producer.send({
      topic: topics.events,
      messages: [
        ...ends.map((e) => ({
          key: e.event_id,
          value: 'event',
          timestamp: String(e.end_at.getTime() - 2 * DAY),
        })),
        { key: 'orphan-old', value: 'event', timestamp: String(Date.UTC(2025, 0, 2)) },
        { key: 'orphan-recent', value: 'event', timestamp: String(Date.UTC(2026, 2, 20)) },
      ],
    });
    await producer.disconnect();
  });
  afterAll(async () => {
    const admin = kafka.admin();
    await admin.connect();
    await admin
      .deleteTopics({ topics: [topics.input, topics.events, topics.presence, topics.dlq] })
      .catch(() => undefined);
    await admin.disconnect();
    await pool?.end();
    await database?.drop();
  });

  const cortege = async (...args: string[]) => {
    const run = await runCortege(env, args);
    if (run.code !== 0) throw new Error(`cortege ${args.join(' ')}: ${run.code}\n${run.stderr}`);
    return run.stdout;
  };

  it('lists each topic and table with its retention and oldest record, then applies it: tombstones, topics altered, tables cut; a second apply changes nothing', async () => {
    const edge = ends[30]!.end_at.getTime();
    const now = new Date(edge + 400 * DAY).toISOString();
    const expired = ends.filter((e) => e.end_at.getTime() < edge).map((e) => e.event_id);
    expect(expired).toHaveLength(30);

    const status = JSON.parse(await cortege('retention', 'status', '--now', now, '--json')) as {
      topics: Array<{
        topic: string;
        role: string;
        configured: Record<string, string>;
        broker: Record<string, string>;
        offsets: number;
        oldest: string | null;
      }>;
      tables: Array<{ table: string; rows: number; expired: number; oldest: string | null }>;
    };
    const dlq = status.topics.find((t) => t.topic === topics.dlq);
    expect(dlq).toMatchObject({
      role: 'dead-letters',
      configured: { 'retention.ms': String(7 * DAY) },
      broker: { 'retention.ms': '-1' },
    });
    expect(status.topics.find((t) => t.topic === topics.events)).toMatchObject({
      role: 'events',
      offsets: ends.length + 2,
      oldest: new Date(
        Math.min(ends[0]!.end_at.getTime() - 2 * DAY, Date.UTC(2025, 0, 2)),
      ).toISOString(),
    });
    expect(status.topics.map((t) => t.topic).sort()).toEqual(Object.values(topics).sort());
    expect(status.tables.find((t) => t.table === 'event')).toEqual(
      expect.objectContaining({
        rows: ends.length,
        expired: 30,
        oldest: ends[0]!.end_at.toISOString(),
      }),
    );
    expect(status.tables.map((t) => t.table)).toEqual(
      expect.arrayContaining([
        'event_presence',
        'cell_tension',
        'tension_zone',
        'geocode_cache',
        'access_audit',
      ]),
    );
    const people = await cortege('retention', 'status', '--now', now);
    expect(people).toMatch(
      new RegExp(`${topics.dlq.replace(/\./g, '\\.')}\\s+dead-letters\\s+7 d\\s+for ever`),
    );

    const applied = JSON.parse(await cortege('retention', 'apply', '--now', now, '--json')) as {
      events: number;
      tombstones: number;
      topicsAltered: Array<{ topic: string; name: string }>;
    };
    expect(applied.events).toBe(30);
    expect(applied.tombstones).toBe(31);
    expect(applied.topicsAltered).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ topic: topics.dlq, name: 'retention.ms' }),
        expect.objectContaining({ topic: topics.input, name: 'retention.ms' }),
        expect.objectContaining({ topic: topics.events, name: 'delete.retention.ms' }),
      ]),
    );
    const admin = kafka.admin();
    await admin.connect();
    const broker = await topicConfigValues(admin, [topics.dlq], ['retention.ms']).finally(() =>
      admin.disconnect(),
    );
    expect(broker.get(topics.dlq)).toEqual({ 'retention.ms': String(7 * DAY) });

    const latest = await latestPerKey(kafka, topics.events);
    const tombstoned = [...latest]
      .filter(([, r]) => r.tombstone)
      .map(([key]) => key)
      .sort();
    expect(tombstoned).toEqual([...expired, 'orphan-old'].sort());
    const { rows } = await pool.query<{ event_id: string }>(
      'SELECT event_id FROM event ORDER BY end_at, event_id',
    );
    expect(rows.map((r) => r.event_id)).toEqual(ends.slice(30).map((e) => e.event_id));

    const again = JSON.parse(
      await cortege('retention', 'apply', '--now', now, '--json'),
    ) as typeof applied;
    expect(again).toMatchObject({ events: 0, tombstones: 0, topicsAltered: [] });
    const { rows: audit } = await pool.query<{ route: string }>(
      `SELECT route FROM access_audit WHERE method = 'CLI' ORDER BY id`,
    );
    expect(audit.map((r) => r.route)).toEqual([
      'cortege retention apply',
      'cortege retention apply',
    ]);
  });

  it('refuses a --now without an offset', async () => {
    const run = await runCortege(env, ['retention', 'apply', '--now', '2026-01-01T00:00:00']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--now');
  });
});
