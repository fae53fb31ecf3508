import type { Admin, Kafka } from 'kafkajs';
import { loadConfig } from '@app/config';
import { createTopic, readTopic, testKafka, testProducer, uniqueName } from '@app/testing';

const config = loadConfig();

describe('Kafka transactions on the local broker', () => {
  let kafka: Kafka;
  let admin: Admin;

  beforeAll(async () => {
    kafka = testKafka(config);
    admin = kafka.admin();
    await admin.connect();
  });
  afterAll(async () => admin.disconnect());

  it('shows read_committed consumers the records of committed transactions only, offsets included', async () => {
    const input = uniqueName('smoke.tx-in');
    const output = uniqueName('smoke.tx-out');
    const groupId = uniqueName('smoke-tx-group');
    await createTopic(admin, input);
    await createTopic(admin, output);

    const producer = testProducer(kafka, {
      transactionalId: uniqueName('smoke-tx'),
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await producer.connect();

    try {
      // Committed: two outputs and the consumer group's position 2 on the input, atomically.
      const committed = await producer.transaction();
      await committed.send({
        topic: output,
        messages: [
          { key: 'a', value: 'committed-1' },
          { key: 'b', value: 'committed-2' },
        ],
      });
      await committed.sendOffsets({
        consumerGroupId: groupId,
        topics: [{ topic: input, partitions: [{ partition: 0, offset: '2' }] }],
      });
      await committed.commit();

      // Aborted: its records reach the log but must stay invisible, and its offsets must not apply.
      const aborted = await producer.transaction();
      await aborted.send({
        topic: output,
        messages: [
          { key: 'c', value: 'aborted-1' },
          { key: 'd', value: 'aborted-2' },
        ],
      });
      await aborted.sendOffsets({
        consumerGroupId: groupId,
        topics: [{ topic: input, partitions: [{ partition: 0, offset: '7' }] }],
      });
      await aborted.abort();

      // A committed sentinel after the abort: once a reader sees it, it has passed the aborted records.
      const sentinel = await producer.transaction();
      await sentinel.send({ topic: output, messages: [{ key: 'z', value: 'sentinel' }] });
      await sentinel.commit();
    } finally {
      await producer.disconnect();
    }

    const uncommittedView = await readTopic(kafka, output, 5, { readUncommitted: true });
    expect(uncommittedView.map((m) => String(m.message.value))).toEqual([
      'committed-1',
      'committed-2',
      'aborted-1',
      'aborted-2',
      'sentinel',
    ]);

    const committedView = await readTopic(kafka, output, 3);
    expect(committedView.map((m) => String(m.message.value))).toEqual([
      'committed-1',
      'committed-2',
      'sentinel',
    ]);

    const offsets = await admin.fetchOffsets({ groupId, topics: [input] });
    expect(offsets[0]?.partitions).toEqual([
      expect.objectContaining({ partition: 0, offset: '2' }),
    ]);
  });
});
