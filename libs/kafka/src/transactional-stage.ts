import type { Consumer, EachBatchPayload, IHeaders, Kafka, KafkaMessage, Producer } from 'kafkajs';
import { setTimeout as sleep } from 'node:timers/promises';
import { Partitioners } from 'kafkajs';
import { retryInPlace, type BatchObserver } from './batch-retry';

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
  /** ms a silent member stays in the group (kafkajs default 30 000). */
  readonly sessionTimeout?: number;
  readonly heartbeatInterval?: number;
  /** Told of each committed batch and each retry; the stage's health. */
  readonly observer?: BatchObserver;
  /** Where the stage's own one-line notes go (crashes of the consumer, for instance). */
  readonly log?: (level: 'log' | 'warn', message: string) => void;
}

/**
 * Consume → transform → produce, exactly once: each chunk of a fetched batch is one Kafka
 * transaction holding its outputs and the consumer group's new offsets (`sendOffsets`); inputs
 * are read `read_committed`. A crash anywhere leaves either all of a chunk's effects or none.
 *
 * A handler failure (a registry or a database that does not answer) is retried in place with
 * back-off, the partitions kept; a Kafka failure aborts the transaction and is left to kafkajs,
 * which reconnects and restarts the consumer. The offsets committed go past the transaction
 * markers a fetch brought after its last record (and past a fetch of markers only), so that an
 * idle stage shows no lag.
 */
export class TransactionalStage {
  private readonly consumer: Consumer;
  private readonly producer: Producer;
  private readonly chunkSize: number;
  private member: string | undefined;
  /** Per partition, the next offset this process knows to be committed. */
  private readonly committedNext = new Map<number, bigint>();
  /** Commits past markers, in order, before the next transaction of the same stage. */
  private markerCommits: Promise<void> = Promise.resolve();

  constructor(
    kafka: Kafka,
    private readonly options: TransactionalStageOptions,
    private readonly handler: StageHandler,
  ) {
    this.consumer = kafka.consumer({
      groupId: options.groupId,
      readUncommitted: false,
      maxWaitTimeInMs: 200,
      ...(options.sessionTimeout !== undefined ? { sessionTimeout: options.sessionTimeout } : {}),
      ...(options.heartbeatInterval !== undefined
        ? { heartbeatInterval: options.heartbeatInterval }
        : {}),
    });
    this.producer = kafka.producer({
      transactionalId: options.transactionalId,
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    this.chunkSize = options.maxRecordsPerTransaction ?? 500;
    const { GROUP_JOIN, CRASH, END_BATCH_PROCESS } = this.consumer.events;
    this.consumer.on(GROUP_JOIN, ({ payload }) => {
      this.member = payload.memberId;
      this.committedNext.clear();
    });
    this.consumer.on(CRASH, ({ payload }) => {
      this.member = undefined;
      this.options.log?.(
        'warn',
        `consumer of ${options.inputTopic} stopped on ${payload.error.name}: ${payload.error.message}; ${payload.restart ? 'kafkajs restarts it' : 'not restarted'}`,
      );
    });
    this.consumer.on(END_BATCH_PROCESS, ({ payload }) => {
      if (payload.batchSize === 0) this.commitPastMarkers(payload.partition, payload.lastOffset);
    });
  }

  /** This process's member id in the group, once it has joined. */
  get memberId(): string | undefined {
    return this.member;
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

  /**
   * Lets the batch in flight finish or abort, leaves the group and disconnects. Bounded by
   * `timeoutMs`: with a broker down, leaving could retry for long, and exactly-once makes an
   * abandoned chunk harmless (its transaction is aborted or fenced by the next instance).
   */
  async stop(timeoutMs = 8_000): Promise<void> {
    const disconnect = Promise.allSettled([
      this.consumer.disconnect().then(() => this.producer.disconnect()),
    ]);
    await Promise.race([disconnect, sleep(timeoutMs, undefined, { ref: false })]);
  }

  private async eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const source = { topic: batch.topic, partition: batch.partition };
    for (let start = 0; start < batch.messages.length; start += this.chunkSize) {
      if (!payload.isRunning() || payload.isStale()) return;
      const chunk = batch.messages.slice(start, start + this.chunkSize);
      const last = chunk[chunk.length - 1];
      if (!last) return;
      const outputs = await retryInPlace(
        payload,
        this.options.observer,
        async () => {
          const staged: StageOutput[] = [];
          for (const message of chunk) staged.push(...(await this.handler.handle(message, source)));
          return staged;
        },
        () => this.handler.aborted(),
      );
      if (outputs === undefined) {
        this.handler.aborted();
        return;
      }
      await this.markerCommits;
      // The last chunk also covers what follows its last record in the fetch (the transaction
      // markers, aborted records): committed past them, an idle stage shows no lag.
      const next =
        start + this.chunkSize >= batch.messages.length
          ? BigInt(batch.lastOffset()) + 1n
          : BigInt(last.offset) + 1n;
      const transaction = await this.producer.transaction();
      try {
        if (outputs.length > 0) await transaction.sendBatch({ topicMessages: byTopic(outputs) });
        await transaction.sendOffsets({
          consumerGroupId: this.options.groupId,
          topics: [
            {
              topic: batch.topic,
              partitions: [{ partition: batch.partition, offset: next.toString() }],
            },
          ],
        });
        await transaction.commit();
      } catch (error) {
        await transaction.abort().catch(() => undefined);
        this.handler.aborted();
        throw error;
      }
      this.committedNext.set(batch.partition, next);
      this.handler.committed();
      this.options.observer?.batchCompleted();
      payload.resolveOffset(last.offset);
      await payload.heartbeat();
    }
  }

  /**
   * A fetch that brought only transaction markers (or aborted records) never reaches
   * `eachBatch`; kafkajs moves its own position past them but commits nothing when it does not
   * auto-commit. Commit that position (a plain commit: there is nothing to make atomic), after
   * any earlier such commit and before the stage's next transaction, never backwards.
   */
  private commitPastMarkers(partition: number, lastOffset: string): void {
    const next = BigInt(lastOffset) + 1n;
    this.markerCommits = this.markerCommits.then(async () => {
      if (next <= (this.committedNext.get(partition) ?? -1n)) return;
      try {
        await this.consumer.commitOffsets([
          { topic: this.options.inputTopic, partition, offset: next.toString() },
        ]);
        this.committedNext.set(partition, next);
      } catch (error) {
        // The next batch's transaction commits a later offset anyway; only the lag shows it.
        this.options.log?.(
          'warn',
          `committing past the markers of ${this.options.inputTopic}/${partition} failed: ${(error as Error).message}`,
        );
      }
    });
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
