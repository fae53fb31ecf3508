import { setTimeout as sleep } from 'node:timers/promises';
import type { Admin, Kafka } from 'kafkajs';

export interface TopicSpec {
  readonly topic: string;
  readonly numPartitions: number;
  /** Broker topic configs, e.g. `{ 'cleanup.policy': 'compact' }`. */
  readonly configs?: Readonly<Record<string, string>>;
}

/**
 * Creates the topics that do not exist yet (replication factor from the broker's default),
 * then waits until every partition of every spec is served (see `waitForTopicsServed`).
 * Another process creating the same topic at the same time is fine.
 */
export async function ensureTopics(
  kafka: Kafka,
  specs: readonly TopicSpec[],
  timeoutMs = 60_000,
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = specs.filter((s) => !existing.has(s.topic));
    if (missing.length > 0) {
      // Leaders are awaited below, more thoroughly than kafkajs's waitForLeaders does.
      await admin.createTopics({
        waitForLeaders: false,
        topics: missing.map((s) => ({
          topic: s.topic,
          numPartitions: s.numPartitions,
          configEntries: Object.entries(s.configs ?? {}).map(([name, value]) => ({ name, value })),
        })),
      });
    }
    await waitForTopicsServed(
      admin,
      specs.map((s) => s.topic),
      timeoutMs,
    );
  } finally {
    await admin.disconnect();
  }
}

/**
 * Waits until the broker serves each topic: its metadata lists every partition with a leader,
 * and each leader answers a list-offsets request for it. A topic just created is announced by
 * the controller before every broker hosts its partitions, and kafkajs's `waitForLeaders` does
 * not retry "This server does not host this topic-partition"; this does, with back-off, for
 * every retriable answer, until `timeoutMs` (ms) have passed (then it throws the last error).
 */
export async function waitForTopicsServed(
  admin: Admin,
  topics: readonly string[],
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 1; ; attempt++) {
    try {
      const { topics: metadata } = await admin.fetchTopicMetadata({ topics: [...topics] });
      const unled = metadata.flatMap((t) =>
        t.partitions.filter((p) => p.leader < 0).map((p) => `${t.name}/${p.partitionId}`),
      );
      if (unled.length > 0) throw new TopicNotServedError(`no leader yet for ${unled.join(', ')}`);
      for (const topic of topics) await admin.fetchTopicOffsets(topic);
      return;
    } catch (error) {
      const { retriable, cause } = error as {
        retriable?: boolean;
        cause?: { retriable?: boolean };
      };
      // kafkajs's own retries end in a non-retriable "retries exceeded" around a retriable cause.
      const worthRetrying =
        error instanceof TopicNotServedError || retriable === true || cause?.retriable === true;
      if (!worthRetrying || Date.now() >= deadline) throw error;
      await sleep(Math.min(1_000, 50 * 2 ** Math.min(attempt, 5)));
    }
  }
}

/** Retriable: a stage that gives up waiting at start tries again later (see `isRetriable`). */
class TopicNotServedError extends Error {
  override readonly name = 'TopicNotServedError';
  readonly retriable = true;
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
