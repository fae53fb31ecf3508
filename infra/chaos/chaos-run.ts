/**
 * `npm run chaos` (issue #10, point 5): the whole platform under faults. Realistic submissions
 * go through the ingest API, and malformed records of every kind beside them, to the ingest
 * API and the three stages run as processes under the process runner; meanwhile stages are
 * SIGKILLed, the broker SIGKILLed, PostgreSQL stopped in immediate mode and the registry
 * restarted. Then it waits until the pipeline settled and checks that nothing accepted was
 * lost, that the dead letters hold exactly the malformed records, that the aggregates equal a
 * clean run's of the same input, and that no process is left crash-looping.
 *
 * It kills the stack's own services, so it runs only on a stack this launcher started (never
 * an external or shared one): give it ports of its own (README, "Chaos run").
 */
import { createWriteStream, mkdirSync, writeFileSync, type WriteStream } from 'node:fs';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { Pool } from 'pg';
import type { AppConfig } from '@app/config';
import { SUBMISSION_SCHEMA, type Submission } from '@app/contracts';
import { migrate } from '@app/database';
import { importBanAddresses, importGazetteerPlaces } from '@app/geocoding-adapters';
import { kafkaSecurityOptions } from '@app/kafka';
import { ProcessRunner, projectApp, REPO_ROOT, type ProcessExit } from '@app/process-runner';
import { AvroSerde, RegistryClient, valueSubject } from '@app/schema-registry';
import {
  approveInitialContract,
  createTestDatabase,
  testIssuer,
  uniqueName,
  waitFor,
  type TestDatabase,
} from '@app/testing';
import { stackStatus, stackUp } from '../local/src/stack';
import {
  checkDeadLetters,
  checkEvents,
  compareChecksums,
  deadLetters,
  keyCopies,
  type ChecksumCheck,
  type DeadLetterCheck,
  type EventsCheck,
} from './chaos-checks';
import { chaosInput } from './chaos-input';
import type { ChaosReport, ExitRecord, ProcessSummary } from './chaos-report';
import { FaultInjector } from './fault-injector';
import { CHAOS_APPS, faultSchedule, type ChaosApp } from './fault-schedule';
import { IngestClient } from './ingest-client';
import {
  avroBody,
  malformedRecords,
  wire,
  type MalformedRecord,
  type SchemaIds,
} from './malformed-records';
import {
  PipelineProbe,
  waitUntilSettled,
  type PipelineNames,
  type StageState,
} from './pipeline-probe';
import { TopicWriter } from './topic-writer';

export interface ChaosOptions {
  /** Valid submissions sent through the ingest API (revisions, cancels, re-sends included). */
  readonly submissions: number;
  /** SIGKILLs of random stage processes (the ingest API included). */
  readonly kills: number;
  readonly brokerRestarts: number;
  readonly postgresRestarts: number;
  readonly registryRestarts: number;
  /** Malformed records, every kind at least once. */
  readonly malformed: number;
  readonly seed: number;
  /** Where the JSON report goes; none when undefined. */
  readonly reportPath: string | undefined;
  /** The window over which faults are injected and submissions sent (the last 20 % faults only), s. */
  readonly windowSeconds: number;
  /** How long the pipeline may take to settle after the faults and the sending, s. */
  readonly settleTimeoutSeconds: number;
  /** After settling, how long every process must stay up without exiting by itself, s. */
  readonly quietSeconds: number;
  /** Submissions per request to the ingest API. */
  readonly batchSize: number;
  /** Also run the clean reference (same input, no faults) and compare checksums. */
  readonly clean: boolean;
  /** Keep the run's databases and topics (for a post-mortem). */
  readonly keep: boolean;
  readonly print: (line: string) => void;
}

const DATA = join(REPO_ROOT, 'libs', 'geocoding-adapters', 'data');
/** How long one batch may be retried before it counts as refused, ms. */
const GIVE_UP_MS = 600_000;

/** One pipeline of the run: its database, topics, groups and ports. */
interface Pipeline {
  readonly tag: string;
  readonly names: PipelineNames;
  readonly database: TestDatabase;
  readonly pool: Pool;
}

/**
 * Runs the chaos run on the stack of `config` and returns its report (also written to
 * `options.reportPath`). The report's verdict says whether every check passed.
 */
export async function runChaos(config: AppConfig, options: ChaosOptions): Promise<ChaosReport> {
  const { print } = options;
  const started = Date.now();
  const status = await stackUp(config);
  const foreign = (await stackStatus(config)).filter((s) => s.origin !== 'local');
  if (foreign.length > 0)
    throw new Error(
      `the chaos run kills the broker, PostgreSQL and the registry, so it needs a local stack of its own; ` +
        `${foreign.map((s) => `${s.name} is ${s.origin}`).join(', ')} (unset KAFKA_BROKERS, SCHEMA_REGISTRY_URL, DATABASE_URL and use STACK_* ports of its own)`,
    );
  const down = status.filter((s) => !s.health.ok);
  if (down.length > 0)
    throw new Error(
      `the stack is not healthy: ${down.map((s) => `${s.name} (${s.health.detail})`).join(', ')}`,
    );

  const input = chaosInput({ submissions: options.submissions, seed: options.seed });
  const malformed = malformedRecords(options.malformed, options.seed);
  print(
    `input: ${input.submissions.length} submissions of ${input.stats.events} events, ${malformed.length} malformed records (seed ${options.seed})`,
  );

  const kafka = new Kafka({
    clientId: 'cortege-chaos',
    brokers: [...config.kafka.brokers],
    logLevel: logLevel.NOTHING,
    ...kafkaSecurityOptions(config.kafka),
  });
  const admin = kafka.admin();
  await admin.connect();
  const tag = uniqueName('chaos').replace('-', '_');
  const logFile = join(config.stack.dir, `${tag}-apps.log`);
  mkdirSync(dirname(logFile), { recursive: true });
  const log = createWriteStream(logFile, { flags: 'a' });
  print(`the apps' logs: ${logFile}`);
  const pipelines: Pipeline[] = [];
  const runners: ProcessRunner[] = [];
  const stopFaults = new AbortController();
  const findings: string[] = [];
  const failures: string[] = [];
  let report: ChaosReport | undefined;
  try {
    const chaos = await preparePipeline(config, tag);
    pipelines.push(chaos);
    const issuer = await testIssuer('https://sso.chaos.invalid/realms/cortege');
    const token = await issuer.token(
      { roles: ['producer'] },
      { exp: Math.floor(Date.now() / 1000) + 7 * 86_400 },
    );

    // The chaos pipeline, its faults and its traffic.
    const exits: ExitRecord[] = [];
    const runner = pipelineRunner(config, chaos, issuer.env, log, (line) => print(line));
    runners.push(runner);
    const injector = new FaultInjector(
      config,
      runner,
      started,
      (line) => print(`fault   ${line}`),
      options.seed,
    );
    runner.on('exit', (exit: ProcessExit) => {
      const byChaos = injector.killedByChaos(exit.pid);
      exits.push({
        ...exit,
        atMs: Date.now() - started,
        byChaos,
        ...(byChaos ? {} : { lastOutput: runner.output(exit.name).slice(-1_500) }),
      });
    });
    print('starting the ingest API and the three stages');
    await runner.start();
    print(`all healthy after ${((Date.now() - started) / 1000).toFixed(1)} s`);

    const ids = await schemaIds(config, chaos.names);
    const client = new IngestClient(ingestEndpoint(chaos), token, GIVE_UP_MS);
    const writer = new TopicWriter(kafka, chaos.names.topics.submissions, GIVE_UP_MS);
    await writer.connect();
    const oversized = new Map<string, string>();
    const windowMs = options.windowSeconds * 1000;
    const plan = faultSchedule(
      {
        kills: options.kills,
        brokerRestarts: options.brokerRestarts,
        postgresRestarts: options.postgresRestarts,
        registryRestarts: options.registryRestarts,
      },
      windowMs,
      options.seed,
    );
    const faulting = injector.run(plan, stopFaults.signal);
    const sendStarted = Date.now();
    await sendAll(
      input.submissions,
      malformed,
      { client, writer, ids, oversized, batchSize: options.batchSize, spreadMs: windowMs * 0.8 },
      (line) => print(line),
    ).finally(() => writer.disconnect());
    const sendMs = Date.now() - sendStarted;
    print(`sent everything in ${(sendMs / 1000).toFixed(1)} s; waiting for the last faults`);
    await faulting;

    // Settle, then a quiet window in which nothing may exit by itself.
    const probe = new PipelineProbe(admin, chaos.pool, chaos.names);
    let lastPrint = 0;
    let samples = 0;
    const slowHealth = new Map<ChaosApp, number>();
    const settle = await waitUntilSettled(
      probe,
      { timeoutMs: options.settleTimeoutSeconds * 1000 },
      (states, behind) => {
        samples += 1;
        // A process that runs yet does not answer its /health in time (event loop busy).
        for (const state of states)
          if (state.slow && runner.pid(state.app) !== undefined)
            slowHealth.set(state.app, (slowHealth.get(state.app) ?? 0) + 1);
        if (Date.now() - lastPrint > 15_000 && behind.length > 0) {
          lastPrint = Date.now();
          print(`settling: ${behind.join('; ')}`);
        }
      },
    );
    print(
      settle.settled
        ? `settled ${(settle.ms / 1000).toFixed(1)} s after the last fault and send`
        : `NOT settled after ${options.settleTimeoutSeconds} s: ${settle.behind.join('; ')}`,
    );
    for (const [app, n] of slowHealth)
      findings.push(
        `${app}: /health did not answer within 2 s in ${n} of ${samples} samples while settling, though the process ran`,
      );
    // The quiet window: every process must stay up and end it healthy, and none may exit by
    // itself. A /health that answers late says nothing either way (a busy machine); a process
    // that never answers in the whole window, or whose last answer is not 2xx, fails. A 503 in
    // between (a dependency probe of the stage's own that timed out on a loaded machine) is
    // reported as a finding.
    const quietFrom = Date.now() - started;
    const unhealthy = new Map<ChaosApp, string>();
    const lastAnswer = new Map<ChaosApp, StageState>();
    const record = (states: readonly StageState[]) => {
      for (const state of states.filter((s) => !s.slow)) {
        lastAnswer.set(state.app, state);
        if (!state.healthy) unhealthy.set(state.app, state.health);
      }
    };
    record(await probe.sample());
    while (Date.now() - started - quietFrom < options.quietSeconds * 1000) {
      await sleep(1_000);
      record(await probe.sample());
    }
    const processes = CHAOS_APPS.map((name): ProcessSummary => {
      const mine = exits.filter((e) => e.name === name);
      const own = mine.filter((e) => !e.byChaos);
      const state = lastAnswer.get(name);
      const lateExits = own.filter((e) => e.atMs >= quietFrom);
      const why =
        runner.pid(name) === undefined
          ? 'not running'
          : state === undefined
            ? `/health never answered within its time in the last ${options.quietSeconds} s`
            : !state.healthy
              ? `unhealthy: ${state.health}`
              : lateExits.length > 0
                ? `${lateExits.length} exit(s) of its own in the last ${options.quietSeconds} s`
                : undefined;
      if (why === undefined && unhealthy.has(name))
        findings.push(
          `${name}: /health answered 503 for a moment in the last ${options.quietSeconds} s, then 200: ${unhealthy.get(name) ?? ''}`,
        );
      return {
        name,
        exits: mine.length,
        killedByChaos: mine.length - own.length,
        exitedByItself: own.length,
        crashLooping: why !== undefined,
        ...(why ? { why } : {}),
      };
    });
    if (runner.restartHistory().length !== exits.length)
      findings.push(
        `the runner recorded ${runner.restartHistory().length} restarts, the run saw ${exits.length} exits`,
      );
    for (const exit of exits.filter((e) => !e.byChaos))
      findings.push(
        `${exit.name} exited by itself at +${(exit.atMs / 1000).toFixed(1)}s (code ${exit.code}, signal ${exit.signal}, up ${(exit.uptimeMs / 1000).toFixed(1)} s); ${exitCause(exit.lastOutput ?? '')}`,
      );

    // What the tables and the dead letters hold.
    print('checking the events and the dead letters');
    const events = await checkEvents(chaos.pool, input.events, malformed);
    const copies = await keyCopies(kafka, chaos.names.topics.submissions);
    const letters = await deadLetters(kafka, chaos.names.topics.dlq);
    const accepted = new Set(input.events.map((e) => e.eventId));
    const dead = checkDeadLetters(malformed, copies, letters, oversized, accepted);
    await runner.stop();

    // The clean reference: the same valid submissions, fresh topics and database, no faults.
    let checksum: ChecksumCheck | undefined;
    let cleanRun: { settled: boolean; ms: number } | undefined;
    if (options.clean) {
      print('clean run: the same submissions without faults, fresh topics and database');
      const cleanStarted = Date.now();
      const clean = await preparePipeline(config, `${tag}_clean`);
      pipelines.push(clean);
      const cleanRunner = pipelineRunner(config, clean, issuer.env, log, (line) => print(line));
      runners.push(cleanRunner);
      try {
        await cleanRunner.start();
        const cleanClient = new IngestClient(ingestEndpoint(clean), token, GIVE_UP_MS);
        await sendAll(
          input.submissions,
          [],
          {
            client: cleanClient,
            writer: undefined,
            ids,
            oversized: new Map(),
            batchSize: 500,
            spreadMs: 0,
          },
          () => undefined,
        );
        if (cleanClient.stats.refused.length > 0)
          failures.push(
            `the clean run's API refused ${cleanClient.stats.refused.length} batch(es)`,
          );
        const cleanSettle = await waitUntilSettled(
          new PipelineProbe(admin, clean.pool, clean.names),
          { timeoutMs: options.settleTimeoutSeconds * 1000 },
        );
        cleanRun = { settled: cleanSettle.settled, ms: Date.now() - cleanStarted };
        print(
          `clean run ${cleanSettle.settled ? 'settled' : 'NOT settled'} in ${(cleanRun.ms / 1000).toFixed(1)} s`,
        );
      } finally {
        await cleanRunner.stop();
      }
      checksum = await compareChecksums(chaos.database.url, clean.database.url);
    }

    report = buildReport({
      options,
      started,
      input,
      malformed,
      sendMs,
      client,
      writer,
      injector,
      settle,
      processes,
      exits,
      events,
      dead,
      checksum,
      cleanRun,
      findings,
      failures,
    });
  } finally {
    // Whatever failed, no fault is injected any more and no app outlives the run.
    stopFaults.abort();
    await Promise.all(runners.map((r) => r.stop()));
    await admin.disconnect().catch(() => undefined);
    log.end();
    await cleanUp(kafka, pipelines, options.keep, print);
  }
  if (options.reportPath) {
    mkdirSync(dirname(options.reportPath), { recursive: true });
    writeFileSync(options.reportPath, `${JSON.stringify(report, null, 2)}\n`);
  }
  return report;
}

/**
 * A fresh database (migrated, gazetteer loaded, the contract approved) and fresh names of
 * topics and groups.
 */
async function preparePipeline(config: AppConfig, tag: string): Promise<Pipeline> {
  const database = await createTestDatabase(config);
  const pool = new Pool({ connectionString: database.url, max: 2 });
  pool.on('error', () => undefined); // idle clients die with PostgreSQL's restarts
  try {
    await migrate(database.url);
    await importBanAddresses(pool, join(DATA, 'adresses-13-extract.csv'));
    await importGazetteerPlaces(pool, join(DATA, 'places.csv'));
  } catch (error) {
    await pool.end();
    await database.drop();
    throw error;
  }
  const topic = (what: string) => `cortege.${tag}.${what}`;
  // Producers register nothing: the contract is approved first, as on a new platform.
  await approveInitialContract({
    databaseUrl: database.url,
    registryUrl: config.registry.url,
    topic: topic('submissions'),
  });
  return {
    tag,
    database,
    pool,
    names: {
      topics: {
        submissions: topic('submissions'),
        events: topic('events'),
        presence: topic('presence'),
        dlq: topic('dlq'),
      },
      groups: {
        sanitizer: `${tag}-sanitizer`,
        locator: `${tag}-locator`,
        aggregator: `${tag}-aggregator`,
      },
      ports: {
        'ingest-api': config.ingest.port,
        sanitizer: config.sanitizer.port,
        locator: config.locator.port,
        aggregator: config.aggregator.port,
      },
    },
  };
}

/** The four apps of a pipeline under a process runner, their output to `log`. */
function pipelineRunner(
  config: AppConfig,
  pipeline: Pipeline,
  issuerEnv: Readonly<Record<string, string>>,
  log: WriteStream,
  print: (line: string) => void,
): ProcessRunner {
  const { topics, groups, ports } = pipeline.names;
  const env = {
    KAFKA_BROKERS: config.kafka.brokers.join(','),
    SCHEMA_REGISTRY_URL: config.registry.url,
    DATABASE_URL: pipeline.database.url,
    INGEST_TOPIC: topics.submissions,
    SANITIZER_INPUT_TOPIC: topics.submissions,
    SANITIZER_EVENTS_TOPIC: topics.events,
    SANITIZER_DLQ_TOPIC: topics.dlq,
    LOCATOR_INPUT_TOPIC: topics.events,
    LOCATOR_PRESENCE_TOPIC: topics.presence,
    LOCATOR_DLQ_TOPIC: topics.dlq,
    AGGREGATOR_INPUT_TOPIC: topics.presence,
    AGGREGATOR_DLQ_TOPIC: topics.dlq,
    SANITIZER_GROUP_ID: groups.sanitizer,
    LOCATOR_GROUP_ID: groups.locator,
    AGGREGATOR_GROUP_ID: groups.aggregator,
    INGEST_PORT: String(ports['ingest-api']),
    SANITIZER_PORT: String(ports.sanitizer),
    LOCATOR_PORT: String(ports.locator),
    AGGREGATOR_PORT: String(ports.aggregator),
  };
  const app = (name: ChaosApp, extra: Readonly<Record<string, string>> = {}) =>
    projectApp(name, { ...env, ...extra }, ports[name]);
  return new ProcessRunner(
    [app('ingest-api', issuerEnv), app('sanitizer'), app('locator'), app('aggregator')],
    {
      startTimeoutMs: 180_000,
      log: ({ name, stream, text }) => {
        log.write(`${new Date().toISOString()} [${pipeline.tag} ${name}] ${text}\n`);
        if (stream === 'runner') print(`runner  ${name}: ${text}`);
      },
    },
  );
}

const ingestEndpoint = (pipeline: Pipeline) =>
  `http://127.0.0.1:${pipeline.names.ports['ingest-api']}/v1/submissions`;

/**
 * The ids a producer writing straight onto the topic uses: it registers the submission schema
 * as the SDK does at its start, and takes the locator's presence schema for the wrong-schema
 * records. Resolved once, as a producer would: a registry that forgets its schemas later is
 * part of what the run shows.
 */
async function schemaIds(config: AppConfig, names: PipelineNames): Promise<SchemaIds> {
  const registry = new RegistryClient(config.registry.url);
  const serde = await AvroSerde.register<Submission>(
    registry,
    names.topics.submissions,
    SUBMISSION_SCHEMA,
  );
  const presence = await waitFor(
    'the locator to register the presence schema',
    async () => {
      const response = await fetch(
        `${config.registry.url}/subjects/${encodeURIComponent(valueSubject(names.topics.presence))}/versions/latest`,
      ).catch(() => undefined);
      if (!response?.ok) return undefined;
      return ((await response.json()) as { id: number }).id;
    },
    { timeoutMs: 60_000, intervalMs: 500 },
  );
  return { submission: serde.schemaId as number, presence };
}

interface Senders {
  readonly client: IngestClient;
  readonly writer: TopicWriter | undefined;
  readonly ids: SchemaIds;
  readonly oversized: Map<string, string>;
  readonly batchSize: number;
  /** Spread the batches evenly over this long (ms); 0 = as fast as the API takes them. */
  readonly spreadMs: number;
}

/**
 * Sends the valid submissions in batches through the API, each batch with its share of the
 * malformed records: those the API accepts in the same request, the others produced straight
 * onto the topic right after it.
 */
async function sendAll(
  submissions: readonly Submission[],
  malformed: readonly MalformedRecord[],
  senders: Senders,
  print: (line: string) => void,
): Promise<void> {
  const { client, writer, ids, oversized, batchSize, spreadMs } = senders;
  const viaApi = malformed.filter((m) => m.via === 'api');
  const viaTopic = malformed.filter((m) => m.via === 'topic');
  const batches = Math.max(1, Math.ceil(submissions.length / batchSize));
  const share = <T>(items: readonly T[], i: number) =>
    items.slice(
      Math.floor((i * items.length) / batches),
      Math.floor(((i + 1) * items.length) / batches),
    );
  const started = Date.now();
  let lastPrint = started;
  for (let i = 0; i < batches; i += 1) {
    const due = started + (spreadMs * i) / batches;
    if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
    const valid = submissions.slice(i * batchSize, (i + 1) * batchSize);
    const bad = share(viaApi, i).map((m) =>
      m.body.form === 'submission' ? m.body.submission : null,
    );
    await client.send([...valid, ...bad.filter((b) => b !== null)]);
    if (writer) {
      const direct = share(viaTopic, i);
      await writer.write(
        direct
          .filter((m) => m.kind !== 'over_broker_limit')
          .map((m) => ({
            key: m.key,
            value:
              m.body.form === 'bytes'
                ? m.body.build(ids)
                : wire(ids.submission, avroBody(m.body.submission)),
          })),
      );
      for (const m of direct.filter(
        (d) => d.kind === 'over_broker_limit' && d.body.form === 'submission',
      ))
        if (m.body.form === 'submission')
          oversized.set(
            m.key,
            await writer.writeOversized({
              key: m.key,
              value: wire(ids.submission, avroBody(m.body.submission)),
            }),
          );
    }
    if (Date.now() - lastPrint > 15_000) {
      lastPrint = Date.now();
      print(
        `sent ${Math.min(submissions.length, (i + 1) * batchSize)} of ${submissions.length} submissions`,
      );
    }
  }
}

/**
 * The line of a process's last output that says why it exited: the last error line (Nest's
 * `ERROR`, an `Error:`, kafkajs's `Crash:`), else the last line; colours stripped.
 */
export function exitCause(output: string): string {
  const lines = output
    // eslint-disable-next-line no-control-regex -- ANSI colour codes of Nest's logger
    .replace(/\u001b\[[0-9;]*m/g, '')
    .trim()
    .split('\n');
  const cause =
    [...lines].reverse().find((line) => /\bERROR\b|Error:|Crash:|FATAL|panic/.test(line)) ??
    lines[lines.length - 1] ??
    '';
  return cause.trim().slice(0, 400);
}

/** Deletes the run's topics and drops its databases, unless asked to keep them. */
async function cleanUp(
  kafka: Kafka,
  pipelines: readonly Pipeline[],
  keep: boolean,
  print: (line: string) => void,
): Promise<void> {
  await Promise.all(pipelines.map((p) => p.pool.end().catch(() => undefined)));
  if (keep) {
    for (const p of pipelines)
      print(`kept: database ${p.database.name}, topics cortege.${p.tag}.*`);
    return;
  }
  const admin: Admin = kafka.admin();
  try {
    await admin.connect();
    await admin.deleteTopics({
      topics: pipelines.flatMap((p) => Object.values(p.names.topics)),
    });
  } catch (error) {
    print(`could not delete the run's topics: ${(error as Error).message}`);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
  for (const p of pipelines)
    await p.database
      .drop()
      .catch((error: unknown) =>
        print(`could not drop database ${p.database.name}: ${(error as Error).message}`),
      );
}

interface ReportParts {
  readonly options: ChaosOptions;
  readonly started: number;
  readonly input: ReturnType<typeof chaosInput>;
  readonly malformed: readonly MalformedRecord[];
  readonly sendMs: number;
  readonly client: IngestClient;
  readonly writer: TopicWriter;
  readonly injector: FaultInjector;
  /** Its `ms` counts from the end of the faults and of the sending. */
  readonly settle: Awaited<ReturnType<typeof waitUntilSettled>>;
  readonly processes: readonly ProcessSummary[];
  readonly exits: readonly ExitRecord[];
  readonly events: EventsCheck;
  readonly dead: DeadLetterCheck;
  readonly checksum: ChecksumCheck | undefined;
  readonly cleanRun: { settled: boolean; ms: number } | undefined;
  readonly findings: string[];
  readonly failures: string[];
}

function buildReport(parts: ReportParts): ChaosReport {
  const {
    options,
    input,
    malformed,
    injector,
    settle,
    events,
    dead,
    checksum,
    processes,
    failures,
  } = parts;
  const injected = injector.injected;
  const counts: Record<string, number> = {};
  for (const f of injected) counts[f.kind] = (counts[f.kind] ?? 0) + 1;
  const byKind: Record<string, { count: number; viaApi: number; expected: string }> = {};
  for (const m of malformed) {
    const entry = (byKind[m.kind] ??= {
      count: 0,
      viaApi: 0,
      expected:
        'deadLetter' in m.expected
          ? `${m.expected.deadLetter.stage}:${m.expected.deadLetter.reason}`
          : 'refused by the broker',
    });
    entry.count += 1;
    if (m.via === 'api') entry.viaApi += 1;
  }
  const faultErrors = injected.filter((f) => f.error);
  if (faultErrors.length > 0)
    failures.push(
      `${faultErrors.length} fault(s) not injected or not recovered: ${faultErrors.map((f) => `${f.kind} ${f.target}: ${f.error}`).join('; ')}`,
    );
  if (parts.client.stats.refused.length > 0)
    failures.push(
      `the ingest API refused ${parts.client.stats.refused.length} batch(es): ${parts.client.stats.refused[0]?.status} ${parts.client.stats.refused[0]?.body}`,
    );
  if (!settle.settled) failures.push(`the pipeline did not settle: ${settle.behind.join('; ')}`);
  if (!events.ok)
    failures.push(
      `events: ${events.missing.length} missing, ${events.wrongRevision.length} at another revision, ${events.cancelledPresent.length} cancelled yet present, ${events.unexpected.length} unexpected`,
    );
  if (!dead.ok)
    failures.push(
      `dead letters: ${dead.byReason
        .filter((r) => r.missing || r.extra || r.found !== r.expected)
        .map((r) => `${r.reason} (${r.stage}) expected ${r.expected} found ${r.found}`)
        .join('; ')}`,
    );
  if (checksum && !checksum.ok)
    failures.push(`checksum: tables differ from the clean run: ${checksum.differing.join(', ')}`);
  if (parts.cleanRun && !parts.cleanRun.settled) failures.push('the clean run did not settle');
  for (const p of processes.filter((p) => p.crashLooping))
    failures.push(`${p.name} in a crash loop at the end: ${p.why ?? ''}`);
  const opts: Record<string, number | string | boolean> = {};
  for (const [k, v] of Object.entries(options))
    if (typeof v !== 'function' && v !== undefined) opts[k] = v as number | string | boolean;
  return {
    verdict: failures.length === 0 ? 'pass' : 'fail',
    failures,
    options: opts,
    startedAt: new Date(parts.started).toISOString(),
    input: {
      ...input.stats,
      submissions: input.submissions.length,
      malformed: malformed.length,
      malformedByKind: byKind,
      malformedViaApi: malformed.filter((m) => m.via === 'api').length,
      malformedViaTopic: malformed.filter((m) => m.via === 'topic').length,
    },
    sending: { ms: parts.sendMs, api: parts.client.stats, topicRetries: parts.writer.retried },
    faults: {
      injected,
      counts,
      longestOutageMs: Math.max(0, ...injected.map((f) => f.outageMs ?? 0)),
    },
    settle: {
      settled: settle.settled,
      ms: settle.ms,
      behind: settle.behind,
      last: settle.last,
    },
    processes,
    exits: parts.exits,
    checks: { events, deadLetters: dead, checksum, cleanRun: parts.cleanRun },
    findings: parts.findings,
    totalMs: Date.now() - parts.started,
  };
}
