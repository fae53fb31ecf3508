import type { Kafka } from 'kafkajs';

export interface TopicSpec {
  readonly topic: string;
  readonly numPartitions: number;
  /** Broker topic configs, e.g. `{ 'cleanup.policy': 'compact' }`. */
  readonly configs?: Readonly<Record<string, string>>;
}

/** Creates the topics that do not exist yet (replication factor from the broker's default). */
export async function ensureTopics(kafka: Kafka, specs: readonly TopicSpec[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = specs.filter((s) => !existing.has(s.topic));
    if (missing.length === 0) return;
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((s) => ({
        topic: s.topic,
        numPartitions: s.numPartitions,
        configEntries: Object.entries(s.configs ?? {}).map(([name, value]) => ({ name, value })),
      })),
    });
  } finally {
    await admin.disconnect();
  }
}

/**
 * Reads a topic from its beginning up to the end offsets it had when called, passing each
 * record's key and headers to `visit` (values are not decoded). Used to rebuild in-memory
 * state, such as the highest revision passed per event, at start-up. A partition is done when
 * a batch reaches its end offset (allowing for one trailing transaction marker); as aborted
 * records and markers are invisible to a `read_committed` reader, `idleMs` (ms) without any
 * record also ends the scan.
 */
export async function scanTopic(
  kafka: Kafka,
  topic: string,
  visit: (key: Buffer | null, headers: Record<string, string>) => void,
  idleMs = 3000,
): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic).finally(() => admin.disconnect());
  const remaining = new Map(
    ends.filter((e) => BigInt(e.high) > BigInt(e.low)).map((e) => [e.partition, BigInt(e.high)]),
  );
  if (remaining.size === 0) return 0;
  const consumer = kafka.consumer({
    groupId: `scan-${topic}-${process.pid}-${Date.now()}`,
    readUncommitted: false,
    maxWaitTimeInMs: 100,
  });
  let seen = 0;
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      let idle = setTimeout(resolve, idleMs * 3);
      const done = () => {
        clearTimeout(idle);
        resolve();
      };
      consumer
        .run({
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            clearTimeout(idle);
            idle = setTimeout(done, idleMs);
            for (const message of batch.messages) {
              const headers: Record<string, string> = {};
              for (const [name, value] of Object.entries(message.headers ?? {})) {
                if (value !== undefined)
                  headers[name] = Buffer.isBuffer(value) ? value.toString() : String(value);
              }
              visit(message.key, headers);
              seen++;
            }
            // The last stable offset can sit past the last record (transaction markers).
            const end = remaining.get(batch.partition);
            if (
              end !== undefined &&
              BigInt(batch.highWatermark) >= end &&
              BigInt(batch.lastOffset()) + 2n >= end
            ) {
              remaining.delete(batch.partition);
            }
            if (remaining.size === 0) done();
            return Promise.resolve();
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return seen;
}
