import type { Kafka } from 'kafkajs';
import { PRESENCE_SCHEMA, type Presence, type Submission } from '@app/contracts';
import { loadConfig } from '@app/config';
import { DLQ_HEADERS } from '@app/kafka';
import { AvroSerde, RegistryClient } from '@app/schema-registry';
import {
  createGazetteerDatabase,
  createTopics,
  pipelineTopics,
  readTopic,
  sampleSubmissions,
  stageProcess,
  SubmissionPublisher,
  testKafka,
  uniqueName,
  type TestDatabase,
} from '@app/testing';

const config = loadConfig();
const registry = new RegistryClient(config.registry.url);

describe('locator stage (as a process, against the real stack and gazetteer)', () => {
  const kafka: Kafka = testKafka(config);
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createGazetteerDatabase(config);
  });
  afterAll(async () => database?.drop());

  it('writes presence per region for drawn and geocoded events, dead-letters the unplaceable, clears on revision and cancel', async () => {
    const name = uniqueName('loc');
    const topics = pipelineTopics(name);
    await createTopics(kafka, [topics.events, topics.presence, topics.dlq]);
    const publisher = await SubmissionPublisher.create(kafka, registry, topics.events);
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
    // In this order: each event's records keep it on their partition.
    await publisher.publish([moving, visit, lost, moving /* replay */, cancelVisit]);

    const { app, port } = await stageProcess('locator', name, topics, database.url);
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
