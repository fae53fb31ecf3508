import { migrate } from '@app/database';
import { join } from 'node:path';
import type { Kafka } from 'kafkajs';
import { Pool } from 'pg';
import { PRESENCE_SCHEMA, SUBMISSION_SCHEMA, type Presence, type Submission } from '@app/contracts';
import { loadConfig } from '@app/config';
import { importBanAddresses, importGazetteerPlaces } from '@app/geocoding-adapters';
import { DLQ_HEADERS } from '@app/kafka';
import { AvroSerde, RegistryClient } from '@app/schema-registry';
import {
  AppProcess,
  createTestDatabase,
  createTopic,
  freePort,
  readTopic,
  sampleSubmissions,
  testKafka,
  testProducer,
  uniqueName,
  type TestDatabase,
} from '@app/testing';

const config = loadConfig();
const registry = new RegistryClient(config.registry.url);
const DATA = join(__dirname, '..', '..', '..', 'libs', 'geocoding-adapters', 'data');

describe('locator stage (as a process, against the real stack and gazetteer)', () => {
  const kafka: Kafka = testKafka(config);
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase(config);
    await migrate(database.url);
    const pool = new Pool({ connectionString: database.url });
    try {
      await importBanAddresses(pool, join(DATA, 'adresses-13-extract.csv'));
      await importGazetteerPlaces(pool, join(DATA, 'places.csv'));
    } finally {
      await pool.end();
    }
  });
  afterAll(async () => database?.drop());

  it('writes presence per region for drawn and geocoded events, dead-letters the unplaceable, clears on revision and cancel', async () => {
    const topics = {
      input: uniqueName('loc.events'),
      presence: uniqueName('loc.presence'),
      dlq: uniqueName('loc.dlq'),
    };
    const admin = kafka.admin();
    await admin.connect();
    try {
      for (const topic of Object.values(topics)) await createTopic(admin, topic, 3);
    } finally {
      await admin.disconnect();
    }
    const events = await AvroSerde.register<Submission>(registry, topics.input, SUBMISSION_SCHEMA);
    const presenceSerde = AvroSerde.forDecoding<Presence>(
      registry,
      topics.presence,
      PRESENCE_SCHEMA,
    );

    const { moving, visit, operation } = sampleSubmissions();
    const lost: Submission = {
      ...operation,
      eventId: '0b8f0a3e-5d5c-4c3a-9a51-1d2c3b4a5f60',
      payload: {
        'cortege.ScheduledOperation': {
          ...(operation.payload!['cortege.ScheduledOperation' as never] as object),
          addresses: ['Nulle part, 99999 Atlantide'],
        },
      } as unknown as Submission['payload'],
    };
    const cancelVisit: Submission = {
      ...visit,
      revision: visit.revision + 1,
      action: 'CANCEL',
      payload: null,
    };
    const records = [moving, visit, lost, moving /* replay */, cancelVisit];
    const producer = testProducer(kafka, { idempotent: true });
    await producer.connect();
    try {
      for (const s of records)
        await producer.send({
          topic: topics.input,
          messages: [{ key: s.eventId, value: events.encode(s) }],
        });
    } finally {
      await producer.disconnect();
    }

    const port = await freePort();
    const app = new AppProcess('locator', {
      LOCATOR_PORT: String(port),
      LOCATOR_INPUT_TOPIC: topics.input,
      LOCATOR_PRESENCE_TOPIC: topics.presence,
      LOCATOR_DLQ_TOPIC: topics.dlq,
      LOCATOR_GROUP_ID: uniqueName('loc'),
      DATABASE_URL: database.url,
    });
    app.start();
    try {
      await app.healthy(port);
      const letters = await readTopic(kafka, topics.dlq, 2, { timeoutMs: 10_000 });
      expect(
        letters.map((l) => [
          String(l.message.key),
          String(l.message.headers?.[DLQ_HEADERS.reason]),
        ]),
      ).toEqual([[lost.eventId, 'geocode_not_found']]);

      const written = await readTopic(kafka, topics.presence, 100, { timeoutMs: 20_000 });
      const decoded = await Promise.all(
        written.map(async (w) => ({
          key: String(w.message.key),
          p: await presenceSerde.decode(w.message.value),
        })),
      );
      expect(decoded.every(({ key, p }) => key === p.region)).toBe(true);

      const march = decoded.filter(({ p }) => p.eventId === moving.eventId);
      // Located once (the replay wrote nothing), along the whole route.
      expect(new Set(march.map(({ p }) => p.revision))).toEqual(new Set([moving.revision]));
      const marchCells = march.flatMap(({ p }) => p.cells);
      expect(new Set(marchCells.map((c) => c.cell)).size).toBe(marchCells.length);
      expect(marchCells.length).toBeGreaterThan(10);
      const clean = moving.payload!['cortege.MovingDemonstration' as never] as Record<
        string,
        unknown
      >;
      for (const { p } of march)
        expect(p).toMatchObject({
          kind: 'MOVING_DEMONSTRATION',
          geocodeQuality: 'EXACT',
          action: 'UPSERT',
          subject: clean.subject,
          description: clean.description,
          carsExpected: clean.carsExpected,
          carsDeclared: clean.carsDeclared,
        });

      const visitRecords = decoded.filter(({ p }) => p.eventId === visit.eventId);
      const placed = visitRecords.filter(({ p }) => p.action === 'UPSERT');
      expect(placed.length).toBeGreaterThan(0);
      expect(placed[0]?.p).toMatchObject({ kind: 'OFFICIAL_VISIT', geocodeQuality: 'EXACT' });
      const visitCells = placed.flatMap(({ p }) => p.cells);
      expect(
        visitCells.every(
          (c) => c.startAt === visit.payload!['cortege.OfficialVisit' as never]['startAt'],
        ),
      ).toBe(true);
      const cancels = visitRecords.filter(({ p }) => p.action === 'CANCEL');
      expect(cancels.map(({ p }) => p.region).sort()).toEqual(
        placed.map(({ p }) => p.region).sort(),
      );
      expect(cancels.map(({ p }) => [p.subject, p.description])).toEqual(
        cancels.map(() => [null, null]),
      );
    } finally {
      expect(await app.stop('SIGTERM')).toBe(0);
    }
  });
});
