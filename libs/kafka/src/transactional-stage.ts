import type { Consumer, EachBatchPayload, IHeaders, Kafka, KafkaMessage, Producer } from 'kafkajs';
import { Partitioners } from 'kafkajs';

/** A record a stage writes for one input. */
export interface StageOutput {
  readonly topic: string;
  readonly key: Buffer | string | null;
  readonly value: Buffer | null;
  readonly headers?: IHeaders;
}

/**
 * What a topic-to-topic stage does with each input record. `handle` returns the records to
 * write for it (possibly none); it throws only for retriable failures, which abort the
 * transaction and make the batch run again. Poison inputs are the handler's to dead-letter.
 */
export interface StageHandler {
  handle(
    message: KafkaMessage,
    source: { readonly topic: string; readonly partition: number },
  ): Promise<StageOutput[]>;
  /** The transaction holding the outputs since the last call committed. */
  committed(): void;
  /** The transaction aborted: forget what was staged since the last commit. */
  aborted(): void;
}

export interface TransactionalStageOptions {
  readonly groupId: string;
  readonly inputTopic: string;
  /** Stable per instance: a restarted instance fences its predecessor's open transaction. */
  readonly transactionalId: string;
  /** Records per transaction (default 500). */
  readonly maxRecordsPerTransaction?: number;
}

/**
 * Consume → transform → produce, exactly once: each chunk of a fetched batch is one Kafka
 * transaction holding its outputs and the consumer group's new offsets (`sendOffsets`); inputs
 * are read `read_committed`. A crash anywhere leaves either all of a chunk's effects or none.
 */
export class TransactionalStage {
  private readonly consumer: Consumer;
  private readonly producer: Producer;
  private readonly chunkSize: number;

  constructor(
    kafka: Kafka,
    private readonly options: TransactionalStageOptions,
    private readonly handler: StageHandler,
  ) {
    this.consumer = kafka.consumer({
      groupId: options.groupId,
      readUncommitted: false,
      maxWaitTimeInMs: 200,
    });
    this.producer = kafka.producer({
      transactionalId: options.transactionalId,
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    this.chunkSize = options.maxRecordsPerTransaction ?? 500;
  }

  async start(): Promise<void> {
    await this.producer.connect();
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.options.inputTopic, fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: (payload) => this.eachBatch(payload),
    });
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
    await this.producer.disconnect();
  }

  private async eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    for (let start = 0; start < batch.messages.length; start += this.chunkSize) {
      if (!payload.isRunning() || payload.isStale()) return;
      const chunk = batch.messages.slice(start, start + this.chunkSize);
      const last = chunk[chunk.length - 1];
      if (!last) return;
      const transaction = await this.producer.transaction();
      try {
        const outputs: StageOutput[] = [];
        for (const message of chunk) {
          outputs.push(
            ...(await this.handler.handle(message, {
              topic: batch.topic,
              partition: batch.partition,
            })),
          );
        }
        if (outputs.length > 0) await transaction.sendBatch({ topicMessages: byTopic(outputs) });
        await transaction.sendOffsets({
          consumerGroupId: this.options.groupId,
          topics: [
            {
              topic: batch.topic,
              partitions: [
                { partition: batch.partition, offset: (BigInt(last.offset) + 1n).toString() },
              ],
            },
          ],
        });
        await transaction.commit();
      } catch (error) {
        await transaction.abort().catch(() => undefined);
        this.handler.aborted();
        throw error;
      }
      this.handler.committed();
      payload.resolveOffset(last.offset);
      await payload.heartbeat();
    }
  }
}

function byTopic(outputs: readonly StageOutput[]) {
  const topics = new Map<
    string,
    Array<{ key: Buffer | string | null; value: Buffer | null; headers?: IHeaders }>
  >();
  for (const { topic, key, value, headers } of outputs) {
    const messages = topics.get(topic) ?? [];
    messages.push(headers ? { key, value, headers } : { key, value });
    topics.set(topic, messages);
  }
  return [...topics].map(([topic, messages]) => ({ topic, messages }));
}
