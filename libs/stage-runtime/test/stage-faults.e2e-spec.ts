import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { Client, Pool } from 'pg';
import { loadConfig } from '@app/config';
import { PRESENCE_SCHEMA, SUBMISSION_SCHEMA, type Presence, type Submission } from '@app/contracts';
import { DLQ_HEADERS } from '@app/kafka';
import { AvroSerde, RegistryClient } from '@app/schema-registry';
import {
  AppProcess,
  createTestDatabase,
  createTopic,
  readTopic,
  sampleSubmissions,
  syntheticCityDay,
  TcpProxy,
  testKafka,
  testProducer,
  uniqueName,
  waitFor,
  type TestDatabase,
} from '@app/testing';

// Faults are weather: a stage whose registry or database goes away waits, reports 503 with the
// reason, and carries on when it is back; a stalled stage says so; SIGTERM under load exits 0
// within 10 s and loses nothing. Each test has its own topics, group, database and proxies.

const config = loadConfig();
const registry = new RegistryClient(config.registry.url);
let nextPort = 19400 + Math.floor(Math.random() * 400);

interface HealthBody {
  status: string;
  phase: string;
  reasons: string[];
  lag: number | null;
  member: boolean;
  lastBatchAgeMs: number | null;
  dependencies: Record<string, string>;
}

async function health(port: number): Promise<{ code: number; body: HealthBody } | undefined> {
  // A health check must answer quickly, whatever is down: a hung one fails here.
  const response = await fetch(`http://127.0.0.1:${port}/health`, {
    signal: AbortSignal.timeout(8_000),
  }).catch((error: Error) => {
    if (error.name === 'TimeoutError') throw new Error(`/health on :${port} did not answer in 8 s`);
    return undefined;
  });
  if (!response) return undefined;
  return { code: response.status, body: (await response.json()) as HealthBody };
}

/** Waits until `/health` answers and `test` holds of it; returns that answer. */
function healthWhere(
  app: AppProcess,
  port: number,
  what: string,
  test: (h: { code: number; body: HealthBody }) => boolean,
  timeoutMs = 60_000,
) {
  let last: unknown;
  return waitFor(
    `${app.app} /health: ${what}`,
    async () => {
      if (app.exitCode !== null) throw new Error(`${app.app} exited:\n${app.output.slice(-3000)}`);
      const h = await health(port);
      last = h?.body;
      return h && test(h) ? h : undefined;
    },
    { timeoutMs, intervalMs: 200 },
  ).catch((error: Error) => {
    throw new Error(
      `${error.message}; last health ${JSON.stringify(last)}; output:\n${app.output.slice(-4000)}`,
    );
  });
}

/** `count` new events of the four kinds (UPSERTs: each gives presence or a dead letter). */
function submissions(count: number): Submission[] {
  const { cancel: _cancel, ...kinds } = sampleSubmissions();
  const shapes = Object.values(kinds);
  return Array.from({ length: count }, (_, i) => ({
    ...(shapes[i % shapes.length] as Submission),
    eventId: randomUUID(),
  }));
}

async function produce(kafka: Kafka, topic: string, messages: { key: string; value: Buffer }[]) {
  const producer = testProducer(kafka, { idempotent: true });
  await producer.connect();
  try {
    for (let i = 0; i < messages.length; i += 500)
      await producer.send({ topic, messages: messages.slice(i, i + 500) });
  } finally {
    await producer.disconnect();
  }
}

async function topics(kafka: Kafka, names: readonly string[], partitions = 3): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    for (const name of names) await createTopic(admin, name, partitions);
  } finally {
    await admin.disconnect();
  }
}

describe('stages under faults (as processes, against the real stack)', () => {
  const kafka = testKafka(config);
  const apps: AppProcess[] = [];
  const proxies: TcpProxy[] = [];
  const databases: TestDatabase[] = [];
  const pools: Pool[] = [];

  afterAll(async () => {
    await Promise.all(apps.map((a) => a.stop('SIGKILL')));
    await Promise.all(proxies.map((p) => p.down()));
    await Promise.all(pools.map((p) => p.end()));
    await Promise.all(databases.map((d) => d.drop()));
  });

  function start(app: string, env: Record<string, string>): AppProcess {
    const process = new AppProcess(app, { LOG_LEVEL: 'info', ...env });
    apps.push(process);
    process.start();
    return process;
  }

  function sanitizerEnv(name: string, port: number) {
    return {
      SANITIZER_PORT: String(port),
      SANITIZER_INPUT_TOPIC: `${name}.in`,
      SANITIZER_EVENTS_TOPIC: `${name}.events`,
      SANITIZER_DLQ_TOPIC: `${name}.dlq`,
      SANITIZER_PARTITIONS: '3',
      SANITIZER_GROUP_ID: name,
      STAGE_HEALTH_INTERVAL_MS: '300',
      STAGE_MAX_BATCH: '100',
    };
  }

  it('sanitizer: the registry away at start and in the middle: 503 naming it, no exit, every record through once it is back', async () => {
    const url = new URL(config.registry.url);
    const proxy = new TcpProxy(url.hostname, Number(url.port));
    proxies.push(proxy);
    await proxy.up();
    await proxy.down(); // a port of our own, refusing for now
    const name = uniqueName('fault.reg');
    await topics(kafka, [`${name}.in`, `${name}.events`, `${name}.dlq`]);
    const serde = await AvroSerde.register<Submission>(registry, `${name}.in`, SUBMISSION_SCHEMA);
    const port = nextPort++;
    const app = start('sanitizer', {
      ...sanitizerEnv(name, port),
      SCHEMA_REGISTRY_URL: `http://127.0.0.1:${proxy.port}${url.pathname}`,
    });

    const away = await healthWhere(app, port, 'registry unreachable', (h) =>
      h.body.reasons.some((r) => r.startsWith('registry unreachable')),
    );
    expect(away.code).toBe(503);
    expect(away.body.phase).toBe('starting');
    expect(away.body.dependencies.registry).toBe('down');

    await proxy.up();
    await healthWhere(app, port, 'ok', (h) => h.code === 200);
    const first = submissions(200);
    await produce(
      kafka,
      `${name}.in`,
      first.map((s) => ({ key: s.eventId, value: serde.encode(s) })),
    );
    await healthWhere(app, port, 'lag 0', (h) => h.code === 200 && h.body.lag === 0);

    // Away again while records arrive: their schema is cached, so they go through; the health
    // still names the registry, which a new writer schema would need.
    await proxy.down();
    await healthWhere(app, port, 'registry down while running', (h) =>
      h.body.reasons.some((r) => r.startsWith('registry unreachable')),
    );
    const second = submissions(200);
    await produce(
      kafka,
      `${name}.in`,
      second.map((s) => ({ key: s.eventId, value: serde.encode(s) })),
    );
    await proxy.up();
    const back = await healthWhere(
      app,
      port,
      'back, lag 0',
      (h) => h.code === 200 && h.body.lag === 0,
    );
    expect(back.body.member).toBe(true);
    const events = await readTopic(kafka, `${name}.events`, 401, { timeoutMs: 20_000 });
    expect(new Set(events.map((e) => e.message.key?.toString())).size).toBe(400);
    expect(events).toHaveLength(400);
    expect(app.exitCode).toBeNull();
    expect(app.output).not.toMatch(/\n\s+at .*\(.*\.[jt]s:\d+:\d+\)/);
    expect(await app.stop('SIGTERM')).toBe(0);
  });

  it('sanitizer: no broker at all: 503 naming Kafka, and still running', async () => {
    const closed = new TcpProxy('127.0.0.1', 9);
    proxies.push(closed);
    await closed.up();
    await closed.down();
    const port = nextPort++;
    const app = start('sanitizer', {
      ...sanitizerEnv(uniqueName('fault.kafka'), port),
      KAFKA_BROKERS: `127.0.0.1:${closed.port}`,
    });
    const down = await healthWhere(app, port, 'kafka unreachable', (h) =>
      h.body.reasons.some((r) => r.startsWith('kafka unreachable')),
    );
    expect(down.code).toBe(503);
    // kafkajs gives up its own retries within seconds; the stage must not give up with it.
    const since = Date.now();
    await waitFor(
      'the sanitizer to keep retrying for 20 s',
      () => {
        if (app.exitCode !== null) throw new Error(`exited ${app.exitCode}:\n${app.output}`);
        return Date.now() - since >= 20_000 ? true : undefined;
      },
      { timeoutMs: 40_000, intervalMs: 500 },
    );
    expect((await health(port))?.body.reasons.some((r) => r.startsWith('kafka unreachable'))).toBe(
      true,
    );
    expect(await app.stop('SIGTERM')).toBe(0);
  });

  describe('aggregator', () => {
    let serde: AvroSerde<Presence>;
    const records = syntheticCityDay(300, 11, Date.UTC(2026, 4, 1), 7, 3);

    /** A presence topic of the test's own, and its dead letters. */
    async function presenceTopic(): Promise<string> {
      const topic = uniqueName('fault.presence');
      await topics(kafka, [topic, `${topic}.dlq`]);
      serde = await AvroSerde.register<Presence>(registry, topic, PRESENCE_SCHEMA);
      return topic;
    }

    const publish = (topic: string) =>
      produce(
        kafka,
        topic,
        records.map((r) => ({ key: r.region, value: serde.encode(r) })),
      );

    /** How many records the group's stored positions are past, over every partition. */
    async function storedThrough(pool: Pool, group: string): Promise<number> {
      const { rows } = await pool.query<{ n: string }>(
        'SELECT coalesce(sum(next_offset), 0)::text AS n FROM consumer_offset WHERE consumer_group = $1',
        [group],
      );
      return Number(rows[0]?.n);
    }

    async function database(): Promise<{ db: TestDatabase; pool: Pool }> {
      const db = await createTestDatabase(config);
      databases.push(db);
      const pool = new Pool({ connectionString: db.url, max: 2 });
      pools.push(pool);
      return { db, pool };
    }

    function aggregatorEnv(topic: string, group: string, port: number, databaseUrl: string) {
      return {
        AGGREGATOR_PORT: String(port),
        AGGREGATOR_INPUT_TOPIC: topic,
        AGGREGATOR_DLQ_TOPIC: `${topic}.dlq`,
        AGGREGATOR_PARTITIONS: '3',
        AGGREGATOR_GROUP_ID: group,
        AGGREGATOR_MAX_BATCH: '40',
        DATABASE_URL: databaseUrl,
        STAGE_HEALTH_INTERVAL_MS: '300',
      };
    }

    it('PostgreSQL away at start and mid-run: 503 naming it, no exit, the same positions at the end', async () => {
      const { db, pool } = await database();
      const target = new URL(db.url);
      const proxy = new TcpProxy(target.hostname, Number(target.port));
      proxies.push(proxy);
      await proxy.up();
      await proxy.down();
      const viaProxy = new URL(db.url);
      viaProxy.port = String(proxy.port);
      const port = nextPort++;
      const group = uniqueName('fault-pg');
      const topic = await presenceTopic();
      const app = start('aggregator', aggregatorEnv(topic, group, port, viaProxy.toString()));

      const away = await healthWhere(app, port, 'postgres unreachable', (h) =>
        h.body.reasons.some((r) => r.startsWith('postgres unreachable')),
      );
      expect(away.code).toBe(503);
      await proxy.up();
      await healthWhere(app, port, 'ok', (h) => h.code === 200);

      await publish(topic);
      await healthWhere(app, port, 'a batch committed', (h) => h.body.lastBatchAgeMs !== null);
      await proxy.down(); // in the middle of the work: connections cut
      await healthWhere(app, port, 'postgres down while running', (h) =>
        h.body.reasons.some((r) => r.startsWith('postgres unreachable')),
      );
      await proxy.up();
      await healthWhere(
        app,
        port,
        'back, lag 0',
        (h) => h.code === 200 && h.body.lag === 0,
        120_000,
      );
      expect(await storedThrough(pool, group)).toBe(records.length);
      expect(app.exitCode).toBeNull();
      expect(await app.stop('SIGTERM')).toBe(0);
    });

    it('stalled: lag positive and no batch for the stall time is a 503, cleared when work resumes', async () => {
      const { db } = await database();
      const port = nextPort++;
      const group = uniqueName('fault-stall');
      const topic = await presenceTopic();
      // Its positions locked against writes by another session (reads still go): its first
      // transaction waits.
      const locker = new Client({ connectionString: db.url });
      await locker.connect();
      try {
        const app = start('aggregator', {
          ...aggregatorEnv(topic, group, port, db.url),
          STAGE_STALL_TIMEOUT_MS: '2000',
        });
        await healthWhere(app, port, 'ok', (h) => h.code === 200, 90_000);
        await locker.query('BEGIN');
        await locker.query("SET LOCAL lock_timeout = '30s'");
        await locker.query('LOCK TABLE consumer_offset IN EXCLUSIVE MODE');
        await publish(topic);
        const stalled = await healthWhere(app, port, 'stalled', (h) =>
          h.body.reasons.some((r) => r.startsWith('no batch committed for')),
        );
        expect(stalled.code).toBe(503);
        expect(stalled.body.lag).toBe(records.length);
        await locker.query('COMMIT');
        await healthWhere(
          app,
          port,
          'caught up',
          (h) => h.code === 200 && h.body.lag === 0,
          120_000,
        );
        expect(await app.stop('SIGTERM')).toBe(0);
      } finally {
        await locker.end();
      }
    });

    it('SIGTERM under load: exit 0 within 10 s, then the rest once restarted, each record once', async () => {
      const { db, pool } = await database();
      const port = nextPort++;
      const group = uniqueName('fault-term');
      const topic = await presenceTopic();
      await publish(topic);
      const env = { ...aggregatorEnv(topic, group, port, db.url), AGGREGATOR_MAX_BATCH: '5' };
      const app = start('aggregator', env);
      await healthWhere(
        app,
        port,
        'a first batch committed',
        (h) => h.body.lastBatchAgeMs !== null,
        90_000,
      );
      const before = Date.now();
      expect(await app.stop('SIGTERM')).toBe(0);
      expect(Date.now() - before).toBeLessThan(10_000);
      // It was stopped in the middle of the work, not after it.
      expect(await storedThrough(pool, group)).toBeLessThan(records.length);
      const again = start('aggregator', env);
      await healthWhere(
        again,
        port,
        'caught up',
        (h) => h.code === 200 && h.body.lag === 0,
        120_000,
      );
      expect(await storedThrough(pool, group)).toBe(records.length);
      expect(await again.stop('SIGTERM')).toBe(0);
    });
  });

  it('sanitizer and locator: SIGTERM under load exits 0 within 10 s, and a restart finishes with each event once', async () => {
    const name = uniqueName('fault.term');
    const presence = `${name}.presence`;
    await topics(kafka, [`${name}.in`, `${name}.events`, `${name}.dlq`, presence]);
    const serde = await AvroSerde.register<Submission>(registry, `${name}.in`, SUBMISSION_SCHEMA);
    const input = submissions(12_000);
    await produce(
      kafka,
      `${name}.in`,
      input.map((s) => ({ key: s.eventId, value: serde.encode(s) })),
    );
    const sanitizerPort = nextPort++;
    const locatorPort = nextPort++;
    const sanitizer = sanitizerEnv(name, sanitizerPort);
    const locator = {
      LOCATOR_PORT: String(locatorPort),
      LOCATOR_INPUT_TOPIC: `${name}.events`,
      LOCATOR_PRESENCE_TOPIC: presence,
      LOCATOR_DLQ_TOPIC: `${name}.dlq`,
      LOCATOR_PARTITIONS: '3',
      LOCATOR_GROUP_ID: `${name}-locator`,
      STAGE_HEALTH_INTERVAL_MS: '300',
      STAGE_MAX_BATCH: '100',
    };
    /** The distinct events a stage has written so far (committed). */
    const eventsOut = async (app: 'sanitizer' | 'locator') => {
      const written = await readTopic(
        kafka,
        app === 'sanitizer' ? `${name}.events` : presence,
        1e6,
        {
          timeoutMs: 8_000,
        },
      );
      return new Set(
        written.map((m) =>
          app === 'sanitizer'
            ? m.message.key?.toString()
            : m.message.headers?.['cortege-event-id']?.toString(),
        ),
      ).size;
    };
    for (const [app, env, port] of [
      ['sanitizer', sanitizer, sanitizerPort],
      ['locator', locator, locatorPort],
    ] as const) {
      const first = start(app, env);
      await healthWhere(
        first,
        port,
        'a first batch committed',
        (h) => h.body.lastBatchAgeMs !== null,
        90_000,
      );
      const before = Date.now();
      expect(await first.stop('SIGTERM')).toBe(0);
      expect(Date.now() - before).toBeLessThan(10_000);
      // It was stopped in the middle of the work, not after it.
      expect(await eventsOut(app)).toBeLessThan(input.length);
      const second = start(app, env);
      await healthWhere(
        second,
        port,
        'caught up',
        (h) => h.code === 200 && h.body.lag === 0,
        180_000,
      );
      expect(await second.stop('SIGTERM')).toBe(0);
    }
    const events = await readTopic(kafka, `${name}.events`, input.length + 1, {
      timeoutMs: 30_000,
    });
    expect(events).toHaveLength(input.length);
    const located = await readTopic(kafka, presence, 1_000_000, { timeoutMs: 15_000 });
    const pairs = located.map(
      (m) => `${m.message.headers?.['cortege-event-id']?.toString()}|${m.message.key?.toString()}`,
    );
    expect(new Set(pairs).size).toBe(pairs.length);
    // Every event is placed, or dead-lettered by the locator (an address the gazetteer lacks),
    // never both, never neither.
    const placed = new Set(located.map((m) => m.message.headers?.['cortege-event-id']?.toString()));
    const letters = await readTopic(kafka, `${name}.dlq`, 1_000_000, { timeoutMs: 8_000 });
    const unplaced = letters
      .filter((m) => m.message.headers?.[DLQ_HEADERS.stage]?.toString() === 'locator')
      .map((m) => m.message.key?.toString());
    expect(new Set(unplaced).size).toBe(unplaced.length);
    expect(unplaced.filter((id) => placed.has(id))).toEqual([]);
    expect(placed.size + unplaced.length).toBe(input.length);
    expect(placed.size).toBeGreaterThan(0);
  });
});
