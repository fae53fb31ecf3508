import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import type { Admin, Kafka } from 'kafkajs';
import { loadConfig } from '@app/config';
import { createTopic, testKafka, testProducer, uniqueName, waitFor } from '@app/testing';

const config = loadConfig();

const pingSchema = (name: string) =>
  JSON.stringify({
    type: 'record',
    name,
    namespace: 'fr.marseille.cortege.smoke',
    fields: [
      { name: 'id', type: 'string' },
      { name: 'people', type: 'int' },
      { name: 'at', type: { type: 'long', logicalType: 'timestamp-millis' } },
    ],
  });

describe('schema registry + Kafka, as the pipeline uses them', () => {
  let kafka: Kafka;
  let admin: Admin;
  const registry = new SchemaRegistry({ host: config.registry.url });

  beforeAll(async () => {
    kafka = testKafka(config);
    admin = kafka.admin();
    await admin.connect();
  });
  afterAll(async () => admin.disconnect());

  it('registers an Avro schema, produces it and consumes it through a group that commits its offsets', async () => {
    const topic = uniqueName('smoke.registry');
    const groupId = uniqueName('smoke-group');
    await createTopic(admin, topic, 2);
    const { id } = await registry.register(
      { type: SchemaType.AVRO, schema: pingSchema(`Ping${uniqueName('v').replace('-', '')}`) },
      { subject: `${topic}-value` },
    );
    expect(id).toBeGreaterThan(0);

    const sent = Array.from({ length: 10 }, (_, i) => ({
      id: `event-${i}`,
      people: 100 * i,
      at: Date.UTC(2026, 4, 1, 10, i),
    }));
    const producer = testProducer(kafka);
    await producer.connect();
    try {
      await producer.send({
        topic,
        messages: await Promise.all(
          sent.map(async (v) => ({ key: v.id, value: await registry.encode(id, v) })),
        ),
      });
    } finally {
      await producer.disconnect();
    }

    const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
    const received: Array<{ key: string; value: unknown; schemaId: number }> = [];
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        const value = message.value as Buffer;
        received.push({
          key: String(message.key),
          value: await registry.decode(value),
          schemaId: value.readInt32BE(1),
        });
        await consumer.commitOffsets([
          { topic, partition, offset: (BigInt(message.offset) + 1n).toString() },
        ]);
      },
    });
    try {
      await waitFor('10 decoded messages', () => (received.length === 10 ? true : undefined));
    } finally {
      await consumer.disconnect();
    }

    expect(received.map((r) => r.key).sort()).toEqual(sent.map((s) => s.id).sort());
    expect(new Set(received.map((r) => r.schemaId))).toEqual(new Set([id]));
    const byKey = new Map(received.map((r) => [r.key, r.value]));
    for (const v of sent) expect(byKey.get(v.id)).toEqual(v);

    // The group's committed offsets are the end of each partition: nothing would be read twice.
    const ends = await admin.fetchTopicOffsets(topic);
    const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
    const committedByPartition = new Map(
      committed[0]?.partitions.map((p) => [p.partition, p.offset]),
    );
    for (const end of ends) expect(committedByPartition.get(end.partition)).toBe(end.high);
    expect(ends.reduce((n, p) => n + Number(p.high), 0)).toBe(10);
  });
});
