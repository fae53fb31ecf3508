import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Pool } from 'pg';
import { AGGREGATION_LOCK } from '@app/aggregation';
import { loadConfig } from '@app/config';
import { parseSubmission, type Submission } from '@app/contracts';
import { latestPerKey, readRange, retainedTopics } from '@app/kafka';
import { RegistrySubjects } from '@app/schema-registry';
import {
  createGazetteerDatabase,
  createTopics,
  pipelineEnv,
  pipelineTopics,
  runCortege,
  stageProcess,
  SubmissionPublisher,
  testKafka,
  uniqueName,
  waitFor,
  type AppProcess,
  type StageName,
  type TestDatabase,
} from '@app/testing';
import { marseilleDay } from '../../../infra/demo/marseille-day';
import { EVENT_ROWS } from '../src/purge/purge-inventory';

const config = loadConfig();
const ROOT = join(__dirname, '..', '..', '..');
const STAGES: readonly StageName[] = ['sanitizer', 'locator', 'aggregator'];
const DAY = '2026-05-01';
/** The tables `purge --all` empties (the geocode cache among them). */
const DATA_TABLES = [
  'event',
  'event_region',
  'event_presence',
  'cell_tension',
  'tension_zone',
  'geocode_cache',
  'consumer_offset',
];

interface Report {
  report: {
    reportId: string;
    complete: boolean;
    runs: Array<{ steps: Array<{ step: string }> }>;
    existed: {
      kind: string;
      topics: Array<{ topic: string; records: number | unknown[]; partitions?: unknown[] }>;
      groups?: Array<{ groupId: string }>;
      subjects?: Array<{ subject: string; versions: Array<{ id: number }> }>;
      tables: Array<{ table: string; rows: number; sha256: string }>;
    };
    checks: Array<{ check: string; target: string; ok: boolean }>;
    limits: Array<{ what: string; why: string }>;
    kept: Array<{ what: string }>;
    operator: string;
    software: { version: string };
  };
  jws: string;
}

describe('cortege purge (the demo day on the real broker, registry and PostGIS)', () => {
  const kafka = testKafka(config);
  const name = uniqueName('purge');
  const topics = pipelineTopics(name);
  const topicNames: string[] = [topics.input, topics.events, topics.presence, topics.dlq];
  const day = marseilleDay(DAY);
  const running = new Map<StageName, { app: AppProcess; port: number }>();
  const started: AppProcess[] = [];
  let database: TestDatabase;
  let pool: Pool;
  let env: Record<string, string>;
  let reportDir: string;
  const published: Submission[] = [];

  beforeAll(async () => {
    database = await createGazetteerDatabase(config);
    pool = new Pool({ connectionString: database.url, max: 2 });
    await createTopics(kafka, topicNames);
    reportDir = mkdtempSync(join(tmpdir(), 'cortege-purge-'));
    const key = join(reportDir, 'signing-key.pem');
    writeFileSync(
      key,
      generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }),
    );
    env = {
      ...pipelineEnv(name, topics),
      // Every name the purge derives from the configuration is this test's own.
      INGEST_TOPIC: topics.input,
      DLQ_REDRIVE_GROUP_ID: `${name}-redrive`,
      KAFKA_BROKERS: config.kafka.brokers.join(','),
      SCHEMA_REGISTRY_URL: config.registry.url,
      DATABASE_URL: database.url,
      PURGE_REPORT_DIR: reportDir,
      PURGE_SIGNING_KEY_FILE: key,
    };
    // The guard: the configuration the CLI will load names only this test's topics, groups and
    // database, on the stack this test was given.
    const cli = loadConfig({ ...env });
    expect(cli.kafka.brokers).toEqual(config.kafka.brokers);
    expect(cli.registry.url).toBe(config.registry.url);
    expect(new URL(cli.database.url).pathname).toBe(`/${database.name}`);
    expect(database.name).toMatch(/^test_/);
    for (const { topic } of retainedTopics(cli)) expect(topic.startsWith(`${name}.`)).toBe(true);
    for (const group of [
      cli.sanitizer.groupId,
      cli.locator.groupId,
      cli.aggregator.groupId,
      cli.dlq.redriveGroupId,
    ])
      expect(group.startsWith(`${name}-`)).toBe(true);

    // The demo's day, every step in order, through the three stages.
    for (const step of day.steps)
      for (const body of step.submissions) {
        const parsed = parseSubmission(JSON.parse(JSON.stringify(body)));
        if (!parsed.ok) throw new Error(JSON.stringify(parsed.violations));
        published.push(parsed.submission);
      }
    const publisher = await SubmissionPublisher.create(kafka, config.registry.url, topics.input);
    await publisher.publish(published);
    for (const stage of STAGES) {
      const process = await stageProcess(stage, name, topics, database.url, env);
      running.set(stage, process);
      started.push(process.app);
      process.app.start();
    }
    for (const { app, port } of running.values()) await app.healthy(port);
    const held = day.events.filter((e) => !e.cancelled);
    await waitFor(
      'the demo day settled',
      async () => {
        const health = await Promise.all(
          [...running.values()].map(
            async ({ port }) =>
              (await fetch(`http://127.0.0.1:${port}/health`)).json() as Promise<{
                lag: number | null;
              }>,
          ),
        );
        if (health.some((h) => h.lag !== 0)) return undefined;
        const { rows } = await pool.query<{ event_id: string; revision: number }>(
          'SELECT event_id::text, revision FROM event',
        );
        const latest = new Map(rows.map((r) => [r.event_id, r.revision]));
        return held.every((e) => latest.get(e.eventId) === e.latestRevision) ? true : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 500 },
    );
  });
  afterAll(async () => {
    await Promise.all(started.map((app) => app.stop('SIGKILL')));
    const admin = kafka.admin();
    await admin.connect();
    const left = new Set(await admin.listTopics());
    const ours = topicNames.filter((t) => left.has(t));
    if (ours.length > 0) await admin.deleteTopics({ topics: ours }).catch(() => undefined);
    await admin.disconnect();
    await pool?.end();
    await database?.drop();
    if (reportDir) rmSync(reportDir, { recursive: true, force: true });
  });

  const count = async (table: string, where = 'true', params: unknown[] = []) =>
    (
      await pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM ${table} WHERE ${where}`,
        params,
      )
    ).rows[0]?.n ?? -1;
  /** Committed records of `topic`, read by this test. */
  const records = async (topic: string) => readRange(kafka, topic, { onBatch: () => undefined });
  const reportOf = (stdout: string) => {
    const summary = JSON.parse(stdout) as { json: string; markdown: string; complete: boolean };
    return { ...summary, parsed: JSON.parse(readFileSync(summary.json, 'utf8')) as Report };
  };

  it('refuses without the confirmation phrase, and names it', async () => {
    const run = await runCortege(env, ['purge', '--all']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`--confirm "purge all data of ${database.name}"`);
    const wrong = await runCortege(env, [
      'purge',
      '--all',
      '--confirm',
      'purge all data of cortege',
    ]);
    expect(wrong.code).toBe(1);
    expect(await count('event')).toBeGreaterThan(0);
  });

  it('purges one event everywhere: its rows, the aggregates recomputed, a tombstone; the report names what only retention removes', async () => {
    const target = day.events.find((e) => e.key === 'flea-market')!.eventId;
    const others = await count('event', 'event_id <> $1::uuid', [target]);
    expect(await count('event_presence', 'event_id = $1::uuid', [target])).toBeGreaterThan(0);
    expect(await count('cell_tension', '$1::uuid = ANY(event_ids)', [target])).toBeGreaterThan(0);
    // Its status, recorded by the stages (rows the aggregator's forget does not touch).
    expect(await count('submission_status', 'event_id = $1::uuid', [target])).toBeGreaterThan(0);
    const run = await runCortege(env, [
      'purge',
      '--event',
      target,
      '--confirm',
      `purge event ${target}`,
      '--json',
    ]);
    expect({ code: run.code, stderr: run.code === 0 ? '' : run.stderr }).toEqual({
      code: 0,
      stderr: '',
    });
    const { parsed, json } = reportOf(run.stdout);
    expect(parsed.report.complete).toBe(true);
    // The manifest: the event's rows before, its records on each topic.
    const existed = parsed.report.existed;
    expect(existed.tables.find((t) => t.table === 'event')?.rows).toBe(1);
    const input = existed.topics.find((t) => t.topic === topics.input)!;
    expect(input.records).toHaveLength(published.filter((s) => s.eventId === target).length);
    // Gone from every table, the other events untouched; the newest record a tombstone.
    expect(EVENT_ROWS.map(([table]) => table)).toEqual(
      expect.arrayContaining([
        'event',
        'cell_tension',
        'submission_status',
        'alert',
        'webhook_delivery',
      ]),
    );
    for (const [table, where] of EVENT_ROWS)
      expect([table, await count(table, where.replace(/\bt\./g, ''), [target])]).toEqual([
        table,
        0,
      ]);
    expect(existed.tables.find((t) => t.table === 'submission_status')?.rows).toBeGreaterThan(0);
    expect(await count('event')).toBe(others);
    expect((await latestPerKey(kafka, topics.events)).get(target)?.tombstone).toBe(true);
    // What append-only topics keep, with the date their retention removes it.
    const limit = parsed.report.limits.find((l) =>
      l.what.startsWith(`${topics.input} (append-only`),
    );
    expect(limit?.why).toMatch(/removes them by \d{4}-\d\d-\d\dT/);
    expect(parsed.report.limits.map((l) => l.what)).toEqual(
      expect.arrayContaining(['geocode cache', 'backups', "PostgreSQL's WAL"]),
    );
    const verified = await runCortege(env, ['purge', 'verify', json]);
    expect({ code: verified.code, out: verified.stdout }).toEqual({
      code: 0,
      out: expect.stringContaining('signature valid') as unknown,
    });
  });

  it('purges everything, interrupted at the tables and run again: manifest equal to what the pipeline wrote, a recount finds 0, the report verifies and a tampered one does not', async () => {
    // The stages stop: a purge refuses while a group has members.
    for (const [stage, { app }] of running)
      expect([stage, await app.stop('SIGTERM')]).toEqual([stage, 0]);
    running.clear();
    const before = Object.fromEntries(
      await Promise.all(DATA_TABLES.map(async (t) => [t, await count(t)] as const)),
    );
    expect(before.event).toBe(day.events.filter((e) => !e.cancelled).length - 1);
    expect(before.geocode_cache).toBeGreaterThan(0);
    const written = Object.fromEntries(
      await Promise.all(topicNames.map(async (t) => [t, await records(t)] as const)),
    );
    // The submissions topic holds exactly what was published.
    expect(written[topics.input]).toBe(published.length);
    const registry = new RegistrySubjects(config.registry.url);
    const subjectsBefore = (await registry.list()).filter((s) => s.startsWith(`${name}.`)).sort();
    expect(subjectsBefore).toEqual(
      expect.arrayContaining([
        `${topics.input}-value`,
        `${topics.events}-value`,
        `${topics.presence}-value`,
      ]),
    );

    // Held: the aggregator's lock, shared, which the tables step needs alone.
    const holder = new Client({ connectionString: database.url });
    await holder.connect();
    await holder.query('SELECT pg_advisory_lock_shared($1)', [AGGREGATION_LOCK]);
    const phrase = `purge all data of ${database.name}`;
    const first = spawnCortege(env, ['purge', '--all', '--confirm', phrase, '--json']);
    const progressFile = join(reportDir, 'purge-all.progress.json');
    try {
      await waitFor(
        'the purge waiting at the tables step',
        async () => {
          if (!existsSync(progressFile)) return undefined;
          const done = (JSON.parse(readFileSync(progressFile, 'utf8')) as { done: string[] }).done;
          if (!done.includes('registry subjects')) return undefined;
          const { rows } = await holder.query<{ n: number }>(
            `SELECT count(*)::int AS n FROM pg_stat_activity
              WHERE datname = $1 AND wait_event_type = 'Lock' AND wait_event = 'advisory'`,
            [database.name],
          );
          return rows[0]?.n === 1 ? true : undefined;
        },
        { timeoutMs: 90_000, intervalMs: 200 },
      );
      first.child.kill('SIGKILL');
      expect(await first.exit).toBe(null);
    } finally {
      await holder.end();
    }
    // Killed half-way: topics, groups and subjects gone, the tables still full.
    expect(await count('event')).toBe(before.event);
    const second = await runCortege(env, ['purge', '--all', '--confirm', phrase, '--json']);
    expect({ code: second.code, stderr: second.code === 0 ? '' : second.stderr }).toEqual({
      code: 0,
      stderr: '',
    });
    expect(existsSync(progressFile)).toBe(false);
    const { parsed, json, markdown } = reportOf(second.stdout);
    const report = parsed.report;
    expect(report.complete).toBe(true);
    expect(report.runs.map((r) => r.steps.map((s) => s.step))).toEqual([
      ['manifest', 'consumer groups', 'topics', 'registry subjects'],
      ['tables'],
    ]);
    // The manifest equals what the pipeline wrote.
    for (const topic of topicNames)
      expect([topic, report.existed.topics.find((t) => t.topic === topic)?.records]).toEqual([
        topic,
        written[topic],
      ]);
    for (const table of DATA_TABLES)
      expect([table, report.existed.tables.find((t) => t.table === table)?.rows]).toEqual([
        table,
        before[table],
      ]);
    expect(report.existed.groups?.map((g) => g.groupId).sort()).toEqual(
      [`${name}-aggregator`, `${name}-locator`, `${name}-sanitizer`].sort(),
    );
    expect(report.existed.subjects?.map((s) => s.subject).sort()).toEqual(subjectsBefore);
    expect(report.kept.map((k) => k.what)).toEqual(
      expect.arrayContaining(['table access_audit', 'table habilitation']),
    );
    expect(report.limits.map((l) => l.what)).toEqual(
      expect.arrayContaining([
        'backups',
        "PostgreSQL's WAL",
        "the broker's asynchronous file deletion",
        'copies outside the platform',
      ]),
    );

    // A recount of its own finds nothing.
    for (const table of DATA_TABLES) expect([table, await count(table)]).toEqual([table, 0]);
    const admin = kafka.admin();
    await admin.connect();
    const listed = new Set(await admin.listTopics());
    const { groups } = await admin.describeGroups([`${name}-sanitizer`, `${name}-locator`]);
    await admin.disconnect();
    expect(topicNames.filter((t) => listed.has(t))).toEqual([]);
    expect(groups.map((g) => g.state)).toEqual(['Dead', 'Dead']);
    expect((await registry.list(true)).filter((s) => s.startsWith(`${name}.`))).toEqual([]);
    for (const subject of report.existed.subjects ?? [])
      for (const { id } of subject.versions)
        expect(
          ((await registry.schemaUsers(id)) ?? []).filter((u) => u.subject.startsWith(`${name}.`)),
        ).toEqual([]);
    const { rows: audit } = await pool.query<{ route: string }>(
      `SELECT route FROM access_audit WHERE method = 'CLI' ORDER BY id`,
    );
    expect(audit.map((r) => r.route)).toEqual(['cortege purge --event', 'cortege purge --all']);

    // Verified: the signature, the Markdown, and the absence again.
    const verified = await runCortege(env, ['purge', 'verify', json, '--json']);
    const verdict = JSON.parse(verified.stdout) as { ok: boolean; checks: Array<{ ok: boolean }> };
    expect({ code: verified.code, ok: verdict.ok }).toEqual({ code: 0, ok: true });
    expect(verdict.checks.length).toBeGreaterThan(DATA_TABLES.length + 4);

    // Tampered: one count lowered, then the Markdown edited; and another key.
    const tampered = JSON.parse(readFileSync(json, 'utf8')) as Report;
    tampered.report.existed.tables[0]!.rows -= 1;
    const tamperedFile = join(reportDir, 'tampered.json');
    writeFileSync(tamperedFile, JSON.stringify(tampered));
    const refused = await runCortege(env, ['purge', 'verify', tamperedFile]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('the report differs from what was signed');
    writeFileSync(markdown, `${readFileSync(markdown, 'utf8')}\nNothing was kept.\n`);
    const edited = await runCortege(env, ['purge', 'verify', json]);
    expect(edited.code).toBe(1);
    expect(edited.stdout).toContain('FAIL Markdown report unchanged');
    const otherKey = join(reportDir, 'other.pem');
    writeFileSync(
      otherKey,
      generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }),
    );
    const foreign = await runCortege({ ...env, PURGE_VERIFY_KEY_FILE: otherKey }, [
      'purge',
      'verify',
      json,
    ]);
    expect(foreign.code).toBe(1);
    expect(foreign.stdout).toContain('the signature does not verify');
  });
});

/** `cortege <args>` as a process this test can kill. */
function spawnCortege(env: Readonly<Record<string, string>>, args: readonly string[]) {
  const assignments = Object.entries(env).map(([k, v]) => `${k}=${v}`);
  const child = spawn(
    'env',
    [...assignments, process.execPath, join(ROOT, 'apps', 'cli', 'bin', 'cortege.js'), ...args],
    { cwd: ROOT, stdio: ['ignore', 'ignore', 'ignore'] },
  );
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exit };
}
