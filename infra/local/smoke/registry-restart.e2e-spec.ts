import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Consumer, Kafka, KafkaMessage } from 'kafkajs';
import { Client } from 'pg';
import { PRESENCE_SCHEMA, SUBMISSION_SCHEMA, type Presence, type Submission } from '@app/contracts';
import { loadConfig, type StackConfig } from '@app/config';
import { AvroSerde, RegistryClient } from '@app/schema-registry';
import {
  AppProcess,
  createGazetteerDatabase,
  createTopics,
  freePort,
  pipelineTopics,
  readTopic,
  sampleSubmissions,
  stageProcess,
  testKafka,
  testProducer,
  uniqueName,
  waitFor,
  type TestDatabase,
} from '@app/testing';
import { findJava } from '../src/java';
import { resolveJavaArtifacts } from '../src/maven';
import { RegistryService, type RegistryStorage } from '../src/registry.service';
import { startRegistry } from '../src/stack';

/**
 * Restarting the schema registry loses nothing: records published through the stages before a
 * restart decode afterwards through a new client, the subjects keep their ids, and new records
 * flow through the stages. The registry restarted here is a private one (own folder, ports
 * and database on the stack's PostgreSQL), so the stack's registry, which other test files
 * use at the same time, is never disturbed.
 */
const config = loadConfig();

/** Every subject of the registry with the id of each of its versions, in order. */
async function subjectIds(url: string): Promise<Record<string, number[]>> {
  const get = async <T>(path: string): Promise<T> => {
    // 30 s: on a loaded machine a registry just restarted took more than 10 s to answer a read.
    const response = await fetch(`${url}${path}`, { signal: AbortSignal.timeout(30_000) });
    if (!response.ok) throw new Error(`GET ${path} answered ${response.status}`);
    return (await response.json()) as T;
  };
  const ids: Record<string, number[]> = {};
  for (const subject of (await get<string[]>('/subjects')).sort()) {
    const versions = await get<number[]>(`/subjects/${encodeURIComponent(subject)}/versions`);
    ids[subject] = [];
    for (const version of versions.sort((a, b) => a - b)) {
      const { id } = await get<{ id: number }>(
        `/subjects/${encodeURIComponent(subject)}/versions/${version}`,
      );
      ids[subject].push(id);
    }
  }
  return ids;
}

/** Collects every record of some topics from their beginning, in one consumer group. */
class TopicCollector {
  readonly records = new Map<string, KafkaMessage[]>();
  private consumer: Consumer | undefined;

  constructor(private readonly kafka: Kafka) {}

  async start(topics: readonly string[]): Promise<void> {
    for (const topic of topics) this.records.set(topic, []);
    this.consumer = this.kafka.consumer({ groupId: uniqueName('collect'), maxWaitTimeInMs: 100 });
    await this.consumer.connect();
    await this.consumer.subscribe({ topics: [...topics], fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachMessage: ({ topic, message }) => {
        this.records.get(topic)?.push(message);
        return Promise.resolve();
      },
    });
  }

  of(topic: string): KafkaMessage[] {
    return this.records.get(topic) ?? [];
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}

const schemaIdOf = (value: Buffer | null) => value?.readInt32BE(1);

describe('a registry restart (private Apicurio on the stack PostgreSQL, stages as processes)', () => {
  const kafka = testKafka(config);
  const name = uniqueName('restart');
  const topics = pipelineTopics(name);
  const registryDatabase = `registry_${randomBytes(4).toString('hex')}`;
  const dir = mkdtempSync(join(tmpdir(), 'cortege-registry-restart-'));
  const collector = new TopicCollector(kafka);
  const apps: AppProcess[] = [];
  let gazetteer: TestDatabase | undefined;
  let registry: RegistryService | undefined;
  let registryDatabaseCreated = false;
  let url = '';
  let restartRegistry: () => Promise<void> = () => Promise.resolve();

  beforeAll(async () => {
    await createTopics(kafka, Object.values(topics));
    gazetteer = await createGazetteerDatabase(config);

    // The registry's own database, made with the application's login (which has CREATEDB).
    const database = new URL(config.database.url);
    const client = new Client({ connectionString: config.database.url });
    await client.connect();
    try {
      await client.query(`CREATE DATABASE ${registryDatabase}`);
      registryDatabaseCreated = true;
    } finally {
      await client.end();
    }
    const storage: RegistryStorage = {
      host: database.hostname,
      port: Number(database.port || 5432),
      database: registryDatabase,
      user: decodeURIComponent(database.username),
      password: decodeURIComponent(database.password),
      description: `database ${registryDatabase} (test)`,
    };
    const stack: StackConfig = {
      ...config.stack,
      dir,
      ports: {
        ...config.stack.ports,
        registry: await freePort(),
        registryManagement: await freePort(),
      },
    };
    url = `http://127.0.0.1:${stack.ports.registry}/apis/ccompat/v7`;
    const java = findJava(
      'Apicurio Registry',
      21,
      stack.registryJavaHome,
      'STACK_REGISTRY_JAVA_HOME',
    );
    const appDir = resolveJavaArtifacts(join(config.stack.dir, 'maven')).registryDir;
    const service = new RegistryService(stack);
    registry = service;
    restartRegistry = async () => {
      await service.stop();
      await startRegistry(service, java, appDir, storage, url, stack.startTimeoutMs);
    };
    await startRegistry(service, java, appDir, storage, url, stack.startTimeoutMs);
    await collector.start(Object.values(topics));
  });

  afterAll(async () => {
    // Each step runs even when another failed; the first failure is reported at the end.
    const steps: Array<() => Promise<unknown>> = [
      ...apps.map((app) => () => app.stop('SIGTERM')),
      () => collector.stop(),
      async () => registry?.stop(),
      async () => {
        if (!registryDatabaseCreated) return;
        const client = new Client({ connectionString: config.database.url });
        await client.connect();
        try {
          await client.query(`DROP DATABASE IF EXISTS ${registryDatabase} WITH (FORCE)`);
        } finally {
          await client.end();
        }
      },
      async () => gazetteer?.drop(),
      () => Promise.resolve(rmSync(dir, { recursive: true, force: true })),
    ];
    const failures: unknown[] = [];
    for (const step of steps) await step().catch((error: unknown) => failures.push(error));
    if (failures.length > 0) throw failures[0];
  });

  /** A stage of the pipeline as a process on the private registry, once healthy. */
  async function stage(which: 'sanitizer' | 'locator'): Promise<AppProcess> {
    const { app, port } = await stageProcess(which, name, topics, gazetteer?.url, {
      SCHEMA_REGISTRY_URL: url,
    });
    apps.push(app);
    app.start();
    await app.healthy(port);
    return app;
  }

  /** Publishes the four kinds through the private registry; returns their event ids. */
  async function publish(client: RegistryClient): Promise<{ ids: string[]; schemaId: number }> {
    const serde = await AvroSerde.register<Submission>(client, topics.input, SUBMISSION_SCHEMA);
    const { moving, static: rally, operation, visit } = sampleSubmissions();
    const submissions = [moving, rally, operation, visit];
    const producer = testProducer(kafka, { idempotent: true });
    await producer.connect();
    try {
      await producer.send({
        topic: topics.input,
        messages: submissions.map((s) => ({ key: s.eventId, value: serde.encode(s) })),
      });
    } finally {
      await producer.disconnect();
    }
    return { ids: submissions.map((s) => s.eventId), schemaId: serde.schemaId ?? -1 };
  }

  /** Waits until every event id went through the sanitizer and the locator. */
  async function throughTheStages(ids: readonly string[]): Promise<void> {
    const keys = (topic: string) => new Set(collector.of(topic).map((m) => String(m.key)));
    // The locator's PRESENCE_HEADERS.eventId.
    const presenceEvents = () =>
      new Set(collector.of(topics.presence).map((m) => String(m.headers?.['cortege-event-id'])));
    await waitFor(
      `${ids.length} event(s) through the sanitizer and the locator`,
      () =>
        ids.every((id) => keys(topics.events).has(id) && presenceEvents().has(id))
          ? true
          : undefined,
      { timeoutMs: 60_000 },
    );
  }

  /** Every record of the three topics, read afresh and decoded through a new client. */
  async function decodeEverything(client: RegistryClient) {
    const read = async (topic: string) =>
      (await readTopic(kafka, topic, collector.of(topic).length, { timeoutMs: 30_000 })).map(
        (r) => r.message,
      );
    const input = await read(topics.input);
    const events = await read(topics.events);
    const presence = await read(topics.presence);
    const submissions = AvroSerde.forDecoding<Submission>(client, topics.input, SUBMISSION_SCHEMA);
    const clean = AvroSerde.forDecoding<Submission>(client, topics.events, SUBMISSION_SCHEMA);
    const placed = AvroSerde.forDecoding<Presence>(client, topics.presence, PRESENCE_SCHEMA);
    return {
      input: await Promise.all(input.map((m) => submissions.decode(m.value))),
      events: await Promise.all(events.map((m) => clean.decode(m.value))),
      presence: await Promise.all(presence.map((m) => placed.decode(m.value))),
      schemaIds: {
        [`${topics.input}-value`]: [...new Set(input.map((m) => schemaIdOf(m.value)))],
        [`${topics.events}-value`]: [...new Set(events.map((m) => schemaIdOf(m.value)))],
        [`${topics.presence}-value`]: [...new Set(presence.map((m) => schemaIdOf(m.value)))],
      },
    };
  }

  it(
    'keeps every subject id and decodes every record after the restart; new records flow; no dead letter',
    async () => {
      const before = await publish(new RegistryClient(url));
      await stage('sanitizer');
      const firstLocator = await stage('locator');
      await throughTheStages(before.ids);
      const idsBefore = await subjectIds(url);
      // The stages' subjects: the contract, their outputs and the submission status.
      expect(Object.keys(idsBefore).sort()).toEqual(
        [topics.input, topics.events, topics.presence, topics.status]
          .map((t) => `${t}-value`)
          .sort(),
      );

      // The locator is replaced across the restart: the new one fetches every writer schema and
      // registers its own from the restarted registry. The sanitizer keeps running through it.
      expect(await firstLocator.stop('SIGTERM')).toBe(0);
      await restartRegistry();
      expect(await subjectIds(url)).toEqual(idsBefore);

      const fresh = new RegistryClient(url);
      const decoded = await decodeEverything(fresh);
      expect(decoded.input.map((s) => s.eventId).sort()).toEqual([...before.ids].sort());
      expect(decoded.events.map((s) => s.eventId).sort()).toEqual([...before.ids].sort());
      expect(new Set(decoded.presence.map((p) => p.eventId))).toEqual(new Set(before.ids));
      for (const [subject, ids] of Object.entries(decoded.schemaIds)) {
        expect(idsBefore[subject]).toEqual(expect.arrayContaining(ids));
      }

      await stage('locator');
      const after = await publish(fresh);
      expect(after.schemaId).toBe(before.schemaId);
      await throughTheStages(after.ids);

      const all = await decodeEverything(new RegistryClient(url));
      const everyId = [...before.ids, ...after.ids].sort();
      expect(all.events.map((s) => s.eventId).sort()).toEqual(everyId);
      expect(new Set(all.presence.map((p) => p.eventId))).toEqual(new Set(everyId));
      expect(await subjectIds(url)).toEqual(idsBefore);
      expect(
        (await readTopic(kafka, topics.dlq, 1, { timeoutMs: 3_000 })).map((l) =>
          String(l.message.key),
        ),
      ).toEqual([]);
      // Every step is bounded and names itself when it fails: the registry's restart by the
      // stack's start limit, each stage's start and stop by a minute, each wait by its own.
    },
    config.stack.startTimeoutMs + 300_000,
  );

  it('answers again, without a restart, once its database is back after dropping every connection and refusing new ones', async () => {
    const pid = registry?.pid();
    const idsBefore = await subjectIds(url);
    const register = (name: string) =>
      fetch(`${url}/subjects/${name}-value/versions`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/vnd.schemaregistry.v1+json' },
        body: JSON.stringify({
          schema: JSON.stringify({
            type: 'record',
            name,
            fields: [{ name: 'id', type: 'string' }],
          }),
        }),
        signal: AbortSignal.timeout(10_000),
      }).then((response) => response.status);
    // What the registry sees of a PostgreSQL restart, on its own database only: every session
    // ends (57P01) and new ones are refused until the database is back.
    const owner = new Client({ connectionString: config.database.url });
    await owner.connect();
    try {
      await owner.query(`ALTER DATABASE ${registryDatabase} ALLOW_CONNECTIONS false`);
      try {
        await owner.query(
          'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1',
          [registryDatabase],
        );
        expect(await register('DuringOutage')).toBeGreaterThanOrEqual(500);
      } finally {
        await owner.query(`ALTER DATABASE ${registryDatabase} ALLOW_CONNECTIONS true`);
      }
    } finally {
      await owner.end();
    }

    const back = Date.now();
    await waitFor('the registry writing again', async () =>
      (await register('AfterOutage')) === 200 ? true : undefined,
    );
    expect(Date.now() - back).toBeLessThan(5_000);
    const statuses: number[] = [];
    for (let i = 0; i < 20; i += 1) statuses.push(await register(`Again${i}`));
    expect(statuses.filter((status) => status !== 200)).toEqual([]);
    expect(registry?.pid()).toBe(pid);
    const idsAfter = await subjectIds(url);
    expect(idsAfter).toMatchObject(idsBefore);
    expect(Object.keys(idsAfter)).toContain('AfterOutage-value');
  });
});
