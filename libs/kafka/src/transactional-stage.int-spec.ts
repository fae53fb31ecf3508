import type { KafkaMessage } from 'kafkajs';
import { loadConfig } from '@app/config';
import { createTopic, readTopic, testKafka, testProducer, uniqueName, waitFor } from '@app/testing';
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
});
