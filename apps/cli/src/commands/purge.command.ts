import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { createInterface } from 'node:readline/promises';
import type { Kafka } from 'kafkajs';
import type { Pool } from 'pg';
import {
  AGGREGATION_LOCK,
  alertOptionsOf,
  HotspotStore,
  PresenceAggregator,
  REBUILD_SCHEMA,
  windowsOfDays,
} from '@app/aggregation';
import type { AppConfig } from '@app/config';
import { kafkaFromConfig, latestPerKey, retainedTopics, topicConfigValues } from '@app/kafka';
import { RegistrySubjects } from '@app/schema-registry';
import { tensionModelOf } from '@app/tension';
import { version as softwareVersion, name as softwareName } from '../../../../package.json';
import {
  argumentRefusals,
  commandArgs,
  PROCESS_IO,
  writeLine,
  type CommandIo,
} from '../command-io';
import { recordOperation } from '../operations-audit';
import {
  canonicalJson,
  checkSignature,
  reportMarkdown,
  sha256,
  signingKey,
  signReport,
  targetOf,
  verifyKey,
  type DestructionReport,
  type PurgeCheck,
  type PurgeRun,
  type PurgeTarget,
  type Remainder,
} from '../purge/destruction-report';
import {
  EVENT_ONLY_ROWS,
  eventInventory,
  eventTables,
  KEPT_TABLES,
  platformGroups,
  platformInventory,
  platformSubjects,
  type EventInventory,
  type PlatformInventory,
} from '../purge/purge-inventory';
import { cliOperator } from './habilitation.command';
import { withDatabase } from './with-database';

export const PURGE_HELP = `usage: cortege purge --all       [--confirm PHRASE] [--operator NAME] [--json]
       cortege purge --event ID    [--confirm PHRASE] [--operator NAME] [--json]
       cortege purge verify REPORT.json [--json]

--all        destroys every piece of the platform's data: first records a manifest (per topic
             and partition its offsets and a SHA-256 over its records; the consumer groups and
             their offsets; the registry subjects of the topics with their versions and ids;
             per table, the geocode cache among them, its row count and an ordered digest),
             then deletes the consumer groups, the topics, the subjects (soft, then permanent)
             and the tables' rows, then checks that the broker no longer knows the topics and
             groups, that the registry no longer has the subjects and that every table counts
             0, and writes a signed destruction report (Markdown and JSON, JWS) in
             PURGE_REPORT_DIR. Refused while a stage's group has active members.
--event ID   the same for one event: its rows removed with the aggregator's own forget (the
             aggregates it fed recomputed), a tombstone on the compacted events topic; the
             report names the records of append-only topics that only their retention removes.
--confirm    the phrase the command asks for (without it, it prints the phrase and stops).
verify       checks the report's signature (and its Markdown's digest) and checks again that
             what it destroyed is absent.

Progress is kept in PURGE_REPORT_DIR: a purge interrupted half-way, run again, goes on from the
step it reached with the manifest it recorded first; one whose checks failed does every
deletion again. Stop every app of the platform first (the ingest API too: a producer can create
a topic again). Exit codes: 0 done (every check passed),
1 refused or a check failed, 2 bad usage.`;

type Scope = { kind: 'all' } | { kind: 'event'; eventId: string };

/** What a purge in progress keeps on disk between its steps. */
interface Progress {
  readonly reportId: string;
  readonly scope: Scope;
  readonly target: PurgeTarget;
  readonly startedAt: string;
  manifest?: PlatformInventory | EventInventory;
  readonly deleted: Record<string, unknown>;
  readonly runs: PurgeRun[];
  readonly done: string[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The phrase an operator types to purge `scope` of the platform `config` names. */
export function confirmationPhrase(config: AppConfig, scope: Scope): string {
  if (scope.kind === 'event') return `purge event ${scope.eventId}`;
  const database = decodeURIComponent(new URL(config.database.url).pathname.slice(1));
  return `purge all data of ${database}`;
}

/** `cortege purge …`: `argv` is what follows `purge`. Returns the exit code. */
export async function purgeCommand(
  argv: readonly string[],
  config: AppConfig,
  openPool: () => Pool,
  io: CommandIo = PROCESS_IO,
): Promise<number> {
  const { usage, badValue } = argumentRefusals('purge', PURGE_HELP, io);
  const parsed = commandArgs(argv, {
    all: { type: 'boolean' },
    event: { type: 'string' },
    confirm: { type: 'string' },
    operator: { type: 'string' },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if ('refused' in parsed) return usage(parsed.refused);
  const { values, positionals } = parsed;
  if (positionals[0] === 'verify') {
    if (positionals.length !== 2) return usage('verify takes one REPORT.json');
    return verifyCommand(positionals[1] as string, config, openPool, io, values.json === true);
  }
  if (positionals.length > 0) return usage(`unexpected ${positionals.join(', ')}`);
  if ((values.all === true) === (values.event !== undefined))
    return usage('expected --all or --event ID');
  if (values.event !== undefined && !UUID.test(values.event.toLowerCase()))
    return badValue(`--event: ${values.event} is not an event id (a UUID)`);
  const scope: Scope =
    values.event !== undefined
      ? { kind: 'event', eventId: values.event.toLowerCase() }
      : { kind: 'all' };
  const phrase = confirmationPhrase(config, scope);
  let confirm = values.confirm;
  if (confirm === undefined && process.stdin.isTTY) {
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    confirm = await rl.question(`Type "${phrase}" to go on: `).finally(() => rl.close());
  }
  if (confirm !== phrase) {
    io.stderr.write(
      `cortege purge: refused; to destroy ${scope.kind === 'all' ? 'all the data of this platform' : `event ${phrase.slice(12)}`}, ` +
        `run again with --confirm "${phrase}"\n`,
    );
    return 1;
  }

  const operator = values.operator ?? cliOperator();
  const kafka = kafkaFromConfig({ ...config, logLevel: 'error' }, 'cli');
  return withDatabase('purge', openPool, io, (pool) =>
    runPurge(config, kafka, pool, scope, operator, io, values.json === true),
  );
}

const progressFile = (config: AppConfig, scope: Scope): string =>
  join(
    config.purge.reportDir,
    scope.kind === 'all' ? 'purge-all.progress.json' : `purge-event-${scope.eventId}.progress.json`,
  );

/** Writes `progress` so that a crash leaves the previous or the new file, never half of one. */
function saveProgress(file: string, progress: Progress): void {
  const partial = `${file}.${process.pid}.tmp`;
  writeFileSync(partial, JSON.stringify(progress, null, 2), { mode: 0o600 });
  renameSync(partial, file);
}

async function runPurge(
  config: AppConfig,
  kafka: Kafka,
  pool: Pool,
  scope: Scope,
  operator: string,
  io: CommandIo,
  json: boolean,
): Promise<number> {
  const started = Date.now();
  const say = (line: string) => {
    if (!json) io.stderr.write(`purge: ${line}\n`);
  };
  mkdirSync(config.purge.reportDir, { recursive: true });
  const file = progressFile(config, scope);
  const target = targetOf(config);
  let progress: Progress;
  if (existsSync(file)) {
    progress = JSON.parse(readFileSync(file, 'utf8')) as Progress;
    if (canonicalJson(progress.target) !== canonicalJson(target)) {
      io.stderr.write(
        `cortege purge: ${basename(file)} is a purge of another platform (${JSON.stringify(progress.target)}); ` +
          'finish it there, or move the file away\n',
      );
      return 1;
    }
    say(
      `going on with purge ${progress.reportId} (done: ${progress.done.join(', ') || 'nothing'})`,
    );
  } else {
    progress = {
      reportId: randomUUID(),
      scope,
      target,
      startedAt: new Date().toISOString(),
      deleted: {},
      runs: [],
      done: [],
    };
  }
  const run: PurgeRun = { startedAt: new Date().toISOString(), operator, steps: [] };
  progress.runs.push(run);
  saveProgress(file, progress);
  const step = async (name: string, work: () => Promise<unknown>) => {
    if (progress.done.includes(name)) return;
    say(`${name}…`);
    const result = await work();
    if (result !== undefined && name !== 'manifest') progress.deleted[name] = result;
    progress.done.push(name);
    run.steps.push({ step: name, endedAt: new Date().toISOString() });
    saveProgress(file, progress);
  };

  if (scope.kind === 'all') {
    // Nothing may write while the purge runs: the stages' groups must be empty.
    if (!progress.done.includes('consumer groups')) {
      const busy = await activeGroups(kafka, config);
      if (busy.length > 0) {
        io.stderr.write(
          `cortege purge: stop the stages first; these groups have active members: ${busy.join(', ')}\n`,
        );
        return 1;
      }
    }
    await step('manifest', async () => {
      progress.manifest = await platformInventory(config, kafka, pool);
    });
    const manifest = progress.manifest as PlatformInventory;
    await step('consumer groups', () => deleteGroups(kafka, manifest));
    await step('topics', () => deleteTopics(kafka, manifest));
    await step('registry subjects', () => deleteSubjects(config, manifest));
    await step('tables', () => emptyTables(pool, manifest));
  } else {
    await step('manifest', async () => {
      progress.manifest = await eventInventory(config, kafka, pool, scope.eventId);
    });
    await step('tables', async () => {
      const aggregator = new PresenceAggregator(
        pool,
        tensionModelOf(config.tension),
        config.aggregator.groupId,
        alertOptionsOf(config.aggregator.alerts),
      );
      const forgotten = await aggregator.forget([scope.eventId]);
      // The hotspot windows of the event's days, recomputed without it.
      const hotspots = new HotspotStore(pool, tensionModelOf(config.tension).bucketMinutes);
      for (const window of windowsOfDays(forgotten.hotspotDays))
        await hotspots.recompute(window, config.aggregator.hotspots.alpha);
      // Its status, producer binding, alerts and webhooks: rows forget leaves.
      for (const [table, where] of EVENT_ONLY_ROWS)
        await pool.query(`DELETE FROM ${table} t WHERE ${where}`, [scope.eventId]);
      return forgotten;
    });
    await step('tombstone', () => tombstone(kafka, config, scope.eventId));
  }

  // The checks are made at every run that gets here: they are what the report proves.
  say('checking…');
  const manifest = progress.manifest as PlatformInventory | EventInventory;
  const checks =
    manifest.kind === 'all'
      ? await checkPlatform(config, kafka, pool, manifest)
      : await checkEvent(config, kafka, pool, manifest.eventId);
  const limits =
    manifest.kind === 'all' ? PLATFORM_LIMITS : await eventLimits(kafka, config, manifest);
  const kept: Remainder[] =
    manifest.kind === 'all'
      ? Object.entries(KEPT_TABLES).map(([what, why]) => ({ what: `table ${what}`, why }))
      : [
          {
            what: 'table access_audit',
            why: 'requests and operations that named the event stay in the append-only hash chain',
          },
        ];
  const key = await signingKey(config);
  if (key.origin === 'development')
    say(
      `signing with the local stack's development key (${key.file}); set PURGE_SIGNING_KEY_FILE in production`,
    );
  const unsigned: Omit<DestructionReport, 'markdownSha256'> = {
    format: 'cortege-destruction-report/1',
    reportId: progress.reportId,
    scope: progress.scope,
    operator,
    software: { name: softwareName, version: softwareVersion },
    target,
    startedAt: progress.startedAt,
    finishedAt: new Date().toISOString(),
    runs: progress.runs,
    existed: manifest,
    deleted: progress.deleted,
    checks,
    complete: checks.every((c) => c.ok),
    kept,
    limits,
    signingKey: { alg: key.alg, kid: key.kid, origin: key.origin },
  };
  const markdown = reportMarkdown(unsigned);
  const report: DestructionReport = { ...unsigned, markdownSha256: sha256(markdown) };
  const jws = await signReport(report, key);
  const stem = join(
    config.purge.reportDir,
    `destruction-${scope.kind === 'all' ? 'all' : `event-${scope.eventId}`}-${progress.reportId}`,
  );
  writeFileSync(`${stem}.md`, markdown, { mode: 0o600 });
  writeFileSync(`${stem}.json`, `${JSON.stringify({ report, jws }, null, 2)}\n`, { mode: 0o600 });
  if (report.complete) rmSync(file, { force: true });
  else {
    // Something is still there (a topic written again by an app left running, say): the next
    // run keeps the first manifest and does every deletion again.
    progress.done.splice(0, progress.done.length, 'manifest');
    saveProgress(file, progress);
  }
  await recordOperation(pool, {
    command: scope.kind === 'all' ? 'cortege purge --all' : 'cortege purge --event',
    params: {
      reportId: progress.reportId,
      ...(scope.kind === 'event' ? { eventId: scope.eventId } : {}),
      complete: report.complete,
      runs: progress.runs.length,
    },
    status: report.complete ? 0 : 1,
    rows: manifest.tables.reduce((n, t) => n + t.rows, 0),
    startedAt: started,
  });
  const failed = checks.filter((c) => !c.ok);
  if (json)
    await writeLine(
      io.stdout,
      JSON.stringify({
        reportId: progress.reportId,
        json: `${stem}.json`,
        markdown: `${stem}.md`,
        complete: report.complete,
        runs: progress.runs.length,
        checks: checks.length,
        failed: failed.length,
      }),
    );
  else {
    await writeLine(io.stdout, `destruction report ${progress.reportId}:`);
    await writeLine(io.stdout, `  ${stem}.md`);
    await writeLine(io.stdout, `  ${stem}.json (signed, key ${key.kid})`);
    await writeLine(
      io.stdout,
      `${checks.length - failed.length}/${checks.length} checks passed in ${((Date.now() - started) / 1000).toFixed(1)} s` +
        (progress.runs.length > 1 ? ` (run ${progress.runs.length})` : ''),
    );
    for (const c of failed)
      await writeLine(
        io.stdout,
        `FAILED ${c.check} ${c.target}: expected ${c.expected}, found ${c.observed}`,
      );
  }
  return report.complete ? 0 : 1;
}

/** The platform's groups that have members (a stage running). */
async function activeGroups(kafka: Kafka, config: AppConfig): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const { groups } = await admin.describeGroups(await platformGroups(admin, config));
    return groups
      .filter((g) => g.members.length > 0)
      .map((g) => `${g.groupId} (${g.members.map((m) => m.clientId).join(', ')})`);
  } finally {
    await admin.disconnect();
  }
}

/** Kafka's GROUP_ID_NOT_FOUND: the group is already gone. */
const GROUP_ID_NOT_FOUND = 69;

async function deleteGroups(kafka: Kafka, manifest: PlatformInventory): Promise<unknown> {
  const admin = kafka.admin();
  await admin.connect();
  const deleted: string[] = [];
  try {
    for (const { groupId } of manifest.groups) {
      try {
        await admin.deleteGroups([groupId]);
        deleted.push(groupId);
      } catch (error) {
        const groups = (error as { groups?: Array<{ errorCode?: number }> }).groups;
        if (groups?.[0]?.errorCode !== GROUP_ID_NOT_FOUND) throw error;
      }
    }
  } finally {
    await admin.disconnect();
  }
  return { groups: deleted };
}

async function deleteTopics(kafka: Kafka, manifest: PlatformInventory): Promise<unknown> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const present = new Set(await admin.listTopics());
    const topics = manifest.topics.map((t) => t.topic).filter((t) => present.has(t));
    if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 30_000 });
    // The controller answers before every broker has dropped them: wait until none lists them.
    const deadline = Date.now() + 60_000;
    for (;;) {
      const left = new Set(await admin.listTopics());
      if (topics.every((t) => !left.has(t))) break;
      if (Date.now() > deadline)
        throw new Error(`the broker still lists ${topics.filter((t) => left.has(t)).join(', ')}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    return {
      topics,
      records: manifest.topics
        .filter((t) => topics.includes(t.topic))
        .reduce((n, t) => n + t.records, 0),
    };
  } finally {
    await admin.disconnect();
  }
}

async function deleteSubjects(config: AppConfig, manifest: PlatformInventory): Promise<unknown> {
  const registry = new RegistrySubjects(config.registry.url);
  const subjects: Array<{ subject: string; soft: boolean; permanent: boolean }> = [];
  for (const { subject } of manifest.subjects)
    subjects.push({ subject, ...(await registry.delete(subject)) });
  return { subjects };
}

async function emptyTables(pool: Pool, manifest: PlatformInventory): Promise<unknown> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    // Alone under the aggregator's lock: no batch, rebuild swap or retention runs meanwhile.
    await client.query('SELECT pg_advisory_xact_lock($1)', [AGGREGATION_LOCK]);
    const live = manifest.tables.filter((t) => !t.table.includes('.')).map((t) => t.table);
    if (live.length > 0) await client.query(`TRUNCATE ${live.join(', ')}`);
    await client.query(`DROP SCHEMA IF EXISTS ${REBUILD_SCHEMA} CASCADE`);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
  return {
    tables: manifest.tables.map((t) => t.table),
    rows: manifest.tables.reduce((n, t) => n + t.rows, 0),
  };
}

/** A tombstone for `eventId` on the events topic, unless its newest record is one. */
async function tombstone(kafka: Kafka, config: AppConfig, eventId: string): Promise<unknown> {
  const topic = config.sanitizer.eventsTopic;
  const admin = kafka.admin();
  await admin.connect();
  const exists = (await admin.listTopics().finally(() => admin.disconnect())).includes(topic);
  if (!exists) return { topic, tombstone: false };
  const latest = (await latestPerKey(kafka, topic)).get(eventId);
  if (latest === undefined || latest.tombstone) return { topic, tombstone: false };
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    await producer.send({
      topic,
      acks: -1,
      messages: [{ key: eventId, value: null, partition: latest.partition }],
    });
  } finally {
    await producer.disconnect();
  }
  return { topic, tombstone: true, partition: latest.partition };
}

const check = (name: string, target: string, expected: string, observed: string): PurgeCheck => ({
  check: name,
  target,
  expected,
  observed,
  ok: expected === observed,
});

/** The checks of `purge --all`: topics, groups, subjects, schema ids and tables gone. */
async function checkPlatform(
  config: AppConfig,
  kafka: Kafka,
  pool: Pool,
  manifest: PlatformInventory,
): Promise<PurgeCheck[]> {
  const checks: PurgeCheck[] = [];
  const admin = kafka.admin();
  await admin.connect();
  try {
    const topics = new Set(await admin.listTopics());
    for (const { topic } of manifest.topics)
      checks.push(
        check(
          'topic unknown to the broker',
          topic,
          'absent',
          topics.has(topic) ? 'present' : 'absent',
        ),
      );
    const groupIds = manifest.groups.map((g) => g.groupId);
    const { groups } = groupIds.length > 0 ? await admin.describeGroups(groupIds) : { groups: [] };
    for (const group of groups)
      checks.push(
        check(
          'consumer group unknown to the broker',
          group.groupId,
          'absent',
          group.state === 'Dead' ? 'absent' : `${group.state}, ${group.members.length} member(s)`,
        ),
      );
  } finally {
    await admin.disconnect();
  }
  const registry = new RegistrySubjects(config.registry.url);
  const listed = new Set(await registry.list(true));
  const purged = new Set(manifest.subjects.map((s) => s.subject));
  for (const { subject, versions } of manifest.subjects) {
    const state = await registry.describe(subject);
    checks.push(
      check(
        'registry subject absent (soft-deleted ones included)',
        subject,
        'absent',
        listed.has(subject) || state.versions.length > 0
          ? `present (${state.versions.length} version(s))`
          : 'absent',
      ),
    );
    for (const { id } of versions) {
      const users = await registry.schemaUsers(id);
      const ours = (users ?? []).filter((u) => purged.has(u.subject));
      checks.push(
        check(
          "schema id no longer served for the platform's subjects",
          `id ${id}`,
          'absent',
          ours.length === 0
            ? 'absent'
            : `served for ${ours.map((u) => `${u.subject} v${u.version}`).join(', ')}`,
        ),
      );
    }
  }
  for (const { table } of manifest.tables) {
    const { rows } = await pool.query<{ exists: boolean }>(
      'SELECT to_regclass($1) IS NOT NULL AS exists',
      [table],
    );
    const count = rows[0]?.exists
      ? ((await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0]?.n ??
        -1)
      : 0;
    checks.push(check('table holds no row', table, '0', String(count)));
  }
  return checks;
}

/** The checks of `purge --event`: no row holds the event; its newest record is a tombstone. */
async function checkEvent(
  config: AppConfig,
  kafka: Kafka,
  pool: Pool,
  eventId: string,
): Promise<PurgeCheck[]> {
  const checks: PurgeCheck[] = (await eventTables(pool, eventId)).map((t) =>
    check('no row holds the event', t.table, '0', String(t.rows)),
  );
  const topic = config.sanitizer.eventsTopic;
  const admin = kafka.admin();
  await admin.connect();
  const exists = (await admin.listTopics().finally(() => admin.disconnect())).includes(topic);
  const latest = exists ? (await latestPerKey(kafka, topic)).get(eventId) : undefined;
  checks.push(
    check(
      "the event's newest record on the compacted topic is a tombstone (or it has none)",
      topic,
      'tombstone or none',
      latest === undefined || latest.tombstone ? 'tombstone or none' : 'a record with a value',
    ),
  );
  return checks;
}

/** What no purge of the platform reaches. */
const PLATFORM_LIMITS: readonly Remainder[] = [
  {
    what: 'backups',
    why: "dumps, snapshots and backups of PostgreSQL's, the broker's and the registry's disks are not the platform's to reach: destroy them by their own procedure",
  },
  {
    what: "PostgreSQL's WAL",
    why: 'the rows removed are still in the write-ahead log until its segments are recycled, and in any WAL archive or replica; TRUNCATE gives the table files back to the file system without overwriting them',
  },
  {
    what: "the broker's asynchronous file deletion",
    why: "a deleted topic's log segments are renamed and removed by the broker later (file.delete.delay.ms, 60 s by default), on every replica; the file system does not overwrite them",
  },
  {
    what: "the broker's producer state",
    why: 'transactional ids and producer ids (no record data) stay until transactional.id.expiration.ms (7 days by default)',
  },
  {
    what: 'copies outside the platform',
    why: "exports by analysts (psql, QGIS), tiles in browsers' caches, the apps' logs, the Cortège side's own data: not reached",
  },
];

/** What `purge --event` leaves, with the date each append-only record goes by retention. */
async function eventLimits(
  kafka: Kafka,
  config: AppConfig,
  manifest: EventInventory,
): Promise<Remainder[]> {
  const limits: Remainder[] = [];
  const topics = manifest.topics.filter((t) => t.records.length > 0);
  let retention = new Map<string, Record<string, string | null>>();
  if (topics.length > 0) {
    const admin = kafka.admin();
    await admin.connect();
    retention = await topicConfigValues(
      admin,
      topics.map((t) => t.topic),
      ['retention.ms', 'cleanup.policy', 'delete.retention.ms'],
    ).finally(() => admin.disconnect());
  }
  for (const topic of topics) {
    const configs = retention.get(topic.topic) ?? {};
    const where = topic.records.map((r) => `${r.partition}:${r.offset}`).join(', ');
    if (configs['cleanup.policy']?.includes('compact')) {
      limits.push({
        what: `${topic.topic} (compacted): ${topic.records.length} record(s) at ${where}`,
        why: `its newest record is now a tombstone; the older ones go when the broker compacts the partition (asynchronously), the tombstone itself after delete.retention.ms (${configs['delete.retention.ms'] ?? '?'} ms)`,
      });
      continue;
    }
    const ms = Number(configs['retention.ms'] ?? -1);
    const newest = Math.max(...topic.records.map((r) => Date.parse(r.timestamp)));
    limits.push({
      what: `${topic.topic} (append-only, ${topic.role}): ${topic.records.length} record(s) at ${where}`,
      why:
        ms < 0
          ? 'Kafka cannot delete one record from an append-only topic, and this one keeps its records for ever: only purge --all removes them'
          : `Kafka cannot delete one record from an append-only topic; its retention (${ms} ms) removes them by ${new Date(newest + ms).toISOString()} (a segment goes whole, when its newest record is past retention). Until then a replay of the aggregator or a rebuild brings the event back: run purge --event again after one`,
    });
  }
  limits.push(
    {
      what: 'geocode cache',
      why: 'its entries are keyed by normalised address, not by event: the addresses the event shared with others stay until their TTL (RETENTION_GEOCODE_CACHE_DAYS) or purge --all',
    },
    ...PLATFORM_LIMITS.filter((l) => l.what !== "the broker's producer state"),
  );
  return limits;
}

/** `cortege purge verify REPORT.json`. */
async function verifyCommand(
  path: string,
  config: AppConfig,
  openPool: () => Pool,
  io: CommandIo,
  json: boolean,
): Promise<number> {
  let report: DestructionReport;
  let jws: string;
  try {
    ({ report, jws } = JSON.parse(readFileSync(path, 'utf8')) as {
      report: DestructionReport;
      jws: string;
    });
  } catch (error) {
    io.stderr.write(`cortege purge verify: ${path}: ${(error as Error).message}\n`);
    return 1;
  }
  const results: PurgeCheck[] = [];
  const { key, kid, source } = await verifyKey(config);
  const signature = await checkSignature(report, jws, key);
  results.push({
    check: 'signature of the report',
    target: `key ${kid} (${source})`,
    expected: 'valid',
    observed: signature.ok ? 'valid' : signature.reason,
    ok: signature.ok,
  });
  const markdown = path.replace(/\.json$/, '.md');
  if (markdown !== path && existsSync(markdown)) {
    const digest = sha256(readFileSync(markdown));
    results.push(
      check('Markdown report unchanged', basename(markdown), report.markdownSha256, digest),
    );
  }
  if (signature.ok) {
    const here = targetOf(config);
    if (canonicalJson(here) !== canonicalJson(report.target)) {
      results.push(
        check(
          'the report is of this platform',
          'target',
          canonicalJson(report.target),
          canonicalJson(here),
        ),
      );
    } else {
      const kafka = kafkaFromConfig({ ...config, logLevel: 'error' }, 'cli');
      const pool = openPool();
      try {
        results.push(
          ...(report.existed.kind === 'all'
            ? await checkPlatform(config, kafka, pool, report.existed)
            : await checkEvent(config, kafka, pool, report.existed.eventId)),
        );
      } finally {
        await pool.end();
      }
    }
  }
  const ok = results.every((r) => r.ok);
  if (json)
    await writeLine(io.stdout, JSON.stringify({ ok, reportId: report.reportId, checks: results }));
  else {
    for (const r of results)
      await writeLine(
        io.stdout,
        `${r.ok ? 'ok  ' : 'FAIL'} ${r.check}: ${r.target}${r.ok ? '' : ` (expected ${r.expected}, found ${r.observed})`}`,
      );
    await writeLine(
      io.stdout,
      ok
        ? `report ${report.reportId}: signature valid, ${results.length - 1} check(s) pass again`
        : `report ${report.reportId}: NOT verified`,
    );
  }
  return ok ? 0 : 1;
}

/** Every topic the purge of the platform would delete (for the help and tests). */
export const purgedTopicNames = (config: AppConfig): string[] =>
  retainedTopics(config).map((t) => t.topic);
export { platformSubjects };
