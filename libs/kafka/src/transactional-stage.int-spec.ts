import type { KafkaMessage } from 'kafkajs';
import { loadConfig } from '@app/config';
import { createTopic, readTopic, testKafka, testProducer, uniqueName, waitFor } from '@app/testing';
import { ConsumerGroupProbe } from './group-probe';
import { TransactionalStage, type StageHandler, type StageOutput } from './transactional-stage';

const config = loadConfig();
const kafka = testKafka(config);

/** Copies each input to the output topic; fails (retriably) once on the inputs it is told to. */
class CopyHandler implements StageHandler {
  readonly committedKeys: string[] = [];
  private staged: string[] = [];
  private readonly failedOnce = new Set<string>();

  constructor(
    private readonly output: string,
    private readonly failOnceOn: ReadonlySet<string>,
  ) {}

  handle(message: KafkaMessage): Promise<StageOutput[]> {
    const key = String(message.key);
    if (this.failOnceOn.has(key) && !this.failedOnce.has(key)) {
      this.failedOnce.add(key);
      return Promise.reject(new Error(`transient failure on ${key}`));
    }
    this.staged.push(key);
    return Promise.resolve([{ topic: this.output, key: message.key, value: message.value }]);
  }

  committed(): void {
    this.committedKeys.push(...this.staged);
    this.staged = [];
  }

  aborted(): void {
    this.staged = [];
  }
}

describe('TransactionalStage', () => {
  it('writes each input exactly once, even when a transaction aborts half-way and runs again', async () => {
    const input = uniqueName('stage.in');
    const output = uniqueName('stage.out');
    const admin = kafka.admin();
    await admin.connect();
    await createTopic(admin, input, 2);
    await createTopic(admin, output, 2);
    await admin.disconnect();

    const keys = Array.from({ length: 300 }, (_, i) => `k${i}`);
    const producer = testProducer(kafka);
    await producer.connect();
    await producer.send({ topic: input, messages: keys.map((k) => ({ key: k, value: `v-${k}` })) });
    await producer.disconnect();

    const handler = new CopyHandler(output, new Set(['k17', 'k150', 'k299']));
    const stage = new TransactionalStage(
      kafka,
      {
        groupId: uniqueName('stage-group'),
        inputTopic: input,
        transactionalId: uniqueName('stage-tx'),
        maxRecordsPerTransaction: 50,
      },
      handler,
    );
    await stage.start();
    try {
      await waitFor(
        'all inputs committed',
        () => (handler.committedKeys.length >= keys.length ? true : undefined),
        { timeoutMs: 60_000 },
      );
    } finally {
      await stage.stop();
    }

    const written = await readTopic(kafka, output, keys.length + 1, { timeoutMs: 5000 });
    expect(written.map((m) => String(m.message.key)).sort()).toEqual([...keys].sort());
    expect(written.every((m) => String(m.message.value) === `v-${String(m.message.key)}`)).toBe(
      true,
    );
    expect(handler.committedKeys.sort()).toEqual([...keys].sort());
  });

  it('reads a topic written in transactions to a lag of 0, markers included, and says it is a member', async () => {
    const input = uniqueName('stage.tx-in');
    const output = uniqueName('stage.tx-out');
    const group = uniqueName('stage-group');
    const admin = kafka.admin();
    await admin.connect();
    await createTopic(admin, input, 3);
    await createTopic(admin, output, 3);
    // Written as the stages write: in transactions, each ending with a marker per partition.
    const writer = testProducer(kafka, {
      transactionalId: uniqueName('writer'),
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await writer.connect();
    for (let t = 0; t < 5; t++) {
      const transaction = await writer.transaction();
      await transaction.send({
        topic: input,
        messages: Array.from({ length: 20 }, (_, i) => ({ key: `t${t}-${i}`, value: 'v' })),
      });
      await transaction.commit();
    }
    await writer.disconnect();

    const handler = new CopyHandler(output, new Set());
    const stage = new TransactionalStage(
      kafka,
      { groupId: group, inputTopic: input, transactionalId: uniqueName('stage-tx') },
      handler,
    );
    const probe = new ConsumerGroupProbe(kafka, group, input, () => stage.memberId);
    await stage.start();
    try {
      const settled = await waitFor(
        'a lag of 0 with every record committed',
        async () => {
          const progress = await probe.progress();
          return handler.committedKeys.length === 100 && progress.lag === 0 ? progress : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 200 },
      );
      expect(settled).toEqual({ lag: 0, member: true });
      // Kafka's own view agrees: the committed offsets are the high watermarks, past the markers.
      const ends = await admin.fetchTopicOffsets(input);
      const [committed] = await admin.fetchOffsets({ groupId: group, topics: [input] });
      const byPartition = new Map(committed!.partitions.map((p) => [p.partition, p.offset]));
      for (const end of ends.filter((e) => e.high !== '0'))
        expect(byPartition.get(end.partition)).toBe(end.high);
      expect(ends.some((e) => BigInt(e.high) > 0n)).toBe(true);
    } finally {
      await stage.stop();
      await probe.close();
      await admin.disconnect();
    }
    expect(await probe.progress().then((p) => p.member)).toBe(false);
    await probe.close();
  });
});
