import type { IHeaders, Kafka, KafkaMessage } from 'kafkajs';

/**
 * Reads a topic from its beginning up to the end offsets it had when called, passing each
 * record's key and headers to `visit` (values are not decoded). Used to rebuild in-memory
 * state, such as the highest revision passed per event, at start-up.
 */
export async function scanTopic(
  kafka: Kafka,
  topic: string,
  visit: (key: Buffer | null, headers: Record<string, string>) => void,
): Promise<number> {
  return readRange(kafka, topic, {
    onBatch: (_partition, messages) => {
      for (const message of messages) visit(message.key, textHeaders(message.headers));
    },
  });
}

/** A record's headers as text (kafkajs gives buffers). */
export function textHeaders(headers: IHeaders | undefined): Record<string, string> {
  const text: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value !== undefined) text[name] = Buffer.isBuffer(value) ? value.toString() : String(value);
  }
  return text;
}

export interface RangeRead {
  /** Per partition, the first offset to read (decimal text); the earliest when absent. */
  readonly from?: ReadonlyMap<number, string>;
  /**
   * Each fetched batch's records, in offset order per partition, awaited before the next one.
   * Returning `false` ends the read there.
   */
  readonly onBatch: (
    partition: number,
    messages: KafkaMessage[],
  ) => Promise<boolean | void> | boolean | void;
}

/** How long a read may go without any batch from the broker before it fails. */
export const READ_STALL_MS = 60_000;

/**
 * Reads a topic `read_committed`, from `read.from` (or the beginning) up to the end offsets it
 * had when called (its last stable offsets), in a throwaway consumer group that commits
 * nothing, and returns how many records were passed on.
 *
 * A partition is done when a fetched batch reaches its end offset. The consumer's batch events
 * count too, so a tail of aborted records or transaction markers (which no record shows) ends
 * its partition as soon as it is fetched: the read never ends on a quiet moment, however long
 * a busy broker takes to answer, and never returns short. A read that gets no batch at all for
 * `READ_STALL_MS` fails, naming the partitions and offsets it was waiting for.
 */
export async function readRange(kafka: Kafka, topic: string, read: RangeRead): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic).finally(() => admin.disconnect());
  const start = (partition: number, low: string) => BigInt(read.from?.get(partition) ?? low);
  /** Per partition with something to read, its end offset; records from there on are not read. */
  const endOf: ReadonlyMap<number, bigint> = new Map(
    ends
      .filter((e) => BigInt(e.high) > start(e.partition, e.low))
      .map((e) => [e.partition, BigInt(e.high)]),
  );
  if (endOf.size === 0) return 0;
  const remaining = new Map(endOf);
  const consumer = kafka.consumer({
    groupId: `read-${topic}-${process.pid}-${Date.now()}`,
    readUncommitted: false,
    maxWaitTimeInMs: 100,
  });
  let seen = 0;
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      let ended = false;
      let stall: NodeJS.Timeout | undefined;
      const finish = (error?: Error) => {
        if (ended) return;
        ended = true;
        clearTimeout(stall);
        removeListener();
        if (error === undefined) resolve();
        else reject(error);
      };
      const stalled = () =>
        finish(
          new Error(
            `reading ${topic}: no batch from the broker for ${READ_STALL_MS / 1000} s; still to read: ` +
              [...remaining].map(([p, end]) => `partition ${p} up to offset ${end}`).join(', '),
          ),
        );
      const armStall = () => {
        clearTimeout(stall);
        stall = setTimeout(stalled, READ_STALL_MS);
      };
      /** A batch of `partition` (delivered or all filtered out) went up to `lastOffset`. */
      const reached = (partition: number, lastOffset: string) => {
        armStall();
        const end = remaining.get(partition);
        if (end !== undefined && BigInt(lastOffset) + 1n >= end) remaining.delete(partition);
        if (remaining.size === 0) finish();
      };
      // Emitted for every batch, also one whose records were all aborted or markers, which
      // never reaches `eachBatch`.
      const removeListener = consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
        if (payload.topic === topic) reached(payload.partition, payload.lastOffset);
      });
      armStall();
      consumer
        .run({
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            if (ended) return;
            // A partition already done, or with nothing to read, may still be fetched: what
            // was written there since the read began is not part of it.
            const end = endOf.get(batch.partition) ?? 0n;
            const first = BigInt(read.from?.get(batch.partition) ?? 0);
            const messages = batch.messages.filter(
              (m) => BigInt(m.offset) >= first && BigInt(m.offset) < end,
            );
            if (messages.length === 0) return;
            seen += messages.length;
            // The caller's work on a batch is no silence from the broker.
            clearTimeout(stall);
            const more = await read.onBatch(batch.partition, messages);
            if (more === false) finish();
            else if (!ended) armStall();
          },
        })
        .catch((error: Error) => finish(error));
      for (const [partition, offset] of read.from ?? [])
        if (endOf.has(partition)) consumer.seek({ topic, partition, offset });
    });
  } finally {
    await consumer.disconnect();
  }
  return seen;
}
