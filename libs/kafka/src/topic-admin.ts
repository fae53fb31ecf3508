import { setTimeout as sleep } from 'node:timers/promises';
import type { Admin, Kafka } from 'kafkajs';
import { alignTopicConfigs, type TopicConfigChange } from './topic-retention';

export interface TopicSpec {
  readonly topic: string;
  readonly numPartitions: number;
  /** Broker topic configs, e.g. `{ 'cleanup.policy': 'compact' }`. */
  readonly configs?: Readonly<Record<string, string>>;
}

/**
 * Creates the topics that do not exist yet (replication factor from the broker's default),
 * gives the existing ones the configs their spec declares where theirs differ (a retention
 * changed in the configuration; see `alignTopicConfigs`), then waits until every partition of
 * every spec is served (see `waitForTopicsServed`). Another process creating or altering the
 * same topic at the same time is fine. Returns the configs it changed.
 */
export async function ensureTopics(
  kafka: Kafka,
  specs: readonly TopicSpec[],
  timeoutMs = 60_000,
): Promise<TopicConfigChange[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = specs.filter((s) => !existing.has(s.topic));
    const changed = await alignTopicConfigs(
      admin,
      specs.filter((s) => existing.has(s.topic)),
    );
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
    return changed;
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
