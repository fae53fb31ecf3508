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
  idleMs = 3000,
): Promise<number> {
  return readRange(kafka, topic, {
    idleMs,
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
  /** ms without any record after which the read ends (aborted records and markers are invisible). */
  readonly idleMs?: number;
  /**
   * Each fetched batch's records, in offset order per partition, awaited before the next one.
   * Returning `false` ends the read there.
   */
  readonly onBatch: (
    partition: number,
    messages: KafkaMessage[],
  ) => Promise<boolean | void> | boolean | void;
}

/**
 * Reads a topic `read_committed`, from `read.from` (or the beginning) up to the end offsets it
 * had when called, in a throwaway consumer group that commits nothing. A partition is done when
 * a batch reaches its end offset (allowing for one trailing transaction marker); `idleMs`
 * without any record also ends the read. Returns how many records were passed on.
 */
export async function readRange(kafka: Kafka, topic: string, read: RangeRead): Promise<number> {
  const idleMs = read.idleMs ?? 3000;
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic).finally(() => admin.disconnect());
  const start = (partition: number, low: string) => BigInt(read.from?.get(partition) ?? low);
  const remaining = new Map(
    ends
      .filter((e) => BigInt(e.high) > start(e.partition, e.low))
      .map((e) => [e.partition, BigInt(e.high)]),
  );
  if (remaining.size === 0) return 0;
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
      let idle = setTimeout(resolve, idleMs * 3);
      let ended = false;
      const done = () => {
        ended = true;
        clearTimeout(idle);
        resolve();
      };
      consumer
        .run({
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            if (ended) return;
            clearTimeout(idle);
            const end = remaining.get(batch.partition);
            const first = BigInt(read.from?.get(batch.partition) ?? 0);
            const messages = batch.messages.filter(
              (m) => BigInt(m.offset) >= first && (end === undefined || BigInt(m.offset) < end),
            );
            if (messages.length > 0) {
              seen += messages.length;
              if ((await read.onBatch(batch.partition, messages)) === false) return done();
            }
            // The last stable offset can sit past the last record (transaction markers).
            if (
              end !== undefined &&
              BigInt(batch.highWatermark) >= end &&
              BigInt(batch.lastOffset()) + 2n >= end
            ) {
              remaining.delete(batch.partition);
            }
            if (remaining.size === 0) return done();
            idle = setTimeout(done, idleMs);
          },
        })
        .catch(reject);
      for (const [partition, offset] of read.from ?? [])
        if (remaining.has(partition)) consumer.seek({ topic, partition, offset });
    });
  } finally {
    await consumer.disconnect();
  }
  return seen;
}
