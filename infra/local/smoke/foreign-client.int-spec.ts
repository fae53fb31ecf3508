import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import type { Kafka } from 'kafkajs';
import { loadConfig } from '@app/config';
import {
  createTopic,
  readWithPythonClient,
  testKafka,
  testProducer,
  uniqueName,
} from '@app/testing';

const config = loadConfig();

describe("a record the project produced, read by Confluent's own Python client", () => {
  let kafka: Kafka;
  beforeAll(() => {
    kafka = testKafka(config);
  });

  it('decodes through the registry to the fields that were sent', async () => {
    const topic = uniqueName('smoke.foreign');
    const admin = kafka.admin();
    await admin.connect();
    try {
      await createTopic(admin, topic);
    } finally {
      await admin.disconnect();
    }

    const registry = new SchemaRegistry({ host: config.registry.url });
    const schema = {
      type: 'record',
      name: 'ForeignCheck',
      namespace: 'fr.marseille.cortege.smoke',
      fields: [
        { name: 'eventId', type: 'string' },
        { name: 'revision', type: 'int' },
        { name: 'subject', type: 'string' },
        { name: 'peopleExpected', type: ['null', 'int'], default: null },
        {
          name: 'status',
          type: {
            type: 'enum',
            name: 'Status',
            symbols: ['UNION', 'ASSOCIATION', 'POLITICAL_PARTY', 'OTHER'],
          },
        },
      ],
    };
    const { id } = await registry.register(
      { type: SchemaType.AVRO, schema: JSON.stringify(schema) },
      { subject: `${topic}-value` },
    );
    const sent = [
      {
        eventId: 'b1f0c7de-0000-4000-8000-000000000001',
        revision: 1,
        subject: 'Marche pour les salaires, Vieux-Port → Réformés',
        peopleExpected: 3000,
        status: 'UNION',
      },
      {
        eventId: 'b1f0c7de-0000-4000-8000-000000000002',
        revision: 3,
        subject: 'Rassemblement — Préfecture',
        peopleExpected: null,
        status: 'ASSOCIATION',
      },
    ];
    const producer = testProducer(kafka, { idempotent: true });
    await producer.connect();
    try {
      await producer.send({
        topic,
        messages: await Promise.all(
          sent.map(async (v) => ({ key: v.eventId, value: await registry.encode(id, v) })),
        ),
      });
    } finally {
      await producer.disconnect();
    }

    const records = await readWithPythonClient(config, topic, sent.length);
    expect(records).toEqual(sent.map((value) => ({ key: value.eventId, schemaId: id, value })));
  });
});
