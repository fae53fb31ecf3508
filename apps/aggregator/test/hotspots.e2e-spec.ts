import { HotspotStore } from '@app/aggregation';
import { loadConfig } from '@app/config';
import { PRESENCE_SCHEMA, type Presence } from '@app/contracts';
import { migrate } from '@app/database';
import { AvroSerde, RegistryClient } from '@app/schema-registry';
import { tensionModelOf } from '@app/tension';
import {
  AppProcess,
  createTestDatabase,
  createTopic,
  freePort,
  syntheticCityDay,
  testKafka,
  testProducer,
  uniqueName,
  waitFor,
  type TestDatabase,
} from '@app/testing';
import { Pool } from 'pg';

const config = loadConfig();
const model = tensionModelOf(config.tension);
const PARTITIONS = 2;

const ROWS = `SELECT window_kind, to_char(window_start, 'YYYY-MM-DD') AS window_start, cell, value,
                     local_sum, neighbours, z, p, q, spot, alpha, study_area
                FROM hotspot ORDER BY window_kind, window_start, cell`;

describe('aggregator keeps the hotspots fresh (as a process, against the real stack)', () => {
  const kafka = testKafka(config);
  let database: TestDatabase | undefined;
  let pool: Pool | undefined;
  let app: AppProcess | undefined;

  afterAll(async () => {
    await app?.stop('SIGKILL');
    await pool?.end();
    await database?.drop();
  });

  it('after a city day aggregated in many batches, the hotspot table is what a fresh recomputeAll gives', async () => {
    const topic = uniqueName('hot.presence');
    const admin = kafka.admin();
    await admin.connect();
    try {
      await createTopic(admin, topic, PARTITIONS);
    } finally {
      await admin.disconnect();
    }
    const serde = await AvroSerde.register<Presence>(
      new RegistryClient(config.registry.url),
      topic,
      PRESENCE_SCHEMA,
    );
    // A day in Marseille, as the demo's, over two local days' buckets (the evening runs late).
    const records = syntheticCityDay(200, 11, Date.UTC(2026, 4, 1), 7, 1);
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

    database = await createTestDatabase(config);
    await migrate(database.url);
    pool = new Pool({ connectionString: database.url, max: 2 });
    const group = uniqueName('agg-hot');
    const port = await freePort();
    app = new AppProcess('aggregator', {
      AGGREGATOR_PORT: String(port),
      AGGREGATOR_INPUT_TOPIC: topic,
      AGGREGATOR_DLQ_TOPIC: `${topic}.dlq`,
      AGGREGATOR_PARTITIONS: String(PARTITIONS),
      AGGREGATOR_GROUP_ID: group,
      // Many small batches, and a refresh that runs between them: windows are recomputed
      // several times while the day is still coming in.
      AGGREGATOR_MAX_BATCH: '25',
      HOTSPOT_REFRESH_MS: '50',
      DATABASE_URL: database.url,
    });
    app.start();
    await app.healthy(port, 90_000);

    const db = pool;
    await waitFor(
      `aggregator ${group} to store positions through ${records.length} records`,
      async () => {
        const { rows } = await db.query<{ n: string }>(
          `SELECT coalesce(sum(next_offset), 0)::text AS n FROM consumer_offset WHERE consumer_group = $1`,
          [group],
        );
        return Number(rows[0]?.n) === records.length ? true : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 250 },
    );
    // Every batch has committed and told the refresher its days: wait until it is idle.
    let metrics = '';
    await waitFor(
      'the hotspot refresher to be idle',
      async () => {
        metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
        return /^cortege_aggregator_hotspot_busy 0$/m.test(metrics) ? true : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 100 },
    );
    const recomputations = [
      ...metrics.matchAll(
        /^cortege_aggregator_hotspot_window_seconds_count\{kind="(\w+)"\} (\d+)$/gm,
      ),
    ].map((m) => [m[1], Number(m[2])] as const);
    // Both kinds, and more than once each: the refresh ran while batches kept coming.
    expect(new Map(recomputations).get('day')).toBeGreaterThan(1);
    expect(new Map(recomputations).get('week')).toBeGreaterThan(1);

    const live = (await db.query(ROWS)).rows as { spot: string; window_kind: string }[];
    expect(live.filter((r) => r.spot === 'HOT').length).toBeGreaterThan(0);
    expect(new Set(live.map((r) => r.window_kind))).toEqual(new Set(['day', 'week']));

    // A fresh recomputation of every window from the final cell_tension changes nothing.
    await new HotspotStore(db, model.bucketMinutes).recomputeAll(config.aggregator.hotspots.alpha);
    expect((await db.query(ROWS)).rows).toEqual(live);
    expect(await app.stop()).toBe(0);
  }, 180_000);
});
