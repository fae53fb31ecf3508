import type { KafkaMessage } from 'kafkajs';
import { loadConfig } from '@app/config';
import { createTopic, readTopic, testKafka, testProducer, uniqueName, waitFor } from '@app/testing';
import {
  ConsumingStage,
  type ConsumingStageOptions,
  type Rejected,
  type StageDecoder,
  type StageOutput,
  type StageRecord,
  type TopicWork,
} from './consuming-stage';
import { DLQ_HEADERS } from './dead-letter';
import { ConsumerGroupProbe } from './group-probe';

const config = loadConfig();
const kafka = testKafka(config);

/** Reads values as text; a value that is not text of the form `v-…` can never be read. */
const text: StageDecoder<string> = {
  decode: (message: KafkaMessage) => {
    const value = message.value?.toString() ?? '';
    return Promise.resolve(
      value.startsWith('v-')
        ? { value }
        : { rejected: { code: 'not_text', message: `offset ${message.offset} is not text` } },
    );
  },
};

/**
 * Copies each input to the output topic; fails (retriably) once on the inputs it is told to;
 * rejects the values it is told to.
 */
class CopyHandler implements TopicWork<string> {
  readonly kind = 'topics';
  readonly committedKeys: string[] = [];
  private staged: string[] = [];
  private readonly failedOnce = new Set<string>();

  constructor(
    private readonly output: string,
    private readonly failOnceOn: ReadonlySet<string>,
    private readonly rejectValues: ReadonlySet<string> = new Set(),
  ) {}

  handle({ message, value }: StageRecord<string>): Promise<StageOutput[] | Rejected> {
    const key = String(message.key);
    if (this.failOnceOn.has(key) && !this.failedOnce.has(key)) {
      this.failedOnce.add(key);
      return Promise.reject(new Error(`transient failure on ${key}`));
    }
    if (this.rejectValues.has(value))
      return Promise.resolve({ rejected: { code: 'refused', message: `${key} is refused` } });
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

const stageOf = (
  options: Pick<ConsumingStageOptions<string>, 'inputTopic' | 'work'> &
    Partial<ConsumingStageOptions<string>>,
) =>
  new ConsumingStage<string>(kafka, {
    stage: 'test',
    groupId: uniqueName('stage-group'),
    dlqTopic: uniqueName('stage.dlq'),
    transactionalId: uniqueName('stage-tx'),
    decoder: text,
    ...options,
  });

describe('ConsumingStage', () => {
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
    const stage = stageOf({ inputTopic: input, work: handler, maxRecordsPerTransaction: 50 });
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

  it.each([
    ['dead-letters a record without a value on an ordinary input', false, ['k2']],
    ['passes over a tombstone on a compacted input', true, []],
  ])('%s', async (_what, skipTombstones, deadKeys) => {
    const input = uniqueName('stage.null-in');
    const output = uniqueName('stage.null-out');
    const dlqTopic = uniqueName('stage.null-dlq');
    const admin = kafka.admin();
    await admin.connect();
    await createTopic(admin, input, 1);
    await createTopic(admin, output, 1);
    await createTopic(admin, dlqTopic, 1);
    await admin.disconnect();
    const producer = testProducer(kafka);
    await producer.connect();
    await producer.send({
      topic: input,
      messages: [
        { key: 'k1', value: 'v-k1' },
        { key: 'k2', value: null },
        { key: 'k3', value: 'v-k3' },
      ],
    });
    await producer.disconnect();

    const handler = new CopyHandler(output, new Set());
    const stage = stageOf({ inputTopic: input, dlqTopic, work: handler, skipTombstones });
    await stage.start();
    try {
      await waitFor(
        'both values committed',
        () => (handler.committedKeys.length >= 2 ? true : undefined),
        { timeoutMs: 60_000 },
      );
    } finally {
      await stage.stop();
    }
    expect(handler.committedKeys.sort()).toEqual(['k1', 'k3']);
    const dead = await readTopic(kafka, dlqTopic, deadKeys.length + 1, { timeoutMs: 5000 });
    expect(dead.map((m) => String(m.message.key))).toEqual(deadKeys);
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
        messages: Array.from({ length: 20 }, (_, i) => ({ key: `t${t}-${i}`, value: 'v-' })),
      });
      await transaction.commit();
    }
    await writer.disconnect();

    const handler = new CopyHandler(output, new Set());
    const stage = stageOf({ groupId: group, inputTopic: input, work: handler });
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

  it("dead-letters what cannot be decoded and what the work rejects, with the original bytes, in the chunk's transaction", async () => {
    const input = uniqueName('stage.dl-in');
    const output = uniqueName('stage.dl-out');
    const dlq = uniqueName('stage.dl-dlq');
    const admin = kafka.admin();
    await admin.connect();
    for (const topic of [input, output, dlq]) await createTopic(admin, topic, 1);
    await admin.disconnect();
    const values = ['v-a', 'garbage', 'v-refused', 'v-b', '\u0000\u0001binary'];
    const producer = testProducer(kafka);
    await producer.connect();
    await producer.send({
      topic: input,
      messages: values.map((value, i) => ({ key: `k${i}`, value, headers: { origin: `h${i}` } })),
    });
    await producer.disconnect();

    const handler = new CopyHandler(output, new Set(['k3']), new Set(['v-refused']));
    const counted: string[] = [];
    const stage = stageOf({
      inputTopic: input,
      dlqTopic: dlq,
      work: handler,
      maxRecordsPerTransaction: 5,
      deadLettered: (code) => counted.push(code),
    });
    await stage.start();
    try {
      await waitFor(
        'every input done',
        () => (counted.length + handler.committedKeys.length >= 5 ? true : undefined),
        {
          timeoutMs: 60_000,
        },
      );
    } finally {
      await stage.stop();
    }
    const letters = await readTopic(kafka, dlq, 4, { timeoutMs: 5000 });
    expect(
      letters.map(({ message: m }) => [
        String(m.key),
        String(m.value),
        String(m.headers?.origin),
        String(m.headers?.[DLQ_HEADERS.reason]),
        String(m.headers?.[DLQ_HEADERS.stage]),
        String(m.headers?.[DLQ_HEADERS.sourceOffset]),
      ]),
    ).toEqual([
      ['k1', 'garbage', 'h1', 'not_text', 'test', '1'],
      ['k2', 'v-refused', 'h2', 'refused', 'test', '2'],
      ['k4', '\u0000\u0001binary', 'h4', 'not_text', 'test', '4'],
    ]);
    expect(counted.sort()).toEqual(['not_text', 'not_text', 'refused']);
    expect(handler.committedKeys.sort()).toEqual(['k0', 'k3']);
    const copied = await readTopic(kafka, output, 3, { timeoutMs: 5000 });
    expect(copied.map((m) => String(m.message.key)).sort()).toEqual(['k0', 'k3']);
  });
});
