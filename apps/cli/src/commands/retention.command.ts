import type { Pool } from 'pg';
import {
  alertOptionsOf,
  HotspotStore,
  PresenceAggregator,
  TableRetention,
  type TableRetentionRule,
  type TableRetentionStatus,
} from '@app/aggregation';
import type { AppConfig } from '@app/config';
import {
  alignTopicConfigs,
  kafkaFromConfig,
  latestPerKey,
  retainedTopics,
  topicConfigValues,
  topicExtent,
  type TopicRole,
} from '@app/kafka';
import { tensionModelOf } from '@app/tension';
import {
  argumentRefusals,
  commandArgs,
  PROCESS_IO,
  writeLine,
  type CommandIo,
} from '../command-io';
import { recordOperation } from '../operations-audit';
import { parseRfc3339 } from '../rfc3339';
import { withDatabase } from './with-database';

export const RETENTION_HELP = `usage: cortege retention status [--now T] [--json]
       cortege retention apply  [--now T] [--json]

status  each topic (role, configured retention, the broker's retention.ms / cleanup.policy,
        offsets held, oldest record) and each table (retention, oldest row, rows, rows past
        their window at T).
apply   gives the existing topics their configured retention (altered where it differs);
        writes a tombstone on the compacted events topic for every event past the aggregate
        window (the events the tables remove, and keys whose newest record is older than the
        window and that no table holds); removes from the tables the events past the window,
        their presence and ledger, and recomputes the aggregates they fed exactly as the
        aggregator does, under its locks (the pipeline may run); removes the geocode cache
        entries past their TTL. Run again, it changes nothing.

--now T   judge ages from the instant T (RFC 3339, with an offset) instead of the clock.

Retention comes from RETENTION_* (see the README). Exit codes: 0 done, 1 failed, 2 bad usage.`;

interface TopicStatus {
  readonly topic: string;
  readonly role: TopicRole;
  readonly exists: boolean;
  /** What the configuration asks of the topic. */
  readonly configured: Readonly<Record<string, string>>;
  /** What the broker applies (its own or the broker's default). */
  readonly broker: Readonly<Record<string, string | null>>;
  readonly offsets: number;
  readonly oldest: string | null;
}

const BROKER_CONFIGS = ['cleanup.policy', 'retention.ms', 'delete.retention.ms'] as const;

/** `cortege retention …`: `argv` is what follows `retention`. Returns the exit code. */
export async function retentionCommand(
  argv: readonly string[],
  config: AppConfig,
  openPool: () => Pool,
  io: CommandIo = PROCESS_IO,
): Promise<number> {
  const { usage, badValue } = argumentRefusals('retention', RETENTION_HELP, io);
  let now: Date;
  const parsed = commandArgs(argv, {
    json: { type: 'boolean' },
    now: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if ('refused' in parsed) return usage(parsed.refused);
  const { values, positionals } = parsed;
  const [first, ...rest] = positionals;
  if (first !== 'status' && first !== 'apply') return usage('expected status or apply');
  if (rest.length > 0) return usage(`unexpected ${rest.join(', ')}`);
  const action = first;
  const json = values.json === true;
  if (values.now === undefined) now = new Date();
  else {
    const given = parseRfc3339(values.now, '--now');
    if (!given.ok) return badValue(given.message);
    now = given.date;
  }

  const kafka = kafkaFromConfig({ ...config, logLevel: 'error' }, 'cli');
  return withDatabase('retention', openPool, io, async (pool) => {
    const model = tensionModelOf(config.tension);
    const aggregator = new PresenceAggregator(
      pool,
      model,
      config.aggregator.groupId,
      alertOptionsOf(config.aggregator.alerts),
    );
    const tables = new TableRetention(pool, config.retention, aggregator, undefined, {
      store: new HotspotStore(pool, model.bucketMinutes),
      alpha: config.aggregator.hotspots.alpha,
    });
    const started = Date.now();
    if (action === 'status') {
      const status = {
        now: now.toISOString(),
        topics: await topicStatus(config),
        tables: [] as TableRetentionStatus[],
      };
      status.tables = await tables.status(now);
      if (json) await writeLine(io.stdout, JSON.stringify(status));
      else await printStatus(io, status.topics, status.tables);
      return 0;
    }

    // 1. The topics' configs.
    const admin = kafka.admin();
    await admin.connect();
    const altered = await alignTopicConfigs(admin, retainedTopics(config)).finally(() =>
      admin.disconnect(),
    );
    // 2. Tombstones first: an apply interrupted after them finds the events still in the
    //    tables, removes them, and writes no tombstone twice (the newest record is one).
    const expired = await tables.expiredEvents(now);
    const cutoff = tables.eventsCutoff(now).getTime();
    const eventsTopic = config.sanitizer.eventsTopic;
    const held = new Set(
      (await pool.query<{ event_id: string }>('SELECT event_id FROM event')).rows.map(
        (r) => r.event_id,
      ),
    );
    const expiredSet = new Set(expired);
    const latest = await latestPerKey(kafka, eventsTopic);
    const tombstones = [...latest]
      .filter(
        ([key, record]) =>
          !record.tombstone &&
          (expiredSet.has(key) || (record.timestamp < cutoff && !held.has(key))),
      )
      .map(([key, record]) => ({ key, value: null, partition: record.partition }));
    if (tombstones.length > 0) {
      const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
      await producer.connect();
      try {
        await producer.send({ topic: eventsTopic, acks: -1, messages: tombstones });
      } finally {
        await producer.disconnect();
      }
    }
    // 3. The tables.
    const outcome = await tables.apply(now, expired, (done, total) => {
      if (!json) io.stderr.write(`retention: ${done}/${total} event(s) removed\n`);
    });
    const result = { ...outcome, tombstones: tombstones.length, topicsAltered: altered };
    await recordOperation(pool, {
      command: 'cortege retention apply',
      params: {
        now: outcome.now,
        eventsCutoff: outcome.eventsCutoff,
        geocodeCacheCutoff: outcome.geocodeCacheCutoff,
        tombstones: tombstones.length,
        topicsAltered: altered.length,
      },
      status: 0,
      rows:
        outcome.events +
        outcome.geocodeCacheRows +
        outcome.hotspotRows +
        outcome.producerBindings +
        outcome.webhookDeliveries,
      startedAt: started,
    });
    if (json) {
      await writeLine(io.stdout, JSON.stringify(result));
      return 0;
    }
    for (const { topic, name, from, to } of altered)
      await writeLine(io.stdout, `${topic}: ${name} ${from ?? '(broker default)'} → ${to}`);
    await writeLine(
      io.stdout,
      `removed ${outcome.events} event(s) ended before ${outcome.eventsCutoff} ` +
        `(${outcome.presenceRows} presence rows; ${outcome.cellRows} cell rows and ${outcome.zones} zones recomputed), ` +
        `${outcome.geocodeCacheRows} geocode cache entr(ies) older than ${outcome.geocodeCacheCutoff}, ` +
        `${outcome.hotspotRows} hotspot row(s) of windows ended before the cutoff ` +
        `(${outcome.hotspotWindows} window(s) across it recomputed), ` +
        `${outcome.producerBindings} producer binding(s) of events gone, ` +
        `${outcome.webhookDeliveries} outgoing webhook(s) older than the submissions' window; ` +
        `${tombstones.length} tombstone(s) on ${eventsTopic}; in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    return 0;
  });
}

async function topicStatus(config: AppConfig): Promise<TopicStatus[]> {
  const kafka = kafkaFromConfig({ ...config, logLevel: 'error' }, 'cli');
  const topics = retainedTopics(config);
  const admin = kafka.admin();
  await admin.connect();
  let existing: Set<string>;
  let values: Map<string, Record<string, string | null>>;
  try {
    existing = new Set(await admin.listTopics());
    const present = topics.map((t) => t.topic).filter((t) => existing.has(t));
    values =
      present.length > 0
        ? await topicConfigValues(admin, present, BROKER_CONFIGS)
        : new Map<string, Record<string, string | null>>();
  } finally {
    await admin.disconnect();
  }
  const statuses: TopicStatus[] = [];
  for (const { topic, role, configs } of topics) {
    const exists = existing.has(topic);
    const extent = exists ? await topicExtent(kafka, topic) : { offsets: 0, oldest: null };
    statuses.push({
      topic,
      role,
      exists,
      configured: configs,
      broker: values.get(topic) ?? {},
      ...extent,
    });
  }
  return statuses;
}

const DAY_MS = 86_400_000;

/** A duration in days (or hours below a day), as people read it. */
function duration(ms: number): string {
  if (ms < 0) return 'for ever';
  if (ms % DAY_MS === 0) return `${ms / DAY_MS} d`;
  return `${Math.round(ms / 3_600_000)} h`;
}

function topicRetention(configs: Readonly<Record<string, string | null>>): string {
  const policy = configs['cleanup.policy'] ?? '?';
  if (policy === 'compact')
    return `compacted (tombstones ${duration(Number(configs['delete.retention.ms']))})`;
  const ms = configs['retention.ms'];
  return ms === null || ms === undefined ? policy : duration(Number(ms));
}

function tableRetention(rule: TableRetentionRule): string {
  return rule.kind === 'window' ? `${duration(rule.ms)} after ${rule.by}` : `kept: ${rule.why}`;
}

async function printStatus(
  io: CommandIo,
  topics: readonly TopicStatus[],
  tables: readonly TableRetentionStatus[],
): Promise<void> {
  await printTable(
    io,
    ['topic', 'role', 'configured', 'on the broker', 'offsets', 'oldest record'],
    [
      ...topics.map((t) => [
        t.topic,
        t.role,
        topicRetention(t.configured),
        t.exists ? topicRetention(t.broker) : '(no such topic)',
        String(t.offsets),
        t.oldest ?? '—',
      ]),
    ],
  );
  await writeLine(io.stdout, '');
  await printTable(
    io,
    ['table', 'retention', 'oldest', 'rows', 'past window'],
    [
      ...tables.map((t) => [
        t.table,
        tableRetention(t.retention),
        t.oldest ?? '—',
        String(t.rows),
        t.retention.kind === 'window' ? String(t.expired) : '—',
      ]),
    ],
  );
}

async function printTable(
  io: CommandIo,
  header: readonly string[],
  rows: readonly (readonly string[])[],
): Promise<void> {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  await writeLine(io.stdout, line(header));
  await writeLine(io.stdout, line(widths.map((w) => '-'.repeat(w))));
  for (const row of rows) await writeLine(io.stdout, line(row));
}
