import { aggregateChecksum } from '@app/aggregation';
import { loadConfig } from '@app/config';
import { PRESENCE_SCHEMA, type Presence } from '@app/contracts';
import { DLQ_HEADERS } from '@app/kafka';
import { AvroSerde, RegistryClient } from '@app/schema-registry';
import {
  AppProcess,
  createTestDatabase,
  createTopic,
  freePort,
  readTopic,
  syntheticCityDay,
  testKafka,
  testProducer,
  uniqueName,
  waitFor,
  type TestDatabase,
} from '@app/testing';
import { Pool } from 'pg';

const config = loadConfig();
const registry = new RegistryClient(config.registry.url);
const PARTITIONS = 3;

describe('aggregator (as a process, against the real stack)', () => {
  const kafka = testKafka(config);
  const databases: TestDatabase[] = [];
  const pools: Pool[] = [];
  const apps: AppProcess[] = [];
  let topic: string;
  let records: Presence[];

  beforeAll(async () => {
    topic = uniqueName('agg.presence');
    const admin = kafka.admin();
    await admin.connect();
    try {
      await createTopic(admin, topic, PARTITIONS);
    } finally {
      await admin.disconnect();
    }
    const serde = await AvroSerde.register<Presence>(registry, topic, PRESENCE_SCHEMA);
    records = syntheticCityDay(500, 7, Date.UTC(2026, 4, 1), 7, 3);
    const producer = testProducer(kafka);
    await producer.connect();
    // Keyed by region as the locator does; among them one corrupt record, and one whose
    // geometry looks like GeoJSON but PostGIS refuses (it must cost only itself).
    const [first] = records;
    const refused: Presence = {
      ...(first as Presence),
      eventId: '00000000-0000-4000-8000-0000000bad01',
      geometry: '{"type":"Point","coordinates":[1]}',
    };
    try {
      await producer.send({
        topic,
        messages: [
          ...records.map((r) => ({ key: r.region, value: serde.encode(r) })),
          { key: 'corrupt', value: Buffer.from('not avro') },
          { key: 'refused', value: serde.encode(refused) },
        ],
      });
    } finally {
      await producer.disconnect();
    }
  });

  afterAll(async () => {
    await Promise.all(apps.map((a) => a.stop('SIGKILL')));
    await Promise.all(pools.map((p) => p.end()));
    await Promise.all(databases.map((d) => d.drop()));
  });

  async function aggregatorOn(database: TestDatabase, group: string, port: number) {
    const app = new AppProcess('aggregator', {
      AGGREGATOR_PORT: String(port),
      AGGREGATOR_INPUT_TOPIC: topic,
      AGGREGATOR_DLQ_TOPIC: `${topic}.dlq`,
      AGGREGATOR_PARTITIONS: String(PARTITIONS),
      AGGREGATOR_GROUP_ID: group,
      AGGREGATOR_MAX_BATCH: '60',
      DATABASE_URL: database.url,
    });
    apps.push(app);
    app.start();
    await app.healthy(port, 90_000);
    return app;
  }

  async function freshDatabase() {
    const database = await createTestDatabase(config);
    databases.push(database);
    const pool = new Pool({ connectionString: database.url, max: 2 });
    pools.push(pool);
    return { database, pool };
  }

  /** Every record (and the corrupt one) consumed: the stored positions reach the topic's end. */
  async function settled(pool: Pool, group: string) {
    const total = records.length + 2;
    await waitFor(
      `aggregator ${group} to store positions through ${total} records`,
      async () => {
        const { rows } = await pool
          .query<{ n: string }>(
            `SELECT coalesce(sum(next_offset), 0)::text AS n FROM consumer_offset WHERE consumer_group = $1`,
            [group],
          )
          .catch(() => ({ rows: [{ n: '0' }] }));
        return Number(rows[0]?.n) === total ? true : undefined;
      },
      { timeoutMs: 150_000, intervalMs: 250 },
    );
  }

  it('gives the same checksum after a kill -9 in the middle of a transaction as without it', async () => {
    const port = await freePort();

    const chaosPort = await freePort();

    // Without a kill.
    const calm = await freshDatabase();
    const calmGroup = uniqueName('agg-calm');
    const first = await aggregatorOn(calm.database, calmGroup, port);
    await settled(calm.pool, calmGroup);
    expect(await first.stop()).toBe(0);
    const expected = await aggregateChecksum(calm.pool);
    expect(expected.tables.cell_tension?.rows).toBeGreaterThan(1_000);
    expect(expected.tables.tension_zone?.rows).toBeGreaterThan(0);
    const letters = await readTopic(kafka, `${topic}.dlq`, 2);
    expect(
      letters
        .map((letter) => ({
          key: String(letter.message.key),
          reason: String(letter.message.headers?.[DLQ_HEADERS.reason]),
          stage: String(letter.message.headers?.[DLQ_HEADERS.stage]),
        }))
        .sort((a, b) => a.key.localeCompare(b.key)),
    ).toEqual([
      { key: 'corrupt', reason: 'bad_magic_byte', stage: 'aggregator' },
      { key: 'refused', reason: 'aggregation_refused', stage: 'aggregator' },
    ]);
    const { rows: bad } = await calm.pool.query(
      `SELECT 1 FROM event_region WHERE event_id = '00000000-0000-4000-8000-0000000bad01'`,
    );
    expect(bad).toEqual([]);

    // With a kill -9 while a batch's transaction is open, then a restart.
    const chaos = await freshDatabase();
    const chaosGroup = uniqueName('agg-chaos');
    const victim = await aggregatorOn(chaos.database, chaosGroup, chaosPort);
    await waitFor(
      'a batch in flight after some committed',
      async () => {
        const { rows } = await chaos.pool.query<{ stored: string; open: number }>(
          `SELECT (SELECT coalesce(sum(next_offset), 0) FROM consumer_offset)::text AS stored,
                  (SELECT count(*)::int FROM pg_stat_activity
                    WHERE datname = current_database() AND pid <> pg_backend_pid()
                      AND xact_start IS NOT NULL) AS open`,
        );
        const row = rows[0];
        return row && Number(row.stored) > 0 && row.open > 0 ? true : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 5 },
    );
    expect(await victim.stop('SIGKILL')).toBeNull();
    const stored = await chaos.pool.query<{ n: string }>(
      `SELECT sum(next_offset)::text AS n FROM consumer_offset`,
    );
    expect(Number(stored.rows[0]?.n)).toBeLessThan(records.length + 2);

    const survivor = await aggregatorOn(chaos.database, chaosGroup, chaosPort);
    await settled(chaos.pool, chaosGroup);
    expect(await survivor.stop()).toBe(0);
    expect(await aggregateChecksum(chaos.pool)).toEqual(expected);
    expect(survivor.output).toMatch(/resuming from .*@\d+/);
    // Two full runs of the day and a restart: 240 s on the shared machine, the default's limit.
  }, 420_000);
});
