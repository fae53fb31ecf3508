import { createHash } from 'node:crypto';
import type { Kafka, KafkaMessage } from 'kafkajs';
import type { Pool } from 'pg';
import type { AppConfig } from '@app/config';
import { PRESENCE_SCHEMA, SUBMISSION_SCHEMA } from '@app/contracts';
import { DLQ_HEADERS, kafkaFromConfig, readRange, textHeaders } from '@app/kafka';
import { AvroSerde, RegistryClient } from '@app/schema-registry';
import {
  argumentRefusals,
  commandArgs,
  PROCESS_IO,
  writeLine,
  type CommandIo,
} from '../command-io';
import { recordOperation } from '../operations-audit';
import { startProgress } from '../progress';
import { parseRfc3339 } from '../rfc3339';

export const DLQ_HELP = `usage: cortege dlq list [filters] [--json]
       cortege dlq show <partition>:<offset> [--topic T] [--json]
       cortege dlq redrive [filters] [--max N] [--execute] [--json]

The dead letters of the stages: what they could never process, with the original bytes and
the reason. filters:
  --stage S      sanitizer, locator or aggregator
  --reason R     a reason code, e.g. end_before_start, geocode_not_found
  --since T      dead-lettered at or after T (RFC 3339 date-time)
  --until T      dead-lettered before T

list     counts them by stage, reason and age.
show     prints one with its headers and, when it decodes, its content: the original record,
         before scrubbing — it may hold personal data; do not copy it elsewhere.
redrive  sends the original key, value and headers back to the topic the stage read them from,
         once the cause is fixed (a rule relaxed, a gazetteer completed). A dry run unless
         --execute: it says what it would send. Each send adds to the record's
         cortege-dlq-redrives header; a record sent DLQ_MAX_REDRIVES times is refused, not
         sent. It keeps its place in a consumer group of its own per filter, in the same
         Kafka transaction as the sends: an interrupted redrive resumes, and sends nothing
         twice. --max N sends at most N records this time.

Exit codes: 0 done, 1 failed, 2 bad usage.`;

/** The header counting how many times a dead letter was sent back. */
export const REDRIVES_HEADER = 'cortege-dlq-redrives';

type StageName = 'sanitizer' | 'locator' | 'aggregator';
const STAGE_NAMES: readonly StageName[] = ['sanitizer', 'locator', 'aggregator'];

/** A dead letter as the command reads it: where it is, and what its headers say. */
export interface DeadLetterView {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  /** When it was dead-lettered (the record's timestamp), ms. */
  readonly at: number;
  readonly stage: string;
  readonly reason: string;
  readonly message: string;
  readonly sourceTopic: string | undefined;
  readonly redrives: number;
}

interface Filter {
  readonly stage?: StageName;
  readonly reason?: string;
  readonly since?: Date;
  readonly until?: Date;
}

/** The options each action takes. */
const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  list: ['stage', 'reason', 'since', 'until', 'json'],
  show: ['topic', 'json'],
  redrive: ['stage', 'reason', 'since', 'until', 'max', 'execute', 'json'],
};

/** The options `cortege dlq` takes (parsed strictly). */
const OPTIONS = {
  stage: { type: 'string' },
  reason: { type: 'string' },
  since: { type: 'string' },
  until: { type: 'string' },
  max: { type: 'string' },
  topic: { type: 'string' },
  execute: { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** `cortege dlq list|show|redrive`: `argv` is what follows `dlq`. Returns the exit code. */
export async function dlqCommand(
  argv: readonly string[],
  config: AppConfig,
  openPool: () => Pool,
  io: CommandIo = PROCESS_IO,
): Promise<number> {
  const { usage, badValue } = argumentRefusals('dlq', DLQ_HELP, io);
  const parsed = commandArgs(argv, OPTIONS);
  if ('refused' in parsed) return usage(parsed.refused);
  const { values, positionals } = parsed;
  const [action, ...rest] = positionals;
  const allowed = ALLOWED[action ?? ''];
  const unexpected = Object.keys(values).filter(
    (name) => name !== 'help' && allowed !== undefined && !allowed.includes(name),
  );
  if (unexpected.length > 0)
    return usage(`${action} takes no ${unexpected.map((name) => `--${name}`).join(', ')}`);
  const filter: { -readonly [K in keyof Filter]: Filter[K] } = {};
  if (values.stage !== undefined) {
    if (!(STAGE_NAMES as readonly string[]).includes(values.stage))
      return badValue(
        `--stage: ${JSON.stringify(values.stage)} is not a stage; expected one of ${STAGE_NAMES.join(', ')}`,
      );
    filter.stage = values.stage as StageName;
  }
  if (values.reason !== undefined) filter.reason = values.reason;
  for (const bound of ['since', 'until'] as const) {
    const text = values[bound];
    if (text === undefined) continue;
    const date = parseRfc3339(text, `--${bound}`);
    if (!date.ok) return badValue(date.message);
    filter[bound] = date.date;
  }
  const topics = [
    ...new Set([config.sanitizer.dlqTopic, config.locator.dlqTopic, config.aggregator.dlqTopic]),
  ];
  const kafka = kafkaFromConfig({ ...config, logLevel: 'error' }, 'cli');
  switch (action) {
    case undefined:
      return usage('expected list, show or redrive');
    case 'list':
      if (rest.length > 0) return usage(`list takes no ${rest.join(', ')}`);
      return list(kafka, topics, filter, values.json === true, io);
    case 'show': {
      const [at, ...more] = rest;
      const place = /^(\d+):(\d+)$/.exec(at ?? '');
      if (!place || more.length > 0) return usage('show takes one <partition>:<offset>, e.g. 0:42');
      const topic = values.topic ?? topics[0];
      if (topic === undefined || (values.topic !== undefined && !topics.includes(values.topic)))
        return badValue(`--topic: expected one of ${topics.join(', ')}`);
      return show(kafka, config, topic, Number(place[1]), place[2] as string, values.json, io);
    }
    case 'redrive': {
      if (rest.length > 0) return usage(`redrive takes no ${rest.join(', ')}`);
      let max = Number.POSITIVE_INFINITY;
      if (values.max !== undefined) {
        if (!/^[1-9]\d*$/.test(values.max))
          return badValue(`--max: ${JSON.stringify(values.max)} is not a whole number ≥ 1`);
        max = Number(values.max);
      }
      const started = Date.now();
      const outcome = await redrive(
        kafka,
        config,
        topics,
        filter,
        max,
        values.execute === true,
        io,
      );
      const report = { execute: values.execute === true, ...outcome };
      if (values.json) await writeLine(io.stdout, JSON.stringify(report));
      else await writeLine(io.stdout, redriveText(report));
      if (values.execute) {
        const pool = openPool();
        try {
          await recordOperation(pool, {
            command: 'cortege dlq redrive',
            params: { ...filterParams(filter), max: values.max ?? null, group: outcome.group },
            status: 0,
            rows: outcome.sent,
            startedAt: started,
          });
        } finally {
          await pool.end();
        }
      }
      return 0;
    }
    default:
      return usage(`unknown action '${action}'`);
  }
}

/** The dead letter `message` of `topic` as its headers describe it. */
export function viewOf(topic: string, partition: number, message: KafkaMessage): DeadLetterView {
  const headers = textHeaders(message.headers);
  return {
    topic,
    partition,
    offset: message.offset,
    at: Number(message.timestamp),
    stage: headers[DLQ_HEADERS.stage] ?? 'unknown',
    reason: headers[DLQ_HEADERS.reason] ?? 'unknown',
    message: headers[DLQ_HEADERS.message] ?? '',
    sourceTopic: headers[DLQ_HEADERS.sourceTopic],
    redrives: Number(headers[REDRIVES_HEADER] ?? 0) || 0,
  };
}

const matches = (view: DeadLetterView, filter: Filter): boolean =>
  (filter.stage === undefined || view.stage === filter.stage) &&
  (filter.reason === undefined || view.reason === filter.reason) &&
  (filter.since === undefined || view.at >= filter.since.getTime()) &&
  (filter.until === undefined || view.at < filter.until.getTime());

const filterParams = (filter: Filter) => ({
  stage: filter.stage ?? null,
  reason: filter.reason ?? null,
  since: filter.since?.toISOString() ?? null,
  until: filter.until?.toISOString() ?? null,
});

const AGES: ReadonlyArray<readonly [string, number]> = [
  ['< 1 h', 3_600_000],
  ['< 1 d', 86_400_000],
  ['< 7 d', 7 * 86_400_000],
  ['older', Number.POSITIVE_INFINITY],
];

async function list(
  kafka: Kafka,
  topics: readonly string[],
  filter: Filter,
  json: boolean,
  io: CommandIo,
): Promise<number> {
  const now = Date.now();
  const groups = new Map<string, { stage: string; reason: string; ages: number[] }>();
  for (const topic of topics) {
    const admin = kafka.admin();
    await admin.connect();
    const ends = await admin.fetchTopicOffsets(topic).finally(() => admin.disconnect());
    const progress = startProgress(
      `reading ${topic}`,
      ends.reduce((n, e) => n + Number(BigInt(e.high) - BigInt(e.low)), 0),
      io.stderr,
    );
    await readRange(kafka, topic, {
      onBatch: (partition, messages) => {
        progress.add(messages.length);
        for (const message of messages) {
          const view = viewOf(topic, partition, message);
          if (!matches(view, filter)) continue;
          const key = `${view.stage}\u0000${view.reason}`;
          const group = groups.get(key) ?? {
            stage: view.stage,
            reason: view.reason,
            ages: AGES.map(() => 0),
          };
          const age = AGES.findIndex(([, limit]) => now - view.at < limit);
          group.ages[age] = (group.ages[age] ?? 0) + 1;
          groups.set(key, group);
        }
      },
    });
    progress.stop();
  }
  const rows = [...groups.values()].sort((a, b) =>
    a.stage === b.stage ? a.reason.localeCompare(b.reason) : a.stage.localeCompare(b.stage),
  );
  const total = rows.reduce((n, r) => n + r.ages.reduce((a, b) => a + b, 0), 0);
  if (json) {
    await writeLine(
      io.stdout,
      JSON.stringify({
        topics,
        total,
        groups: rows.map((r) => ({
          stage: r.stage,
          reason: r.reason,
          total: r.ages.reduce((a, b) => a + b, 0),
          ages: Object.fromEntries(AGES.map(([name], i) => [name, r.ages[i] ?? 0])),
        })),
      }),
    );
    return 0;
  }
  const table = [
    ['stage', 'reason', ...AGES.map(([name]) => name), 'total'],
    ...rows.map((r) => [
      r.stage,
      r.reason,
      ...r.ages.map(String),
      String(r.ages.reduce((a, b) => a + b, 0)),
    ]),
    [
      'total',
      '',
      ...AGES.map((_, i) => String(rows.reduce((n, r) => n + (r.ages[i] ?? 0), 0))),
      String(total),
    ],
  ];
  const widths = (table[0] ?? []).map((_, c) =>
    Math.max(...table.map((row) => (row[c] ?? '').length)),
  );
  for (const row of table)
    await writeLine(
      io.stdout,
      row
        .map((cell, c) => (c < 2 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0)))
        .join('  '),
    );
  return 0;
}

/** The reader schema of what each stage reads, to show a dead letter's content. */
function readerSchemaOf(config: AppConfig, sourceTopic: string | undefined): object | undefined {
  if (sourceTopic === config.aggregator.inputTopic) return PRESENCE_SCHEMA;
  if (sourceTopic === config.sanitizer.inputTopic || sourceTopic === config.locator.inputTopic)
    return SUBMISSION_SCHEMA;
  return undefined;
}

async function show(
  kafka: Kafka,
  config: AppConfig,
  topic: string,
  partition: number,
  offset: string,
  json: boolean | undefined,
  io: CommandIo,
): Promise<number> {
  let found: KafkaMessage | undefined;
  await readRange(kafka, topic, {
    from: new Map([[partition, offset]]),
    onBatch: (p, messages) => {
      found = messages.find((m) => p === partition && m.offset === offset);
      return found === undefined;
    },
  });
  if (found === undefined) {
    io.stderr.write(`cortege dlq show: ${topic} has no record at ${partition}:${offset}\n`);
    return 1;
  }
  const view = viewOf(topic, partition, found);
  let content: unknown = null;
  let undecodable: string | null = null;
  const schema = readerSchemaOf(config, view.sourceTopic);
  if (schema === undefined || view.sourceTopic === undefined) {
    undecodable = `no reader schema for its source topic ${view.sourceTopic ?? '(none)'}`;
  } else {
    try {
      const serde = AvroSerde.forDecoding<unknown>(
        new RegistryClient(config.registry.url),
        view.sourceTopic,
        schema,
      );
      content = await serde.decode(found.value);
    } catch (error) {
      undecodable = (error as Error).message;
    }
  }
  const record = {
    topic,
    partition,
    offset,
    at: new Date(view.at).toISOString(),
    key: found.key?.toString() ?? null,
    headers: textHeaders(found.headers),
    content,
    undecodable,
    bytes: found.value?.length ?? 0,
  };
  if (json) {
    await writeLine(
      io.stdout,
      JSON.stringify(record, (_, v: unknown) => (typeof v === 'bigint' ? String(v) : v)),
    );
    return 0;
  }
  await writeLine(
    io.stdout,
    `${topic} ${partition}:${offset}, dead-lettered ${record.at} by ${view.stage}`,
  );
  await writeLine(io.stdout, `reason:  ${view.reason}: ${view.message}`);
  await writeLine(io.stdout, `key:     ${record.key ?? '(none)'}`);
  await writeLine(io.stdout, 'headers:');
  for (const [name, value] of Object.entries(record.headers))
    await writeLine(io.stdout, `  ${name}: ${value}`);
  if (undecodable !== null)
    await writeLine(io.stdout, `content: not decodable (${undecodable}); ${record.bytes} bytes`);
  else await writeLine(io.stdout, `content: ${JSON.stringify(content, null, 2)}`);
  return 0;
}

/** What a redrive did (or, in a dry run, would do). */
export interface RedriveOutcome {
  /** The consumer group keeping this filter's place. */
  readonly group: string;
  /** Records read from the group's place on. */
  readonly examined: number;
  /** Records that match the filter. */
  readonly matched: number;
  /** Sent back (or, in a dry run, that would be). */
  readonly sent: number;
  /** Per source topic, how many were (or would be) sent. */
  readonly bySource: Record<string, number>;
  /** Refused: sent back too often already, or without a source topic. */
  readonly refused: { readonly overLimit: number; readonly noSource: number };
  /** Where the first refused ones are, `topic partition:offset`. */
  readonly refusedAt: readonly string[];
}

/** The group of a filter: the same filter resumes where it stopped; another starts afresh. */
export function redriveGroup(config: AppConfig, filter: Filter): string {
  const digest = createHash('sha256')
    .update(JSON.stringify(filterParams(filter)))
    .digest('hex');
  return `${config.dlq.redriveGroupId}.${digest.slice(0, 12)}`;
}

async function redrive(
  kafka: Kafka,
  config: AppConfig,
  topics: readonly string[],
  filter: Filter,
  max: number,
  execute: boolean,
  io: CommandIo,
): Promise<RedriveOutcome> {
  const group = redriveGroup(config, filter);
  const outcome = {
    group,
    examined: 0,
    matched: 0,
    sent: 0,
    bySource: {} as Record<string, number>,
    refused: { overLimit: 0, noSource: 0 },
    refusedAt: [] as string[],
  };
  const producer = execute
    ? kafka.producer({
        // Stable per filter: a rerun fences an interrupted run's open transaction at once.
        transactionalId: group,
        idempotent: true,
        maxInFlightRequests: 1,
      })
    : undefined;
  await producer?.connect();
  const admin = kafka.admin();
  await admin.connect();
  try {
    for (const topic of topics) {
      const [committed] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
      const from = new Map(
        (committed?.partitions ?? [])
          .filter((p) => BigInt(p.offset) >= 0n)
          .map((p) => [p.partition, p.offset] as const),
      );
      const ends = await admin.fetchTopicOffsets(topic);
      const total = ends.reduce(
        (n, e) => n + Number(BigInt(e.high) - BigInt(from.get(e.partition) ?? e.low)),
        0,
      );
      const progress = startProgress(
        `${execute ? 'redriving' : 'reading'} ${topic}`,
        total,
        io.stderr,
      );
      try {
        await readRange(kafka, topic, {
          from,
          onBatch: async (partition, messages) => {
            const sends: Array<{
              topic: string;
              key: Buffer | null;
              value: Buffer | null;
              headers: Record<string, string>;
            }> = [];
            let last: string | undefined;
            for (const message of messages) {
              if (outcome.sent + sends.length >= max) break;
              last = message.offset;
              outcome.examined++;
              const view = viewOf(topic, partition, message);
              if (!matches(view, filter)) continue;
              outcome.matched++;
              const refusal =
                view.sourceTopic === undefined
                  ? 'noSource'
                  : view.redrives >= config.dlq.maxRedrives
                    ? 'overLimit'
                    : undefined;
              if (refusal !== undefined) {
                outcome.refused[refusal]++;
                if (outcome.refusedAt.length < 20)
                  outcome.refusedAt.push(`${topic} ${partition}:${message.offset}`);
                continue;
              }
              sends.push({
                topic: view.sourceTopic as string,
                key: message.key,
                value: message.value,
                headers: originalHeaders(message, view.redrives + 1),
              });
            }
            progress.add(messages.length);
            if (producer !== undefined && last !== undefined) {
              const transaction = await producer.transaction();
              try {
                for (const send of sends)
                  await transaction.send({
                    topic: send.topic,
                    messages: [{ key: send.key, value: send.value, headers: send.headers }],
                  });
                await transaction.sendOffsets({
                  consumerGroupId: group,
                  topics: [
                    { topic, partitions: [{ partition, offset: (BigInt(last) + 1n).toString() }] },
                  ],
                });
                await transaction.commit();
              } catch (error) {
                await transaction.abort().catch(() => undefined);
                throw error;
              }
            }
            for (const send of sends)
              outcome.bySource[send.topic] = (outcome.bySource[send.topic] ?? 0) + 1;
            outcome.sent += sends.length;
            return outcome.sent < max;
          },
        });
      } finally {
        progress.stop();
      }
      if (outcome.sent >= max) break;
    }
  } finally {
    await admin.disconnect();
    await producer?.disconnect();
  }
  return outcome;
}

/** The record's own headers (not the reasons), its first-seen time, and the new redrive count. */
function originalHeaders(message: KafkaMessage, redrives: number): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(textHeaders(message.headers)))
    if (!name.startsWith('cortege-dlq-') || name === DLQ_HEADERS.firstSeen) headers[name] = value;
  headers[REDRIVES_HEADER] = String(redrives);
  return headers;
}

function redriveText(report: RedriveOutcome & { readonly execute: boolean }): string {
  const verb = report.execute ? 'sent back' : 'would send back';
  const lines = [
    `${report.examined} dead letter(s) read, ${report.matched} matching; ${verb} ${report.sent}` +
      (report.execute ? '' : ' (a dry run: --execute sends them)'),
    ...Object.entries(report.bySource).map(([topic, n]) => `  ${n} → ${topic}`),
  ];
  if (report.refused.overLimit > 0)
    lines.push(
      `refused ${report.refused.overLimit}: already sent back as often as DLQ_MAX_REDRIVES allows`,
    );
  if (report.refused.noSource > 0)
    lines.push(`refused ${report.refused.noSource}: no source topic in their headers`);
  for (const at of report.refusedAt) lines.push(`  refused: ${at}`);
  lines.push(`place kept in consumer group ${report.group}`);
  return lines.join('\n');
}
