import type { AppConfig, RetentionConfig } from '@app/config';
import { ConfigResourceTypes, ConfigSource, type Admin, type Kafka } from 'kafkajs';
import { readRange } from './topic-reader';

/** What a topic holds, which decides how long it keeps it. */
export type TopicRole =
  'submissions' | 'events' | 'presence' | 'dead-letters' | 'alerts' | 'status';

/**
 * The broker configs a topic of `role` gets from the retention configuration: raw submissions,
 * presence, dead letters and alerts (as long as the aggregates) are deleted by age
 * (`retention.ms`); the events topic stays
 * compacted by eventId (no age limit: `cortege retention apply` tombstones the events past the
 * aggregate window) and keeps a tombstone `delete.retention.ms`. The submission status topic is
 * compacted by eventId and deleted by age as the raw submissions are: the ingest API keeps the
 * statuses in PostgreSQL, the topic only carries them there.
 */
export function retentionConfigs(
  retention: RetentionConfig,
  role: TopicRole,
): Readonly<Record<string, string>> {
  switch (role) {
    case 'submissions':
      return { 'cleanup.policy': 'delete', 'retention.ms': String(retention.submissionsMs) };
    case 'dead-letters':
      return { 'cleanup.policy': 'delete', 'retention.ms': String(retention.deadLettersMs) };
    case 'presence':
      return { 'cleanup.policy': 'delete', 'retention.ms': String(retention.presenceMs) };
    case 'events':
      return { 'cleanup.policy': 'compact', 'delete.retention.ms': String(retention.tombstoneMs) };
    case 'alerts':
      return { 'cleanup.policy': 'delete', 'retention.ms': String(retention.aggregatesMs) };
    case 'status':
      return {
        'cleanup.policy': 'compact,delete',
        'retention.ms': String(retention.submissionsMs),
      };
    default: {
      const _exhaustive: never = role;
      return _exhaustive;
    }
  }
}

/** A topic of the pipeline, its role and the configs its retention gives it. */
export interface RetainedTopic {
  readonly topic: string;
  readonly role: TopicRole;
  readonly configs: Readonly<Record<string, string>>;
}

/**
 * Every topic the configuration names, once each, with its role: the submissions topics (the
 * sanitizer's input, the ingest API's), the events topic, the presence topic, the dead letters,
 * the alerts, the submission status. A topic named for two roles takes the first (in that order).
 */
export function retainedTopics(config: AppConfig): RetainedTopic[] {
  const named: Array<[string, TopicRole]> = [
    [config.sanitizer.inputTopic, 'submissions'],
    [config.ingest.topic, 'submissions'],
    [config.sanitizer.eventsTopic, 'events'],
    [config.locator.inputTopic, 'events'],
    [config.locator.presenceTopic, 'presence'],
    [config.aggregator.inputTopic, 'presence'],
    [config.sanitizer.dlqTopic, 'dead-letters'],
    [config.locator.dlqTopic, 'dead-letters'],
    [config.aggregator.dlqTopic, 'dead-letters'],
    [config.aggregator.alerts.topic, 'alerts'],
    [config.submissionStatus.topic, 'status'],
  ];
  const topics = new Map<string, RetainedTopic>();
  for (const [topic, role] of named)
    if (!topics.has(topic))
      topics.set(topic, { topic, role, configs: retentionConfigs(config.retention, role) });
  return [...topics.values()];
}

/** One topic config changed by `alignTopicConfigs`. */
export interface TopicConfigChange {
  readonly topic: string;
  readonly name: string;
  /** The value the topic had (null: the broker's default applied). */
  readonly from: string | null;
  readonly to: string;
}

/**
 * Gives each existing topic of `specs` the configs it declares where its own differ, and
 * returns what changed. Kafka's AlterConfigs (the request kafkajs sends) replaces a topic's
 * whole set of overrides, so the topic's other overrides are sent along unchanged. Topics
 * that do not exist are left out.
 */
export async function alignTopicConfigs(
  admin: Admin,
  specs: ReadonlyArray<{
    readonly topic: string;
    readonly configs?: Readonly<Record<string, string>>;
  }>,
): Promise<TopicConfigChange[]> {
  const wanted = specs.filter((s) => Object.keys(s.configs ?? {}).length > 0);
  if (wanted.length === 0) return [];
  const existing = new Set(await admin.listTopics());
  const present = wanted.filter((s) => existing.has(s.topic));
  if (present.length === 0) return [];
  const current = await topicOverrides(
    admin,
    present.map((s) => s.topic),
  );
  const changes: TopicConfigChange[] = [];
  const resources = [];
  for (const { topic, configs = {} } of present) {
    const overrides = current.get(topic) ?? new Map<string, string>();
    const differing = Object.entries(configs).filter(
      ([name, value]) => overrides.get(name) !== value,
    );
    if (differing.length === 0) continue;
    for (const [name, value] of differing)
      changes.push({ topic, name, from: overrides.get(name) ?? null, to: value });
    const merged = new Map([...overrides, ...Object.entries(configs)]);
    resources.push({
      type: ConfigResourceTypes.TOPIC,
      name: topic,
      configEntries: [...merged].map(([name, value]) => ({ name, value })),
    });
  }
  if (resources.length > 0) await admin.alterConfigs({ validateOnly: false, resources });
  return changes;
}

/** Each topic's own overrides (configs set on the topic, not inherited from the broker). */
export async function topicOverrides(
  admin: Admin,
  topics: readonly string[],
): Promise<Map<string, Map<string, string>>> {
  const { resources } = await admin.describeConfigs({
    includeSynonyms: false,
    resources: topics.map((name) => ({ type: ConfigResourceTypes.TOPIC, name })),
  });
  const overrides = new Map<string, Map<string, string>>();
  for (const resource of resources) {
    const own = new Map<string, string>();
    for (const entry of resource.configEntries)
      // Set on the topic itself (Kafka's DYNAMIC_TOPIC_CONFIG).
      if (
        entry.configSource === ConfigSource.TOPIC_CONFIG &&
        !entry.isSensitive &&
        entry.configValue !== null
      )
        own.set(entry.configName, entry.configValue);
    overrides.set(resource.resourceName, own);
  }
  return overrides;
}

/** The effective value of some configs of each topic (its own, else the broker's). */
export async function topicConfigValues(
  admin: Admin,
  topics: readonly string[],
  names: readonly string[],
): Promise<Map<string, Record<string, string | null>>> {
  const { resources } = await admin.describeConfigs({
    includeSynonyms: false,
    resources: topics.map((name) => ({
      type: ConfigResourceTypes.TOPIC,
      name,
      configNames: [...names],
    })),
  });
  return new Map(
    resources.map((r) => [
      r.resourceName,
      Object.fromEntries(
        names.map((name) => [
          name,
          r.configEntries.find((e) => e.configName === name)?.configValue ?? null,
        ]),
      ),
    ]),
  );
}

/** A topic's extent: records between its low and high offsets, and its oldest record's time. */
export interface TopicExtent {
  /** Sum over partitions of high − low (records, transaction markers and compacted gaps). */
  readonly offsets: number;
  /** The earliest timestamp among each partition's first readable record (null: none). */
  readonly oldest: string | null;
}

/**
 * Reads the first readable record of each partition of `topic` (`readRange`: `read_committed`,
 * in a throwaway group that commits nothing) and returns the earliest of their timestamps. The
 * read stops once every partition that holds a record has shown its first; a partition of
 * markers and aborted records only is read to its end.
 */
export async function topicExtent(kafka: Kafka, topic: string): Promise<TopicExtent> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic).finally(() => admin.disconnect());
  const offsets = ends.reduce((n, e) => n + Number(BigInt(e.high) - BigInt(e.low)), 0);
  const waiting = new Set(
    ends.filter((e) => BigInt(e.high) > BigInt(e.low)).map((e) => e.partition),
  );
  let oldest: number | undefined;
  await readRange(kafka, topic, {
    onBatch: (partition, messages) => {
      const first = messages[0];
      if (first === undefined || !waiting.delete(partition)) return;
      const at = Number(first.timestamp);
      if (oldest === undefined || at < oldest) oldest = at;
      return waiting.size > 0;
    },
  });
  return { offsets, oldest: oldest === undefined ? null : new Date(oldest).toISOString() };
}

/** The newest record of a key on a compacted topic, as `latestPerKey` finds it. */
export interface LatestRecord {
  readonly partition: number;
  /** The record's timestamp (ms). */
  readonly timestamp: number;
  /** It is a tombstone (no value): the key is deleted. */
  readonly tombstone: boolean;
}

/** Reads `topic` to its current end and returns each key's newest record. */
export async function latestPerKey(
  kafka: Kafka,
  topic: string,
): Promise<Map<string, LatestRecord>> {
  const latest = new Map<string, LatestRecord>();
  await readRange(kafka, topic, {
    onBatch: (partition, messages) => {
      for (const message of messages)
        if (message.key !== null)
          latest.set(message.key.toString(), {
            partition,
            timestamp: Number(message.timestamp),
            tombstone: message.value === null,
          });
    },
  });
  return latest;
}
