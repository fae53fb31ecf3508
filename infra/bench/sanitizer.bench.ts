/**
 * Sanitizer throughput beside a raw consume-and-produce of the same bytes, both through the
 * same exactly-once stage (one transaction per 500 records), on the same input topic, with a
 * fresh consumer group per run. Rounds alternate so machine noise hits both alike.
 */
import { RevisionGate, SUBMISSION_SCHEMA, type Submission } from '@app/contracts';
import { loadConfig } from '@app/config';
import {
  ConsumingStage,
  kafkaFromConfig,
  type Rejected,
  type StageDecoder,
  type StageOutput,
  type StageRecord,
  type TopicWork,
} from '@app/kafka';
import { DEFAULT_SANITIZATION_POLICY } from '@app/sanitization';
import { AvroSerde, RegistryClient } from '@app/schema-registry';
import { avroDecoder } from '@app/stage-runtime';
import { StatusWriter, SUBMISSION_STATUS_SCHEMA, type StatusRecord } from '@app/submission-status';
import { createTopic, uniqueName, waitFor } from '@app/testing';
import { SanitizerHandler, SanitizerMetrics } from '../../apps/sanitizer/src';
import { stackUp } from '../local/src/stack';
import { chunks, median, realisticSubmissions } from './bench.util';

const COUNT = 20_000;
const ROUNDS = 3;

/** Counts what each committed transaction held, from the first record in to the last commit. */
class Counting<T> implements TopicWork<T> {
  readonly kind = 'topics';
  done = 0;
  firstAt = 0n;
  lastAt = 0n;
  private staged = 0;
  constructor(private readonly inner: TopicWork<T>) {}
  handle(record: StageRecord<T>): Promise<readonly StageOutput[] | Rejected> {
    if (this.firstAt === 0n) this.firstAt = process.hrtime.bigint();
    this.staged++;
    return this.inner.handle(record);
  }
  committed(): void {
    this.inner.committed();
    this.done += this.staged;
    this.lastAt = process.hrtime.bigint();
    this.staged = 0;
  }
  aborted(): void {
    this.inner.aborted();
    this.staged = 0;
  }
}

/** The bytes as they are: the raw run decodes nothing. */
const bytes: StageDecoder<Buffer | null> = {
  decode: (message) => Promise.resolve({ value: message.value }),
};

const copyTo = (topic: string): TopicWork<Buffer | null> => ({
  kind: 'topics',
  handle: ({ message }) => Promise.resolve([{ topic, key: message.key, value: message.value }]),
  committed: () => undefined,
  aborted: () => undefined,
});

export async function sanitizerBench(): Promise<Record<string, number>> {
  const config = loadConfig();
  await stackUp(config);
  const kafka = kafkaFromConfig({ ...config, logLevel: 'error' }, 'bench');
  const input = uniqueName('bench.san.in');
  const output = uniqueName('bench.san.out');
  const dlq = uniqueName('bench.san.dlq');
  const statusTopic = uniqueName('bench.san.status');
  const admin = kafka.admin();
  await admin.connect();
  for (const topic of [input, output, dlq, statusTopic]) await createTopic(admin, topic, 6);
  await admin.disconnect();

  const registry = new RegistryClient(config.registry.url);
  const inputSerde = await AvroSerde.register<Submission>(registry, input, SUBMISSION_SCHEMA);
  const outputSerde = await AvroSerde.register<Submission>(registry, output, SUBMISSION_SCHEMA);
  // Each submission's status, as the stage writes it, in the same transactions.
  const status = new StatusWriter(
    statusTopic,
    await AvroSerde.register<StatusRecord>(registry, statusTopic, SUBMISSION_STATUS_SCHEMA),
    'sanitizer',
  );
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  for (const batch of chunks(realisticSubmissions(COUNT), 500)) {
    await producer.send({
      topic: input,
      messages: batch.map((s) => ({ key: s.eventId, value: inputSerde.encode(s) })),
    });
  }
  await producer.disconnect();

  const runStage = async <T>(decoder: StageDecoder<T>, inner: TopicWork<T>) => {
    const handler = new Counting(inner);
    const stage = new ConsumingStage<T>(kafka, {
      stage: 'bench',
      groupId: uniqueName('bench-san'),
      inputTopic: input,
      dlqTopic: dlq,
      transactionalId: uniqueName('bench-san-tx'),
      decoder,
      work: handler,
    });
    // Timed from the first record to the last commit: the group join is not the stage's work.
    await stage.start();
    await waitFor('all records through', () => (handler.done >= COUNT ? true : undefined), {
      timeoutMs: 600_000,
      intervalMs: 20,
    });
    await stage.stop();
    return COUNT / (Number(handler.lastAt - handler.firstAt) / 1e9);
  };

  const results: Record<'raw' | 'sanitizer', number[]> = { raw: [], sanitizer: [] };
  for (let round = 0; round < ROUNDS; round++) {
    results.raw.push(await runStage(bytes, copyTo(output)));
    const sanitizer = new SanitizerHandler(
      output,
      outputSerde,
      DEFAULT_SANITIZATION_POLICY,
      new RevisionGate(),
      new SanitizerMetrics(),
      status,
    );
    const decoder = avroDecoder(
      AvroSerde.forDecoding<Submission>(registry, input, SUBMISSION_SCHEMA),
    );
    results.sanitizer.push(await runStage(decoder, sanitizer));
  }
  const raw = median(results.raw);
  const sanitizer = median(results.sanitizer);
  return {
    'sanitizer.raw_consume_produce_per_s': Math.round(raw),
    'sanitizer.stage_per_s': Math.round(sanitizer),
    'sanitizer.stage_over_raw': Number((sanitizer / raw).toFixed(2)),
  };
}
