/**
 * The whole pipeline end to end, each part its own OS process as the demo and the end-to-end
 * tests start them (the ingest API, the sanitizer, the locator and the aggregator, each with its
 * own configuration through its environment), on a private pipeline: its own topics and
 * consumer groups and a database holding the project's gazetteer extract. It is fed through
 * the ingest API, with a producer token, with the demo's realistic days in Marseille
 * (`infra/demo/marseille-day.ts`): per day, two marches (one placed by its geocoded addresses,
 * one with its route drawn along the streets), a rally with its footprint and one placed by
 * its address, an official visit, two scheduled operations, then three revised counts, a
 * cancel and a head count — 12 submissions a day, each day its own event ids.
 *
 * 1. Throughput: a burst of whole days posted in batches, timed from the first 202 to the
 *    aggregator's last committed batch (its `/health` `lastBatchAgeMs`), once the chain says
 *    everything is through (sanitizer's offsets at the input's end, then the locator's at the
 *    events topic's end, then the aggregator's positions in PostgreSQL at the presence topic's
 *    end). Beside it, each stage alone on a copy of the records it read in the burst, as its own
 *    process: the copy is written in one Kafka transaction committed once the stage is healthy
 *    (joined and waiting), timed from that commit to the first poll (every 50 ms) that finds
 *    the stage's positions at the copy's end.
 * 2. Latency, accepted → visible, at steady open-loop rates (sends scheduled by the wall clock,
 *    one submission per request, never waiting for the previous answer). Accepted: the 202
 *    arrived. Visible: the start of the first query that reads the submission's effect — its
 *    revision in the aggregator's ledger (`event_region`, written in the same transaction as
 *    the cells) and, for an upsert, its event id in `cell_tension.event_ids` (for a cancel, in
 *    none), or a later revision of the same event there. A query runs on each `NOTIFY
 *    cortege_tension` (sent by the aggregator inside each transaction that changed the
 *    aggregates, delivered once it committed), and once a second in case.
 * 3. Memory: each process's VmRSS sampled from /proc every 250 ms (steady: the median over a
 *    rate phase's sending window) and its VmHWM (peak) at the end.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Admin, Kafka, KafkaMessage } from 'kafkajs';
import { Client, Pool } from 'pg';
import { loadConfig } from '@app/config';
import {
  AppProcess,
  createGazetteerDatabase,
  createTestDatabase,
  approveInitialContract,
  createTopics,
  freePort,
  pipelineEnv,
  pipelineTopics,
  stageProcess,
  testIssuer,
  testKafka,
  uniqueName,
  waitFor,
  type PipelineTopics,
  type StageName,
  type TestDatabase,
} from '@app/testing';
import { marseilleDay, type DemoSubmission } from '../demo/marseille-day';
import { stackUp } from '../local/src/stack';
import { chunks, median } from './bench.util';

/** Whole days of the demo in the burst: 12 submissions each. */
const BURST_DAYS = 50;
/** The steady rates (submissions/s) and how long each is held, seconds. */
const RATES = [10, 100] as const;
const RATE_SECONDS = 30;
/** Days are grouped so that a day's revisions and cancel follow its declarations by a block. */
const BLOCK_DAYS = 8;
const PARTITIONS = 6;
const STAGES: readonly StageName[] = ['sanitizer', 'locator', 'aggregator'];
const DRAIN_TIMEOUT_MS = 900_000;
const RSS_INTERVAL_MS = 250;

/** A progress line on stderr (the figures go to stdout at the end). */
const note = (line: string) => console.error(`pipeline bench: ${line}`);

/** The demo's days from `first` (days after 2027-01-01), declarations of a block first. */
function marseilleDays(first: number, count: number): DemoSubmission[] {
  const days = Array.from({ length: count }, (_, i) =>
    marseilleDay(new Date(Date.UTC(2027, 0, 1 + first + i)).toISOString().slice(0, 10)),
  );
  const out: DemoSubmission[] = [];
  for (const block of chunks(days, BLOCK_DAYS)) {
    const steps = Math.max(...block.map((d) => d.steps.length));
    for (let step = 0; step < steps; step += 1)
      for (const day of block) out.push(...(day.steps[step]?.submissions ?? []));
  }
  return out;
}

/** One submission on its way: when it was sent, accepted (202) and first seen in the tables. */
interface Tracked {
  readonly eventId: string;
  readonly revision: number;
  readonly action: 'UPSERT' | 'CANCEL';
  acceptedAt?: number;
  visibleAt?: number;
}

const track = (s: DemoSubmission): Tracked => ({
  eventId: s.eventId,
  revision: s.revision,
  action: s.action,
});

const quantile = (values: readonly number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
};

const topicList = (t: PipelineTopics): string[] => [t.input, t.events, t.presence, t.dlq];

const round1 = (n: number) => Number(n.toFixed(1));

/** What the ledger and the cells hold of one event. */
interface Held {
  /** Null when the ledger has no row of the event. */
  readonly revision: number | null;
  readonly inCells: boolean;
}

/**
 * Watches the aggregates: on each NOTIFY of the aggregator (and once a second), reads which of
 * the pending submissions' effects are readable, and stamps them with the query's start.
 */
class Visibility {
  private readonly pending = new Set<Tracked>();
  private running: Promise<void> | undefined;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  /** Milliseconds of each check, the measure's resolution. */
  readonly checks: number[] = [];

  constructor(
    private readonly listener: Client,
    private readonly pool: Pool,
  ) {}

  async start(): Promise<void> {
    this.listener.on('notification', () => this.kick());
    await this.listener.query('LISTEN cortege_tension');
    this.timer = setInterval(() => this.kick(), 1000);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  watch(tracked: Tracked): void {
    this.pending.add(tracked);
  }

  /** Runs one check now (after any in flight), and returns what it read of `ids`. */
  async checkNow(ids: readonly string[]): Promise<Map<string, Held>> {
    await this.running;
    await this.check();
    return this.held(ids);
  }

  private kick(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.loop().finally(() => (this.running = undefined));
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      if (this.pending.size > 0) await this.check();
    } while (this.again);
  }

  /** Per event: the highest revision in the aggregator's ledger (null: none). */
  private async ledger(ids: readonly string[]): Promise<Map<string, number | null>> {
    const { rows } = await this.pool.query<{ event_id: string; revision: number | null }>(
      `SELECT i.id::text AS event_id,
              (SELECT max(r.revision)::int FROM event_region r WHERE r.event_id = i.id) AS revision
         FROM unnest($1::uuid[]) AS i(id)`,
      [ids],
    );
    return new Map(rows.map((r) => [r.event_id, r.revision]));
  }

  /**
   * The events of `ids` that some `cell_tension` row holds. `any`: through the GIN index on
   * `event_ids` (proves an absence too). `presence`: through the event's own cells (the
   * presence's index, then the cells' key): cheaper, it proves a presence only.
   */
  private async inCells(ids: readonly string[], via: 'any' | 'presence'): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const { rows } = await this.pool.query<{ event_id: string }>(
      via === 'any'
        ? `SELECT i.id::text AS event_id FROM unnest($1::uuid[]) AS i(id)
            WHERE EXISTS (SELECT 1 FROM cell_tension c WHERE c.event_ids @> ARRAY[i.id])`
        : `SELECT i.id::text AS event_id FROM unnest($1::uuid[]) AS i(id)
            WHERE EXISTS (SELECT 1 FROM event_presence p JOIN cell_tension c ON c.cell = p.cell
                           WHERE p.event_id = i.id AND i.id = ANY (c.event_ids))`,
      [ids],
    );
    return new Set(rows.map((r) => r.event_id));
  }

  private async held(ids: readonly string[]): Promise<Map<string, Held>> {
    const ledger = await this.ledger(ids);
    const cells = await this.inCells(ids, 'any');
    return new Map(
      ids.map((id) => [id, { revision: ledger.get(id) ?? null, inCells: cells.has(id) }]),
    );
  }

  /**
   * The ledger first (cheap): only the submissions whose revision it now holds are looked for
   * in `cell_tension`: an upsert's event through its own cells, a cancel's everywhere (the GIN
   * index on `event_ids`), since only that proves it is gone.
   */
  private async check(): Promise<void> {
    const startedAt = Date.now();
    const waiting = [...this.pending];
    const ledger = await this.ledger([...new Set(waiting.map((t) => t.eventId))]);
    const candidates = waiting.filter((t) => (ledger.get(t.eventId) ?? 0) >= t.revision);
    const ids = (action: Tracked['action']) => [
      ...new Set(candidates.filter((t) => t.action === action).map((t) => t.eventId)),
    ];
    const upserted = await this.inCells(ids('UPSERT'), 'presence');
    const cancelled = await this.inCells(ids('CANCEL'), 'any');
    for (const t of candidates) {
      const revision = ledger.get(t.eventId) ?? 0;
      const own = t.action === 'UPSERT' ? upserted.has(t.eventId) : !cancelled.has(t.eventId);
      if (revision > t.revision || own) {
        t.visibleAt = startedAt;
        this.pending.delete(t);
      }
    }
    this.checks.push(Date.now() - startedAt);
  }
}

/** VmRSS of each watched process every RSS_INTERVAL_MS, labelled with the current phase. */
class RssSampler {
  phase = 'setup';
  readonly samples: Array<{ phase: string; rssKb: Record<string, number> }> = [];
  /** The most the processes' own children (tsx's esbuild service) held at once, kB. */
  childrenMaxKb = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly pids: Readonly<Record<string, number>>) {}

  start(): void {
    this.timer = setInterval(() => {
      const rssKb: Record<string, number> = {};
      for (const [name, pid] of Object.entries(this.pids)) {
        const kb = statusKb(pid, 'VmRSS');
        if (kb !== undefined) rssKb[name] = kb;
        const children = descendants(pid).reduce((n, c) => n + (statusKb(c, 'VmRSS') ?? 0), 0);
        this.childrenMaxKb = Math.max(this.childrenMaxKb, children);
      }
      this.samples.push({ phase: this.phase, rssKb });
    }, RSS_INTERVAL_MS);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Median VmRSS of `name` over the samples of `phase`, MB. */
  steadyMb(name: string, phase: string): number {
    const values = this.samples
      .filter((s) => s.phase === phase && s.rssKb[name] !== undefined)
      .map((s) => s.rssKb[name] as number);
    return round1(median(values) / 1024);
  }
}

/** A `kB` field of /proc/<pid>/status (VmRSS, VmHWM), or undefined once the process is gone. */
function statusKb(pid: number, field: string): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Every process below `pid` (its threads' children, recursively). */
function descendants(pid: number): number[] {
  const out: number[] = [];
  try {
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const children = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
      for (const child of children === '' ? [] : children.split(/\s+/).map(Number))
        out.push(child, ...descendants(child));
    }
  } catch {
    // gone meanwhile
  }
  return out;
}

/** The next offset to write, per partition. */
type Positions = Map<number, bigint>;

async function endOffsets(admin: Admin, topic: string): Promise<Positions> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return new Map(offsets.map((o) => [o.partition, BigInt(o.high)]));
}

async function groupOffsets(admin: Admin, groupId: string, topic: string): Promise<Positions> {
  const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return new Map(
    (offsets?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset === '' ? -1 : p.offset)]),
  );
}

async function storedOffsets(pool: Pool, groupId: string, topic: string): Promise<Positions> {
  const { rows } = await pool.query<{ partition: number; next_offset: string }>(
    `SELECT partition, next_offset FROM consumer_offset WHERE consumer_group = $1 AND topic = $2`,
    [groupId, topic],
  );
  return new Map(rows.map((r) => [r.partition, BigInt(r.next_offset)]));
}

/**
 * Every record below `ends` read. A topic written in Kafka transactions ends each partition
 * with a commit marker, which a stage may store its position past later: one short counts.
 */
function reached(at: Positions, ends: Positions, transactional: boolean): boolean {
  for (const [partition, end] of ends) {
    if (end === 0n) continue;
    if ((at.get(partition) ?? -1n) < end - (transactional ? 1n : 0n)) return false;
  }
  return true;
}

/** When a stage last committed a batch: now minus its `/health` `lastBatchAgeMs`. */
async function lastCommitAt(port: number): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${port}/health`);
  const now = Date.now();
  const body = (await response.json()) as { lastBatchAgeMs: number | null };
  if (body.lastBatchAgeMs === null) throw new Error(`the stage on :${port} never committed`);
  return now - body.lastBatchAgeMs;
}

/** A record as read, to be copied to the same partition of another topic. */
interface Copied {
  readonly partition: number;
  readonly message: KafkaMessage;
}

/** The committed records of `topic` at offsets [from, to) of each partition. */
async function readRange(
  kafka: Kafka,
  topic: string,
  from: Positions,
  to: Positions,
  transactional: boolean,
): Promise<Copied[]> {
  const consumer = kafka.consumer({ groupId: uniqueName('bench-copy'), maxWaitTimeInMs: 100 });
  const read: Copied[] = [];
  const position = new Map<number, bigint>();
  consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
    const next = BigInt(payload.lastOffset) + 1n;
    if (next > (position.get(payload.partition) ?? 0n)) position.set(payload.partition, next);
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: ({ partition, message }) => {
        const offset = BigInt(message.offset);
        if (offset >= (from.get(partition) ?? 0n) && offset < (to.get(partition) ?? 0n))
          read.push({ partition, message });
        return Promise.resolve();
      },
    });
    await waitFor(
      `the burst's records of ${topic}`,
      () =>
        [...to].every(
          ([p, end]) =>
            end <= (from.get(p) ?? 0n) ||
            (position.get(p) ?? 0n) >= end - (transactional ? 1n : 0n),
        )
          ? true
          : undefined,
      { timeoutMs: 120_000, intervalMs: 50 },
    );
  } finally {
    await consumer.disconnect();
  }
  return read;
}

/** What a stage alone did with the burst's records. */
interface Alone {
  readonly perSecond: number;
  readonly seconds: number;
  readonly records: number;
}

/**
 * One stage alone, its own process, on a copy of the records it read in the burst: the copy is
 * written in one transaction, committed once the stage is healthy (joined, waiting); timed from
 * the commit to its last committed batch.
 */
async function stageAlone(
  kafka: Kafka,
  stage: StageName,
  records: readonly Copied[],
  databaseUrl: string | undefined,
  submissions: number,
  started: AppProcess[],
  created: string[],
): Promise<Alone> {
  const name = uniqueName(`bench-alone-${stage}`);
  const topics = pipelineTopics(name);
  created.push(...topicList(topics));
  await createTopics(kafka, topicList(topics), PARTITIONS);
  const input: Record<StageName, keyof PipelineTopics> = {
    sanitizer: 'input',
    locator: 'events',
    aggregator: 'presence',
  };
  const topic = topics[input[stage]];
  const producer = kafka.producer({
    transactionalId: uniqueName('bench-copy-tx'),
    idempotent: true,
    maxInFlightRequests: 1,
    transactionTimeout: 300_000,
  });
  await producer.connect();
  const pool = databaseUrl ? new Pool({ connectionString: databaseUrl, max: 1 }) : undefined;
  const admin = kafka.admin();
  await admin.connect();
  try {
    // The copy starts at offset 0 of each partition: the stage is through at the count.
    const expected = new Map<number, bigint>();
    for (const { partition } of records)
      expected.set(partition, (expected.get(partition) ?? 0n) + 1n);
    const transaction = await producer.transaction();
    for (const chunk of chunks(records, 100))
      await transaction.send({
        topic,
        messages: chunk.map(({ partition, message }) => ({
          partition,
          key: message.key,
          value: message.value,
          headers: message.headers,
        })),
      });
    const { app, port } = await stageProcess(stage, name, topics, databaseUrl, {
      LOG_LEVEL: 'warn',
    });
    started.push(app);
    app.start();
    await app.healthy(port, 120_000);
    await transaction.commit();
    const openedAt = Date.now();
    const env = pipelineEnv(name, topics);
    const doneAt = await waitFor(
      `the ${stage} alone through the burst`,
      async () => {
        if (app.exitCode !== null) throw new Error(`${stage} exited:\n${app.output.slice(-3000)}`);
        const at =
          stage === 'aggregator' && pool
            ? await storedOffsets(pool, env.AGGREGATOR_GROUP_ID as string, topic)
            : await groupOffsets(
                admin,
                (stage === 'sanitizer' ? env.SANITIZER_GROUP_ID : env.LOCATOR_GROUP_ID) as string,
                topic,
              );
        return [...expected].every(([p, n]) => (at.get(p) ?? -1n) >= n) ? Date.now() : undefined;
      },
      { timeoutMs: DRAIN_TIMEOUT_MS, intervalMs: 50 },
    );
    // Timed to the first poll (every 50 ms) that finds its positions at the copy's end.
    const seconds = (doneAt - openedAt) / 1000;
    await app.stop('SIGTERM');
    return { perSecond: submissions / seconds, seconds, records: records.length };
  } finally {
    await admin.disconnect();
    await producer.disconnect();
    await pool?.end();
  }
}

export async function pipelineBench(): Promise<Record<string, number | string>> {
  const config = loadConfig();
  await stackUp(config);
  const kafka = testKafka(config, 'bench-pipeline');
  const name = uniqueName('bench-pipe');
  const topics = pipelineTopics(name);
  const env = pipelineEnv(name, topics);
  const started: AppProcess[] = [];
  const created: string[] = topicList(topics);
  const databases: TestDatabase[] = [];
  let admin: Admin | undefined;
  let pool: Pool | undefined;
  let listener: Client | undefined;
  let sampler: RssSampler | undefined;
  let visibility: Visibility | undefined;
  try {
    admin = kafka.admin();
    await admin.connect();
    const database = await createGazetteerDatabase(config);
    databases.push(database);
    await createTopics(kafka, topicList(topics), PARTITIONS);
    pool = new Pool({ connectionString: database.url, max: 3 });
    listener = new Client({ connectionString: database.url });
    await listener.connect();

    // The ingest API registers nothing: the contract is approved for its topic first, in the
    // database the sanitizer reads.
    await approveInitialContract({
      databaseUrl: config.database.url,
      registryUrl: config.registry.url,
      topic: topics.input,
    });
    const issuer = await testIssuer();
    const ingestPort = await freePort();
    const ingest = new AppProcess('ingest-api', {
      ...issuer.env,
      INGEST_PORT: String(ingestPort),
      INGEST_TOPIC: topics.input,
      LOG_LEVEL: 'warn',
    });
    const stages = new Map<StageName, { app: AppProcess; port: number }>();
    for (const stage of STAGES)
      stages.set(
        stage,
        await stageProcess(stage, name, topics, stage === 'sanitizer' ? undefined : database.url, {
          LOG_LEVEL: 'warn',
        }),
      );
    const apps: Array<[string, AppProcess, number]> = [
      ['ingest-api', ingest, ingestPort],
      ...[...stages].map(([stage, s]): [string, AppProcess, number] => [stage, s.app, s.port]),
    ];
    for (const [, app] of apps) {
      started.push(app);
      app.start();
    }
    for (const [, app, port] of apps) await app.healthy(port, 120_000);
    const pids: Record<string, number> = {};
    for (const [label, app] of apps) if (app.pid !== undefined) pids[label] = app.pid;
    sampler = new RssSampler(pids);
    sampler.start();
    const alive = () => {
      for (const [label, app] of apps)
        if (app.exitCode !== null)
          throw new Error(`${label} exited with ${app.exitCode}:\n${app.output.slice(-3000)}`);
    };

    const token = await issuer.token(
      { roles: ['producer'] },
      { exp: Math.floor(Date.now() / 1000) + 3600 },
    );
    /** 503s (Kafka did not acknowledge in time) answered by a retry, as a producer does. */
    let retried = 0;
    /** Posts until 202; resolves with the 202's arrival. */
    const post = async (body: DemoSubmission | readonly DemoSubmission[]): Promise<number> => {
      for (let attempt = 0; ; attempt += 1) {
        const response = await fetch(`http://127.0.0.1:${ingestPort}/v1/submissions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify(body),
        });
        const at = Date.now();
        const text = await response.text();
        if (response.status === 202) return at;
        if (response.status !== 503 || attempt >= 5)
          throw new Error(`the ingest API answered ${response.status}: ${text.slice(0, 500)}`);
        retried += 1;
        await sleep(Number(response.headers.get('retry-after') ?? '1') * 1000);
      }
    };
    /** Each stage's positions at the end of its input, in chain order; else undefined. */
    const pipelineAt = async () => {
      const input = await endOffsets(admin!, topics.input);
      const sanitized = await groupOffsets(admin!, env.SANITIZER_GROUP_ID!, topics.input);
      if (!reached(sanitized, input, false)) return undefined;
      const events = await endOffsets(admin!, topics.events);
      const located = await groupOffsets(admin!, env.LOCATOR_GROUP_ID!, topics.events);
      if (!reached(located, events, true)) return undefined;
      const presence = await endOffsets(admin!, topics.presence);
      const aggregated = await storedOffsets(pool!, env.AGGREGATOR_GROUP_ID!, topics.presence);
      if (!reached(aggregated, presence, true)) return undefined;
      return { input, events, presence };
    };
    /**
     * The ends read are the last stable offsets: a transaction's records count once its
     * markers are written, a moment after its commit returns. So the chain must be through
     * twice, 250 ms apart, at the same ends.
     */
    const stablyThrough = async () => {
      const first = await pipelineAt();
      if (!first) return undefined;
      await sleep(250);
      const second = await pipelineAt();
      const same = (a: Positions, b: Positions) => [...a].every(([p, end]) => b.get(p) === end);
      return second &&
        same(first.input, second.input) &&
        same(first.events, second.events) &&
        same(first.presence, second.presence)
        ? second
        : undefined;
    };
    const throughAll = async (what: string) =>
      waitFor(
        what,
        async () => {
          alive();
          return stablyThrough();
        },
        { timeoutMs: DRAIN_TIMEOUT_MS, intervalMs: 50 },
      );
    visibility = new Visibility(listener, pool);
    await visibility.start();
    let nextDay = 0;
    const days = (count: number) => {
      const out = marseilleDays(nextDay, count);
      nextDay += count;
      return out;
    };

    // Warm-up: one day through, so that the first geocodes and JIT are not in the figures.
    note('every process healthy; a warm-up day');
    sampler.phase = 'warm-up';
    const warm = days(1);
    for (const s of warm) await post(s);
    const before = await throughAll('the warm-up day through every stage');

    // 1. Throughput: the burst, posted in batches of 100, one request at a time.
    note(`the burst: ${BURST_DAYS} days`);
    sampler.phase = 'burst';
    const burst = days(BURST_DAYS);
    let firstAccepted: number | undefined;
    for (const batch of chunks(burst, 100)) {
      const at = await post(batch);
      firstAccepted ??= at;
    }
    const after = await throughAll('the burst through every stage');
    const aggregatorPort = stages.get('aggregator')!.port;
    const burstSeconds = ((await lastCommitAt(aggregatorPort)) - firstAccepted!) / 1000;
    const throughput = burst.length / burstSeconds;

    // 2. Latency at steady rates, open loop.
    const latency: Record<string, number> = {};
    for (const rate of RATES) {
      const submissions = days(Math.ceil((rate * RATE_SECONDS) / 12)).slice(0, rate * RATE_SECONDS);
      const tracked = submissions.map(track);
      note(`${rate} submissions/s for ${RATE_SECONDS} s`);
      sampler.phase = `rate-${rate}`;
      const startAt = Date.now() + 100;
      const sends: Array<Promise<void>> = [];
      let lateMax = 0;
      for (let i = 0; i < submissions.length; i += 1) {
        const due = startAt + (i * 1000) / rate;
        const wait = due - Date.now();
        if (wait > 0) await sleep(wait);
        lateMax = Math.max(lateMax, Date.now() - due);
        const t = tracked[i]!;
        visibility.watch(t);
        sends.push(post(submissions[i]!).then((at) => void (t.acceptedAt = at)));
      }
      const sendingSeconds = (Date.now() - startAt) / 1000;
      await Promise.all(sends);
      sampler.phase = `drain-${rate}`;
      const drainStarted = Date.now();
      // Done when every submission is visible, or once the pipeline is through: then what is
      // left is an event that never reached the tables, its upsert and its cancel applied
      // together (nothing to show, nothing to remove): checked, counted, not timed.
      let through = false;
      await waitFor(
        `every submission at ${rate}/s visible`,
        async () => {
          alive();
          if (tracked.every((t) => t.visibleAt !== undefined)) return true;
          through ||= (await stablyThrough()) !== undefined;
          return through ? true : undefined;
        },
        { timeoutMs: DRAIN_TIMEOUT_MS, intervalMs: 50 },
      );
      const left = tracked.filter((t) => t.visibleAt === undefined);
      const held = await visibility.checkNow(left.map((t) => t.eventId));
      const folded = left.filter((t) => t.visibleAt === undefined);
      for (const t of folded) {
        const later = tracked.some((o) => o.eventId === t.eventId && o.revision > t.revision);
        const h = held.get(t.eventId);
        if (h?.revision !== null || h.inCells || (t.action === 'UPSERT' && !later))
          throw new Error(
            `submission ${t.eventId} revision ${t.revision} (${t.action}) never became visible`,
          );
      }
      const seen = tracked.filter((t) => t.visibleAt !== undefined);
      const waits = seen.map((t) => Math.max(0, t.visibleAt! - t.acceptedAt!));
      const prefix = `pipeline.at_${rate}_per_s`;
      latency[`${prefix}.submissions`] = tracked.length;
      latency[`${prefix}.never_in_the_tables_untimed`] = folded.length;
      latency[`${prefix}.sending_s`] = round1(sendingSeconds);
      latency[`${prefix}.send_late_max_ms`] = Math.round(lateMax);
      latency[`${prefix}.latency_p50_ms`] = Math.round(quantile(waits, 0.5));
      latency[`${prefix}.latency_p95_ms`] = Math.round(quantile(waits, 0.95));
      latency[`${prefix}.latency_p99_ms`] = Math.round(quantile(waits, 0.99));
      latency[`${prefix}.latency_max_ms`] = Math.round(Math.max(...waits));
      latency[`${prefix}.drain_after_last_send_s`] = round1((Date.now() - drainStarted) / 1000);
    }
    sampler.phase = 'done';
    const memory: Record<string, number> = {};
    for (const [label] of apps) {
      memory[`pipeline.rss.${label}.peak_mb`] = round1(
        (statusKb(pids[label]!, 'VmHWM') ?? NaN) / 1024,
      );
      for (const rate of RATES)
        memory[`pipeline.rss.${label}.steady_at_${rate}_per_s_mb`] = sampler.steadyMb(
          label,
          `rate-${rate}`,
        );
    }
    memory['pipeline.rss.esbuild_children_max_mb'] = round1(sampler.childrenMaxKb / 1024);
    sampler.stop();
    visibility.stop();
    const checks = visibility.checks;
    for (const [, app] of apps) await app.stop('SIGTERM');

    note('each stage alone on the burst');
    // 3. Each stage alone on the burst's records, one after the other, nothing else running.
    const copies = {
      sanitizer: await readRange(kafka, topics.input, before.input, after.input, false),
      locator: await readRange(kafka, topics.events, before.events, after.events, true),
      aggregator: await readRange(kafka, topics.presence, before.presence, after.presence, true),
    };
    note(
      `copied ${copies.sanitizer.length} submissions, ${copies.locator.length} events, ` +
        `${copies.aggregator.length} presence records of the burst`,
    );
    const alone = new Map<StageName, Alone>();
    for (const stage of STAGES) {
      let url: string | undefined;
      if (stage === 'locator') url = database.url;
      if (stage === 'aggregator') {
        const fresh = await createTestDatabase(config);
        databases.push(fresh);
        url = fresh.url;
      }
      alone.set(
        stage,
        await stageAlone(kafka, stage, copies[stage], url, burst.length, started, created),
      );
    }
    const [slowest, slowestAlone] = [...alone].sort((a, b) => a[1].perSecond - b[1].perSecond)[0]!;

    const results: Record<string, number | string> = {
      'pipeline.burst_submissions': burst.length,
      'pipeline.burst_events_records': copies.locator.length,
      'pipeline.burst_presence_records': copies.aggregator.length,
      'pipeline.throughput_per_s': round1(throughput),
      'pipeline.throughput_s': round1(burstSeconds),
    };
    for (const [stage, a] of alone) {
      results[`pipeline.alone.${stage}_per_s`] = round1(a.perSecond);
      results[`pipeline.alone.${stage}_s`] = round1(a.seconds);
    }
    results['pipeline.slowest_stage'] = slowest;
    results['pipeline.slowest_stage_alone_per_s'] = round1(slowestAlone.perSecond);
    results['pipeline.throughput_over_slowest_stage'] = Number(
      (throughput / slowestAlone.perSecond).toFixed(2),
    );
    Object.assign(results, latency);
    results['pipeline.ingest_503_retried'] = retried;
    results['pipeline.visibility_check_p95_ms'] = Math.round(quantile(checks, 0.95));
    Object.assign(results, memory);
    return results;
  } finally {
    sampler?.stop();
    visibility?.stop();
    await Promise.all(started.map((app) => app.stop('SIGKILL')));
    await listener?.end().catch(() => undefined);
    await pool?.end().catch(() => undefined);
    await admin?.deleteTopics({ topics: created }).catch(() => undefined);
    await admin?.disconnect().catch(() => undefined);
    for (const database of databases) await database.drop().catch(() => undefined);
  }
}
