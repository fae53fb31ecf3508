import { createHash, type Hash } from 'node:crypto';
import type { Admin, Kafka, KafkaMessage } from 'kafkajs';
import type { Pool } from 'pg';
import { REBUILD_SCHEMA, tableRetentionRules } from '@app/aggregation';
import type { AppConfig } from '@app/config';
import { readRange, retainedTopics, type TopicRole } from '@app/kafka';
import { RegistrySubjects, type SubjectVersion } from '@app/schema-registry';

/** The locator's presence records name their event in this header (apps/locator). */
export const EVENT_ID_HEADER = 'cortege-event-id';

export interface PartitionManifest {
  readonly partition: number;
  readonly low: string;
  readonly high: string;
  /** Committed records read between low and high (markers and aborted records are not). */
  readonly records: number;
  /** SHA-256 over the records in offset order: offset, timestamp, key, value, headers. */
  readonly sha256: string;
}

export interface TopicManifest {
  readonly topic: string;
  readonly role: TopicRole;
  readonly exists: boolean;
  readonly records: number;
  readonly partitions: readonly PartitionManifest[];
}

export interface GroupManifest {
  readonly groupId: string;
  readonly state: string;
  readonly members: number;
  readonly offsets: ReadonlyArray<{ topic: string; partition: number; offset: string }>;
}

export interface SubjectManifest {
  readonly subject: string;
  readonly softDeleted: boolean;
  readonly versions: readonly SubjectVersion[];
}

export interface TableManifest {
  readonly table: string;
  readonly rows: number;
  /** SHA-256 over the md5 of each row's text, in primary-key order. */
  readonly sha256: string;
}

/** What `cortege purge --all` finds before it deletes anything. */
export interface PlatformInventory {
  readonly kind: 'all';
  readonly takenAt: string;
  readonly topics: readonly TopicManifest[];
  readonly groups: readonly GroupManifest[];
  readonly subjects: readonly SubjectManifest[];
  /** The data tables, the geocode cache among them, and the rebuild's shadow tables if any. */
  readonly tables: readonly TableManifest[];
}

/** One record of an event on a topic. */
export interface EventRecord {
  readonly partition: number;
  readonly offset: string;
  readonly timestamp: string;
  readonly tombstone: boolean;
}

/** What `cortege purge --event ID` finds before it deletes anything. */
export interface EventInventory {
  readonly kind: 'event';
  readonly eventId: string;
  readonly takenAt: string;
  readonly topics: ReadonlyArray<{
    readonly topic: string;
    readonly role: TopicRole;
    readonly records: readonly EventRecord[];
    readonly sha256: string;
  }>;
  readonly tables: readonly TableManifest[];
}

/** The tables `purge --all` empties: each table of the retention list but these. */
export const KEPT_TABLES: Readonly<Record<string, string>> = {
  habilitation:
    'the record of who was allowed to read the data (token subjects, roles, dates); no data of the convention',
  access_audit:
    'the hash-chained record of every access and operation, this purge included: deleting it would erase the proof; append-only (the application role cannot delete it)',
  gazetteer_address: 'public reference data (Base Adresse Nationale), not data of the convention',
  gazetteer_street: 'public reference data (Base Adresse Nationale), not data of the convention',
  gazetteer_place: 'public reference data (named places), not data of the convention',
  schema_proposal:
    'the contract versions proposed (schema text, Annex 1 changes, operator identifiers): the record of article 3, no event data',
  schema_approval:
    'the approvals of the contract versions (DPO informed on, impact study, approver identifier): the proof of article 3, no event data',
};

/** The tables `purge --all` empties, in the order it lists them. */
export function purgedTables(config: AppConfig): string[] {
  return tableRetentionRules(config.retention)
    .map((t) => t.table)
    .filter((table) => KEPT_TABLES[table] === undefined);
}

/** The consumer groups of the platform: the stages', and the dead-letter redrives'. */
export async function platformGroups(admin: Admin, config: AppConfig): Promise<string[]> {
  const named = [config.sanitizer.groupId, config.locator.groupId, config.aggregator.groupId];
  const { groups } = await admin.listGroups();
  const redrives = groups
    .map((g) => g.groupId)
    .filter((id) => id.startsWith(`${config.dlq.redriveGroupId}`));
  return [...new Set([...named, ...redrives])].sort();
}

/** The registry subjects of the platform's topics (value and key, TopicNameStrategy). */
export const platformSubjects = (config: AppConfig): string[] =>
  retainedTopics(config)
    .flatMap(({ topic }) => [`${topic}-value`, `${topic}-key`])
    .sort();

/** Existing tables among `tables` (in this schema), and the rebuild's shadow tables. */
async function existingTables(pool: Pool, tables: readonly string[]): Promise<string[]> {
  const { rows } = await pool.query<{ name: string }>(
    `SELECT CASE WHEN table_schema = current_schema() THEN quote_ident(table_name)
                 ELSE quote_ident(table_schema) || '.' || quote_ident(table_name) END AS name
       FROM information_schema.tables
      WHERE table_type = 'BASE TABLE'
        AND ((table_schema = current_schema() AND table_name = ANY($1)) OR table_schema = $2)
      ORDER BY table_schema <> current_schema(), array_position($1, table_name::text), table_name`,
    [tables, REBUILD_SCHEMA],
  );
  return rows.map((r) => r.name);
}

/** The count and ordered digest of the rows of `table` that `where` selects. */
async function tableManifest(
  pool: Pool,
  table: string,
  where = 'true',
  params: unknown[] = [],
): Promise<TableManifest> {
  const { rows: keys } = await pool.query<{ name: string }>(
    `SELECT quote_ident(a.attname) AS name
       FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
      WHERE i.indrelid = $1::regclass AND i.indisprimary
      ORDER BY array_position(i.indkey::int2[], a.attnum)`,
    [table],
  );
  const order = keys.length > 0 ? keys.map((k) => `t.${k.name}`).join(', ') : 't::text';
  const { rows } = await pool.query<{ rows: number; sha256: string }>(
    `SELECT count(*)::int AS rows,
            encode(sha256(convert_to(coalesce(string_agg(md5(t::text), '' ORDER BY ${order}), ''), 'UTF8')), 'hex') AS sha256
       FROM ${table} t WHERE ${where}`,
    params,
  );
  return { table, rows: rows[0]?.rows ?? 0, sha256: rows[0]?.sha256 ?? '' };
}

/** Adds one record to a running digest: offset, timestamp, then key, value and headers. */
function digestRecord(hash: Hash, message: KafkaMessage): void {
  const part = (bytes: Buffer | null) => {
    hash.update(bytes === null ? '-1:' : `${bytes.length}:`);
    if (bytes !== null) hash.update(bytes);
  };
  hash.update(`${message.offset}|${message.timestamp}|`);
  part(message.key);
  part(message.value);
  const headers = Object.entries(message.headers ?? {})
    .map(
      ([name, value]) =>
        `${name}=${Buffer.isBuffer(value) ? value.toString('hex') : String(value)}`,
    )
    .sort()
    .join('&');
  hash.update(`|${headers}\n`);
}

/** Per partition: low and high offsets, committed records and their digest. */
async function topicManifest(
  kafka: Kafka,
  admin: Admin,
  topic: string,
  role: TopicRole,
  existing: ReadonlySet<string>,
): Promise<TopicManifest> {
  if (!existing.has(topic)) return { topic, role, exists: false, records: 0, partitions: [] };
  const ends = await admin.fetchTopicOffsets(topic);
  const hashes = new Map(ends.map((e) => [e.partition, createHash('sha256')]));
  const counts = new Map(ends.map((e) => [e.partition, 0]));
  await readRange(kafka, topic, {
    onBatch: (partition, messages) => {
      const hash = hashes.get(partition);
      if (hash === undefined) return;
      for (const message of messages) digestRecord(hash, message);
      counts.set(partition, (counts.get(partition) ?? 0) + messages.length);
    },
  });
  const partitions = ends
    .map((e) => ({
      partition: e.partition,
      low: e.low,
      high: e.high,
      records: counts.get(e.partition) ?? 0,
      sha256: hashes.get(e.partition)?.digest('hex') ?? '',
    }))
    .sort((a, b) => a.partition - b.partition);
  return {
    topic,
    role,
    exists: true,
    records: partitions.reduce((n, p) => n + p.records, 0),
    partitions,
  };
}

/** The manifest of `purge --all`: what the platform holds, read before anything goes. */
export async function platformInventory(
  config: AppConfig,
  kafka: Kafka,
  pool: Pool,
): Promise<PlatformInventory> {
  const takenAt = new Date().toISOString();
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const topics: TopicManifest[] = [];
    for (const { topic, role } of retainedTopics(config))
      topics.push(await topicManifest(kafka, admin, topic, role, existing));
    const groupIds = await platformGroups(admin, config);
    const described = (await admin.describeGroups(groupIds)).groups;
    const groups: GroupManifest[] = [];
    for (const group of described) {
      if (group.state === 'Dead') continue;
      const offsets = (await admin.fetchOffsets({ groupId: group.groupId })).flatMap((t) =>
        t.partitions.map((p) => ({ topic: t.topic, partition: p.partition, offset: p.offset })),
      );
      groups.push({
        groupId: group.groupId,
        state: group.state,
        members: group.members.length,
        offsets,
      });
    }
    const registry = new RegistrySubjects(config.registry.url);
    const subjects: SubjectManifest[] = [];
    for (const subject of platformSubjects(config)) {
      const state = await registry.describe(subject);
      if (state.live || state.softDeleted)
        subjects.push({ subject, softDeleted: state.softDeleted, versions: state.versions });
    }
    const tables: TableManifest[] = [];
    for (const table of await existingTables(pool, purgedTables(config)))
      tables.push(await tableManifest(pool, table));
    return { kind: 'all', takenAt, topics, groups, subjects, tables };
  } finally {
    await admin.disconnect();
  }
}

/** The rows of each table that hold `eventId`, as SQL conditions on `t`. */
export const EVENT_ROWS: ReadonlyArray<readonly [string, string]> = [
  ['event', 't.event_id = $1::uuid'],
  ['event_region', 't.event_id = $1::uuid'],
  ['event_presence', 't.event_id = $1::uuid'],
  ['cell_tension', '$1::uuid = ANY(t.event_ids)'],
  ['tension_zone', '$1::uuid = ANY(t.event_ids)'],
  ['submission_status', 't.event_id = $1::uuid'],
  ['ingest_event_producer', 't.event_id = $1::uuid'],
  ['alert', '$1::uuid IN (t.event_a, t.event_b)'],
  ['alert_outbox', '$1::uuid IN (t.event_a, t.event_b)'],
  ['alert_pending', 't.event_id = $1::uuid'],
  // a rejection quotes its submission, an alert both events: by the id in the payload
  ['webhook_delivery', 'strpos(t.payload, $1::text) > 0'],
];

/**
 * The tables of `EVENT_ROWS` that the aggregator's `forget` does not empty of the event: a
 * purge of one event deletes their rows itself, after `forget` (which retracts its alerts).
 */
export const EVENT_ONLY_ROWS: ReadonlyArray<readonly [string, string]> = EVENT_ROWS.slice(5);

/** The rows of the tables that hold `eventId`: counts and digests. */
export async function eventTables(pool: Pool, eventId: string): Promise<TableManifest[]> {
  const tables: TableManifest[] = [];
  for (const [table, where] of EVENT_ROWS)
    tables.push(await tableManifest(pool, table, where, [eventId]));
  return tables;
}

/**
 * The manifest of `purge --event ID`: every record of the event on the platform's topics (its
 * key, or the presence header naming it) and every row that holds it.
 */
export async function eventInventory(
  config: AppConfig,
  kafka: Kafka,
  pool: Pool,
  eventId: string,
): Promise<EventInventory> {
  const takenAt = new Date().toISOString();
  const admin = kafka.admin();
  await admin.connect();
  const existing = new Set(await admin.listTopics().finally(() => admin.disconnect()));
  const topics: Array<EventInventory['topics'][number]> = [];
  for (const { topic, role } of retainedTopics(config)) {
    if (!existing.has(topic)) continue;
    const records: EventRecord[] = [];
    const hash = createHash('sha256');
    await readRange(kafka, topic, {
      onBatch: (partition, messages) => {
        for (const message of messages) {
          const header = message.headers?.[EVENT_ID_HEADER];
          const named = header === undefined ? undefined : String(header);
          // an alert's key is its pair, `smaller:greater`
          const key = message.key?.toString() ?? '';
          if (key !== eventId && named !== eventId && !key.split(':').includes(eventId)) continue;
          digestRecord(hash, message);
          records.push({
            partition,
            offset: message.offset,
            timestamp: new Date(Number(message.timestamp)).toISOString(),
            tombstone: message.value === null,
          });
        }
      },
    });
    topics.push({ topic, role, records, sha256: hash.digest('hex') });
  }
  return { kind: 'event', eventId, takenAt, topics, tables: await eventTables(pool, eventId) };
}
