import type { Consumer, EachBatchPayload, IHeaders, Kafka, KafkaMessage, Producer } from 'kafkajs';
import { setTimeout as sleep } from 'node:timers/promises';
import { Partitioners } from 'kafkajs';
import { retryInPlace, type BatchObserver } from './batch-retry';
import { deadLetter, type DeadLetterReason } from './dead-letter';

import type { StageOutput } from './stage-output';

export type { StageOutput } from './stage-output';

/** Where a record was read: the position a stage stores once the record is done with. */
export interface ConsumedPosition {
  readonly topic: string;
  readonly partition: number;
  /** Kafka offset, decimal text. */
  readonly offset: string;
}

/** An input record as a stage's work sees it: decoded, with its position. */
export interface StageRecord<T> extends ConsumedPosition {
  readonly message: KafkaMessage;
  readonly value: T;
}

/** Why a record goes to the dead letters; the stage adds its own name. */
export type Rejection = Omit<DeadLetterReason, 'stage'>;

/** A record that can never be processed, whatever the retries. */
export interface Rejected {
  readonly rejected: Rejection;
  /**
   * Topic work: records written with the dead letter, in the same Kafka transaction (the
   * submission's `rejected` status).
   */
  readonly with?: readonly StageOutput[];
}

/** Reads an input record's value. */
export interface StageDecoder<T> {
  /** The value, or why it can never be read; throws only what a retry may fix (a registry away). */
  decode(message: KafkaMessage): Promise<{ readonly value: T } | Rejected>;
}

/**
 * Topic-to-topic work: a record's outputs are written in the Kafka transaction that also
 * commits its offset, so each input has its effects exactly once. `handle` throws only for
 * failures a retry may fix; they abort the chunk, which runs again.
 */
export interface TopicWork<T> {
  readonly kind: 'topics';
  handle(record: StageRecord<T>): Promise<readonly StageOutput[] | Rejected>;
  /** The transaction holding the outputs since the last call committed. */
  committed(): void;
  /** The transaction aborted: forget what was staged since the last commit. */
  aborted(): void;
}

/**
 * Sink work: a chunk's effects and its positions are written in one transaction of the sink's
 * own store, which keeps the positions (Kafka's committed offsets then serve lag monitoring
 * only). On joining the group, the stage seeks each assigned partition to the stored position.
 */
export interface SinkWork<T> {
  readonly kind: 'sink';
  /** Per partition of `topic`, the next offset to read, as the store has it. */
  storedPositions(topic: string): Promise<ReadonlyMap<number, string>>;
  /**
   * Applies `records` and stores the positions of `records` and `passed`, in one transaction.
   * A record the store refuses as data (no retry can help) is given to `deadLetter`, whose
   * promise resolves once the dead letter is written, and its position is stored afterwards.
   * Throws only for failures a retry may fix; the chunk is then applied again.
   */
  apply(
    records: readonly StageRecord<T>[],
    passed: readonly ConsumedPosition[],
    deadLetter: (record: StageRecord<T>, rejection: Rejection) => Promise<void>,
  ): Promise<void>;
}

export interface ConsumingStageOptions<T> {
  /** Names the stage in dead letters and logs. */
  readonly stage: string;
  readonly groupId: string;
  readonly inputTopic: string;
  readonly dlqTopic: string;
  /** Topic stages only; stable per instance: a restarted instance fences its predecessor's open transaction. */
  readonly transactionalId?: string;
  readonly decoder: StageDecoder<T>;
  readonly work: TopicWork<T> | SinkWork<T>;
  /** Records per chunk, one transaction each (default 500). */
  readonly maxRecordsPerTransaction?: number;
  /** ms a silent member stays in the group (kafkajs default 30 000). */
  readonly sessionTimeout?: number;
  readonly heartbeatInterval?: number;
  /** Told of each committed chunk and each retry; the stage's health. */
  readonly observer?: BatchObserver;
  /** Told of each dead letter once it is written, with its reason code (for the metrics). */
  readonly deadLettered?: (code: string) => void;
  /** Where the stage's own one-line notes go (crashes of the consumer, for instance). */
  readonly log?: (level: 'log' | 'warn', message: string) => void;
  /**
   * The input is compacted and a record without a value is a tombstone (a key deleted by
   * `cortege retention apply` or a purge): passed over. Otherwise such a record is malformed
   * and dead-lettered like any record the decoder refuses (default).
   */
  readonly skipTombstones?: boolean;
}

/**
 * The one consumer loop of every stage. It reads its input `read_committed`, in chunks of a
 * fetched batch; decodes each record, dead-lettering what can never be read or what the work
 * rejects (the original bytes and headers, with the reason); and commits each chunk in one
 * transaction: Kafka's for topic work (outputs, dead letters and offsets together), the sink's
 * store for sink work (effects and positions together; dead letters are written before).
 * A crash anywhere leaves all of a chunk's effects or none, and never loses a dead letter.
 *
 * A failure of anything but Kafka (a registry or a database that does not answer) is retried
 * in place with back-off, the partitions kept; a Kafka failure aborts the chunk and is left to
 * kafkajs, which reconnects and restarts the consumer. The position committed after a fetch
 * goes past the transaction markers it brought after its last record (and past a fetch of
 * markers only), so that an idle stage shows no lag.
 */
export class ConsumingStage<T> {
  private readonly consumer: Consumer;
  private readonly producer: Producer;
  private readonly chunkSize: number;
  private member: string | undefined;
  /** Per partition, the next offset this process knows to be committed. */
  private readonly committedNext = new Map<number, bigint>();
  /** Positions moved past markers, in order, before the stage's next chunk. */
  private markerCommits: Promise<void> = Promise.resolve();

  constructor(
    kafka: Kafka,
    private readonly options: ConsumingStageOptions<T>,
  ) {
    const { work } = options;
    if (work.kind === 'topics' && options.transactionalId === undefined)
      throw new Error(`stage ${options.stage}: topic work needs a transactionalId`);
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
      ...(work.kind === 'topics' ? { transactionalId: options.transactionalId } : {}),
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
    this.chunkSize = options.maxRecordsPerTransaction ?? 500;
    const { GROUP_JOIN, CRASH, END_BATCH_PROCESS } = this.consumer.events;
    this.consumer.on(GROUP_JOIN, ({ payload }) => {
      this.member = payload.memberId;
      this.committedNext.clear();
      if (work.kind === 'sink')
        this.seekToStored(work, payload.memberAssignment[options.inputTopic] ?? []);
    });
    this.consumer.on(CRASH, ({ payload }) => {
      this.member = undefined;
      this.options.log?.(
        'warn',
        `consumer of ${options.inputTopic} stopped on ${payload.error.name}: ${payload.error.message}; ${payload.restart ? 'kafkajs restarts it' : 'not restarted'}`,
      );
    });
    this.consumer.on(END_BATCH_PROCESS, ({ payload }) => {
      if (payload.batchSize === 0) this.movePastMarkers(payload.partition, payload.lastOffset);
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
   * Lets the chunk in flight finish or abort, leaves the group and disconnects. Bounded by
   * `timeoutMs`: with a broker down, leaving could retry for long, and the stage's atomic
   * chunks make an abandoned one harmless (aborted, fenced or applied again as a no-op).
   */
  async stop(timeoutMs = 8_000): Promise<void> {
    const disconnect = Promise.allSettled([
      this.consumer.disconnect().then(() => this.producer.disconnect()),
    ]);
    await Promise.race([disconnect, sleep(timeoutMs, undefined, { ref: false })]);
  }

  private async eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const { work, observer } = this.options;
    for (let start = 0; start < batch.messages.length; start += this.chunkSize) {
      if (!payload.isRunning() || payload.isStale()) return;
      const chunk = batch.messages.slice(start, start + this.chunkSize);
      const last = chunk[chunk.length - 1];
      if (!last) return;
      // The last chunk also covers what follows its last record in the fetch (the transaction
      // markers, aborted records): committed past them, an idle stage shows no lag.
      const next =
        start + this.chunkSize >= batch.messages.length
          ? BigInt(batch.lastOffset()) + 1n
          : BigInt(last.offset) + 1n;
      const decoded = await retryInPlace(payload, observer, () =>
        this.decodeChunk(batch.topic, batch.partition, chunk),
      );
      if (decoded === undefined) return;
      await this.markerCommits;
      const done =
        work.kind === 'topics'
          ? await this.commitTopicChunk(payload, work, decoded, next)
          : await this.commitSinkChunk(payload, work, decoded, next);
      if (!done) return;
      this.committedNext.set(batch.partition, next);
      observer?.batchCompleted();
      payload.resolveOffset(last.offset);
      await payload.heartbeat();
    }
  }

  private async decodeChunk(
    topic: string,
    partition: number,
    chunk: readonly KafkaMessage[],
  ): Promise<DecodedChunk<T>> {
    const records: StageRecord<T>[] = [];
    const letters: Letter[] = [];
    for (const message of chunk) {
      // A tombstone (no value) on a compacted input marks a key deleted (an event past its
      // retention): nothing to process, nothing to dead-letter; its offset passes with the chunk.
      if (message.value === null && this.options.skipTombstones === true) continue;
      const decoded = await this.options.decoder.decode(message);
      const position = { topic, partition, offset: message.offset };
      if ('rejected' in decoded) letters.push(this.letter(message, position, decoded.rejected));
      else records.push({ ...position, message, value: decoded.value });
    }
    return { topic, partition, records, letters };
  }

  /** Work, dead letters and the new offset in one Kafka transaction. `false`: abandoned. */
  private async commitTopicChunk(
    payload: EachBatchPayload,
    work: TopicWork<T>,
    decoded: DecodedChunk<T>,
    next: bigint,
  ): Promise<boolean> {
    const handled = await retryInPlace(
      payload,
      this.options.observer,
      async () => {
        const outputs: StageOutput[] = [];
        const letters = [...decoded.letters];
        for (const record of decoded.records) {
          const result = await work.handle(record);
          if ('rejected' in result) {
            letters.push(this.letter(record.message, record, result.rejected));
            outputs.push(...(result.with ?? []));
          } else outputs.push(...result);
        }
        // In the order the records came, whichever step refused them.
        letters.sort((a, b) => Number(BigInt(a.position.offset) - BigInt(b.position.offset)));
        return { outputs, letters };
      },
      () => work.aborted(),
    );
    if (handled === undefined) {
      work.aborted();
      return false;
    }
    const { outputs, letters } = handled;
    const transaction = await this.producer.transaction();
    try {
      const written = [...outputs, ...letters.map((l) => l.output)];
      if (written.length > 0) await transaction.sendBatch({ topicMessages: byTopic(written) });
      await transaction.sendOffsets({
        consumerGroupId: this.options.groupId,
        topics: [
          {
            topic: decoded.topic,
            partitions: [{ partition: decoded.partition, offset: next.toString() }],
          },
        ],
      });
      await transaction.commit();
    } catch (error) {
      await transaction.abort().catch(() => undefined);
      work.aborted();
      throw error;
    }
    work.committed();
    for (const letter of letters) this.options.deadLettered?.(letter.code);
    return true;
  }

  /**
   * Dead letters first (a crash before the sink commits writes them again: at least once,
   * never lost), then the records and positions in the sink's transaction, then the offset
   * to Kafka for lag monitoring. `false`: abandoned.
   */
  private async commitSinkChunk(
    payload: EachBatchPayload,
    work: SinkWork<T>,
    decoded: DecodedChunk<T>,
    next: bigint,
  ): Promise<boolean> {
    const { topic, partition, records, letters } = decoded;
    if (letters.length > 0) await this.send(letters);
    const passed: ConsumedPosition[] = letters.map((l) => l.position);
    passed.push({ topic, partition, offset: (next - 1n).toString() });
    const applied = await retryInPlace(payload, this.options.observer, async () => {
      await work.apply(records, passed, async (record, rejection) => {
        const letter = this.letter(record.message, record, rejection);
        await this.send([letter]);
        this.options.deadLettered?.(letter.code);
      });
      return true;
    });
    if (applied === undefined) return false;
    for (const letter of letters) this.options.deadLettered?.(letter.code);
    await this.consumer
      .commitOffsets([{ topic, partition, offset: next.toString() }])
      .catch((error: unknown) =>
        this.options.log?.('warn', `committing to Kafka failed: ${(error as Error).message}`),
      );
    return true;
  }

  private letter(message: KafkaMessage, position: ConsumedPosition, rejection: Rejection): Letter {
    const { options } = this;
    return {
      code: rejection.code,
      position,
      output: deadLetter(options.dlqTopic, message, position, {
        ...rejection,
        stage: options.stage,
      }),
    };
  }

  private async send(letters: readonly Letter[]): Promise<void> {
    await this.producer.send({
      topic: this.options.dlqTopic,
      messages: letters.map(({ output: { key, value, headers } }) => ({ key, value, headers })),
    });
  }

  private seekToStored(work: SinkWork<T>, partitions: readonly number[]): void {
    const topic = this.options.inputTopic;
    void work.storedPositions(topic).then(
      (stored) => {
        for (const partition of partitions) {
          const offset = stored.get(partition);
          if (offset !== undefined) this.consumer.seek({ topic, partition, offset });
        }
        this.options.log?.(
          'log',
          `assigned partitions ${partitions.join(', ') || 'none'} of ${topic}; resuming from ${partitions.map((p) => `${p}@${stored.get(p) ?? 'start'}`).join(', ')}`,
        );
      },
      (error: unknown) =>
        this.options.log?.(
          'warn',
          `reading the stored positions failed: ${(error as Error).message}`,
        ),
    );
  }

  /**
   * A fetch that brought only transaction markers (or aborted records) never reaches
   * `eachBatch`; kafkajs moves its own position past them but stores nothing when it does not
   * auto-commit. Store that position (in Kafka, or in the sink's store: there is nothing to
   * make atomic), after any earlier such move and before the stage's next chunk, never
   * backwards.
   */
  private movePastMarkers(partition: number, lastOffset: string): void {
    const topic = this.options.inputTopic;
    const next = BigInt(lastOffset) + 1n;
    const { work } = this.options;
    this.markerCommits = this.markerCommits.then(async () => {
      if (next <= (this.committedNext.get(partition) ?? -1n)) return;
      try {
        if (work.kind === 'sink')
          await work.apply([], [{ topic, partition, offset: lastOffset }], () => Promise.resolve());
        else await this.consumer.commitOffsets([{ topic, partition, offset: next.toString() }]);
        this.committedNext.set(partition, next);
      } catch (error) {
        // The next chunk's commit stores a later position anyway; only the lag shows it.
        this.options.log?.(
          'warn',
          `storing the position past the markers of ${topic}/${partition} failed: ${(error as Error).message}`,
        );
      }
    });
  }
}

interface Letter {
  readonly code: string;
  readonly position: ConsumedPosition;
  readonly output: StageOutput;
}

interface DecodedChunk<T> {
  readonly topic: string;
  readonly partition: number;
  readonly records: readonly StageRecord<T>[];
  readonly letters: readonly Letter[];
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
