import { ContractError, eventOf, SUBMISSION_SCHEMA, type Submission } from '@app/contracts';
import { loadConfig } from '@app/config';
import { AvroSerde, RegistryClient } from '@app/schema-registry';
import {
  approveInitialContract,
  createTopic,
  readTopic,
  readWithPythonClient,
  sampleSubmissions,
  testKafka,
  uniqueName,
} from '@app/testing';
import { BatchContractError, CortegeProducer } from './cortege-producer';

const config = loadConfig();
const kafka = testKafka(config);

async function withProducer<T>(
  topic: string,
  use: (producer: CortegeProducer) => Promise<T>,
): Promise<T> {
  const producer = new CortegeProducer({
    brokers: config.kafka.brokers,
    registryUrl: config.registry.url,
    topic,
  });
  await producer.connect();
  try {
    return await use(producer);
  } finally {
    await producer.disconnect();
  }
}

async function freshTopic(prefix: string): Promise<string> {
  const topic = uniqueName(prefix);
  const admin = kafka.admin();
  await admin.connect();
  try {
    await createTopic(admin, topic, 3);
  } finally {
    await admin.disconnect();
  }
  // The SDK registers nothing: the contract's version is approved first, as on a new platform.
  await approveInitialContract({
    databaseUrl: config.database.url,
    registryUrl: config.registry.url,
    topic,
  });
  return topic;
}

describe('CortegeProducer (the producer SDK) against the real stack', () => {
  it('publishes one submission of each kind, keyed by eventId, decoded field for field', async () => {
    const topic = await freshTopic('sdk.kinds');
    const samples = sampleSubmissions();
    const sent = Object.values(samples);
    const receipts = await withProducer(topic, async (p) =>
      Promise.all(sent.map((s) => p.publish(s))),
    );
    expect(receipts).toEqual(
      sent.map((s) => ({ eventId: s.eventId, revision: s.revision, topic })),
    );

    const serde = AvroSerde.forDecoding<Submission>(
      new RegistryClient(config.registry.url),
      topic,
      SUBMISSION_SCHEMA,
    );
    const records = await readTopic(kafka, topic, sent.length);
    const decoded = await Promise.all(
      records.map(
        async (r) => [String(r.message.key), await serde.decode(r.message.value)] as const,
      ),
    );
    expect(new Map(decoded)).toEqual(new Map(sent.map((s) => [s.eventId, s])));
  });

  it("is read by Confluent's Python client: every field of every kind equal to what was sent", async () => {
    const topic = await freshTopic('sdk.python');
    const sent = Object.values(sampleSubmissions());
    await withProducer(topic, (p) => p.publishBatch(sent));

    const records = await readWithPythonClient(config, topic, sent.length);
    const byKey = new Map(records.map((r) => [r.key, r.value]));
    for (const submission of sent) {
      // fastavro unwraps unions: the payload is the event record itself.
      const expected = { ...submission, payload: eventOf(submission)?.event ?? null };
      expect(byKey.get(submission.eventId)).toEqual(expected);
    }
  });

  it('takes the JSON shape too: ISO local times in Europe/Paris, omitted optional fields', async () => {
    const topic = await freshTopic('sdk.json');
    const { visit } = sampleSubmissions();
    const json = {
      eventId: visit.eventId,
      revision: 1,
      action: 'UPSERT',
      submittedAt: '2026-05-01T09:12:00',
      source: 'cortege-pp13',
      payload: {
        'cortege.OfficialVisit': {
          subject: 'Visite',
          addresses: ['Hôtel de Ville'],
          startAt: '2026-05-01T11:00',
          endAt: '2026-05-01T12:30',
        },
      },
    };
    await withProducer(topic, (p) => p.publish(json));
    const serde = AvroSerde.forDecoding<Submission>(
      new RegistryClient(config.registry.url),
      topic,
      SUBMISSION_SCHEMA,
    );
    const [record] = await readTopic(kafka, topic, 1);
    expect(await serde.decode(record?.message.value ?? null)).toEqual({
      ...json,
      submittedAt: Date.parse('2026-05-01T07:12:00Z'),
      payload: {
        'cortege.OfficialVisit': {
          subject: 'Visite',
          description: null,
          addresses: ['Hôtel de Ville'],
          startAt: Date.parse('2026-05-01T09:00:00Z'),
          endAt: Date.parse('2026-05-01T10:30:00Z'),
        },
      },
    });
  });

  it('sends nothing when a submission breaks the contract', async () => {
    const topic = await freshTopic('sdk.invalid');
    const { moving, visit } = sampleSubmissions();
    const broken = { ...visit, revision: 0 };
    const errors = await withProducer(topic, async (p) => [
      await p.publish(broken).catch((e: unknown) => e),
      await p.publishBatch([moving, broken]).catch((e: unknown) => e),
    ]);
    expect(errors[0]).toBeInstanceOf(ContractError);
    expect((errors[0] as ContractError).violations.map((v) => v.path)).toEqual(['revision']);
    expect(errors[1]).toBeInstanceOf(BatchContractError);
    expect((errors[1] as BatchContractError).invalid.map((i) => i.index)).toEqual([1]);

    const admin = kafka.admin();
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(topic).finally(() => admin.disconnect());
    expect(offsets.map((o) => o.high)).toEqual(['0', '0', '0']);
  });

  it('throws one ContractError listing every violation, the sanitizer’s rules included, and sends nothing', async () => {
    const topic = await freshTopic('sdk.all');
    const base = 'payload.cortege.MovingDemonstration';
    const moving = JSON.parse(JSON.stringify(sampleSubmissions().moving)) as {
      payload: Record<string, Record<string, unknown>>;
    };
    const event = moving.payload['cortege.MovingDemonstration'] as Record<string, unknown>;
    event.organiserStatus = 'COMPANY';
    event.peopleDeclared = -3;
    event.endAt = event.startAt;
    const outside = JSON.parse(JSON.stringify(sampleSubmissions().moving)) as typeof moving;
    const far = outside.payload['cortege.MovingDemonstration'] as Record<string, unknown>;
    far.route = {
      coordinates: [
        { lon: 2.35, lat: 48.85 },
        { lon: 5.37, lat: 43.29 },
      ],
    };

    const [threeFaults, sanitizerOnly, overridden] = await withProducer(topic, async (p) => [
      await p.publish(moving).catch((e: unknown) => e),
      await p.publish(outside).catch((e: unknown) => e),
      // The stage's overrides, as the platform configures them: 10 people at most.
      await new CortegeProducer({
        brokers: config.kafka.brokers,
        registryUrl: config.registry.url,
        topic,
        policy: { maxPeople: 10 },
      })
        .publish(sampleSubmissions().moving)
        .catch((e: unknown) => e),
    ]);

    expect(threeFaults).toBeInstanceOf(ContractError);
    const error = threeFaults as ContractError;
    expect(error.violations.map((v) => [v.path, v.code])).toEqual([
      [`${base}.organiserStatus`, 'invalid_enum'],
      [`${base}.endAt`, 'end_before_start'],
      [`${base}.peopleDeclared`, 'negative_count'],
    ]);
    expect(error).toMatchObject({ total: 3, truncated: false });
    expect(error.message).toContain('(3 violations)');
    expect(sanitizerOnly).toBeInstanceOf(ContractError);
    expect((sanitizerOnly as ContractError).violations.map((v) => [v.path, v.code])).toEqual([
      [`${base}.route.coordinates.0`, 'outside_area'],
    ]);
    expect(overridden).toBeInstanceOf(ContractError);
    expect((overridden as ContractError).violations.map((v) => v.code)).toEqual([
      'count_too_large',
      'count_too_large',
    ]);

    const admin = kafka.admin();
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(topic).finally(() => admin.disconnect());
    expect(offsets.map((o) => o.high)).toEqual(['0', '0', '0']);
  });
});
