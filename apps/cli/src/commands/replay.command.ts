import type { Admin } from 'kafkajs';
import { Duration } from 'luxon';
import type { Pool } from 'pg';
import type { AppConfig } from '@app/config';
import { kafkaFromConfig } from '@app/kafka';
import {
  argumentRefusals,
  commandArgs,
  PROCESS_IO,
  writeLine,
  type CommandIo,
} from '../command-io';
import { recordOperation } from '../operations-audit';
import { parseRfc3339 } from '../rfc3339';
import { missingSchemaMessage } from './with-database';

export const REPLAY_HELP = `usage: cortege replay <sanitizer|locator|aggregator> <where> [--partitions P,…] [--execute] [--json]

Moves a stage's position in its input topic, so that it reads records again (or skips them),
as Kafka's consumer-group tool does. <where> is one of:
  --to-earliest          the beginning of the topic (what its retention kept)
  --to-latest            the end: nothing is read again
  --to-offset N          offset N of each partition (within what the topic holds)
  --to-datetime T        the first record at or after T (RFC 3339 date-time)
  --by-duration D        back from now by D, an ISO 8601 duration (PT2H, P1D, P1DT12H)
  --partitions P,…       only these partitions (default: all)
A dry run unless --execute: it prints, per partition, the current position, the new one and
how many records will be read again (negative: skipped). It refuses while the stage's consumer
group has active members, and names them: stop the stage first, replay, then start it.
The sanitizer's and the locator's positions are the group's offsets in Kafka; the
aggregator's are in PostgreSQL (consumer_offset, DATABASE_URL), moved with its Kafka offsets.
Replaying never counts twice: each stage drops a revision it has already passed.

Exit codes: 0 done, 1 refused (active members, no schema), 2 bad usage.`;

type StageName = 'sanitizer' | 'locator' | 'aggregator';
const STAGES: readonly StageName[] = ['sanitizer', 'locator', 'aggregator'];

/** One partition's move. */
export interface PartitionMove {
  readonly partition: number;
  /** The next offset the stage would read; null when it has read nothing yet. */
  readonly current: string | null;
  readonly next: string;
  /** Records to read again (current − next); negative when records are skipped. */
  readonly again: number;
}

type Target =
  | { readonly kind: 'earliest' | 'latest' }
  | { readonly kind: 'offset'; readonly offset: bigint }
  | { readonly kind: 'time'; readonly at: number };

/** The options `cortege replay` takes (parsed strictly). */
const OPTIONS = {
  'to-earliest': { type: 'boolean' },
  'to-latest': { type: 'boolean' },
  'to-offset': { type: 'string' },
  'to-datetime': { type: 'string' },
  'by-duration': { type: 'string' },
  partitions: { type: 'string' },
  execute: { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** `cortege replay <stage> …`: `argv` is what follows `replay`. Returns the exit code. */
export async function replayCommand(
  argv: readonly string[],
  config: AppConfig,
  openPool: () => Pool,
  io: CommandIo = PROCESS_IO,
): Promise<number> {
  const { usage, badValue } = argumentRefusals('replay', REPLAY_HELP, io);
  const parsed = commandArgs(argv, OPTIONS);
  if ('refused' in parsed) return usage(parsed.refused);
  const { values, positionals } = parsed;
  const [stage, ...rest] = positionals;
  if (stage === undefined) return usage('which stage? sanitizer, locator or aggregator');
  if (!(STAGES as readonly string[]).includes(stage))
    return badValue(
      `${JSON.stringify(stage)} is not a stage; expected one of ${STAGES.join(', ')}`,
    );
  if (rest.length > 0) return usage(`unexpected ${rest.join(', ')}`);
  const wheres = (
    ['to-earliest', 'to-latest', 'to-offset', 'to-datetime', 'by-duration'] as const
  ).filter((name) => values[name] !== undefined);
  if (wheres.length !== 1)
    return usage(
      wheres.length === 0
        ? 'say where: --to-earliest, --to-latest, --to-offset, --to-datetime or --by-duration'
        : `give one of ${wheres.map((w) => `--${w}`).join(', ')}, not several`,
    );
  let target: Target;
  if (values['to-earliest']) target = { kind: 'earliest' };
  else if (values['to-latest']) target = { kind: 'latest' };
  else if (values['to-offset'] !== undefined) {
    if (!/^\d+$/.test(values['to-offset']))
      return badValue(`--to-offset: ${JSON.stringify(values['to-offset'])} is not an offset ≥ 0`);
    target = { kind: 'offset', offset: BigInt(values['to-offset']) };
  } else if (values['to-datetime'] !== undefined) {
    const date = parseRfc3339(values['to-datetime'], '--to-datetime');
    if (!date.ok) return badValue(date.message);
    target = { kind: 'time', at: date.date.getTime() };
  } else {
    const text = values['by-duration'] ?? '';
    const duration = Duration.fromISO(text);
    if (!duration.isValid || duration.toMillis() <= 0)
      return badValue(
        `--by-duration: ${JSON.stringify(text)} is not an ISO 8601 duration such as PT2H or P1DT12H`,
      );
    target = { kind: 'time', at: Date.now() - duration.toMillis() };
  }
  let only: Set<number> | undefined;
  if (values.partitions !== undefined) {
    const list = values.partitions.split(',').map((p) => p.trim());
    if (list.some((p) => !/^\d+$/.test(p)))
      return badValue(`--partitions: ${JSON.stringify(values.partitions)} is not a list like 0,2`);
    only = new Set(list.map(Number));
  }

  const name = stage as StageName;
  const { groupId, inputTopic: topic } = config[name];
  const kafka = kafkaFromConfig({ ...config, logLevel: 'error' }, 'cli');
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [group] = (await admin.describeGroups([groupId])).groups;
    const members = group?.members ?? [];
    if (members.length > 0) {
      io.stderr.write(
        `cortege replay: the ${name}'s group ${groupId} has ${members.length} active member(s): ` +
          `${members.map((m) => `${m.memberId} (${m.clientId} on ${m.clientHost})`).join(', ')}; stop the stage first\n`,
      );
      return 1;
    }
    const ends = await admin.fetchTopicOffsets(topic);
    const unknown = [...(only ?? [])].filter((p) => !ends.some((e) => e.partition === p));
    if (unknown.length > 0)
      return badValue(`--partitions: ${topic} has no partition ${unknown.join(', ')}`);
    const pool = name === 'aggregator' ? openPool() : undefined;
    try {
      let current: Map<number, string>;
      try {
        current = await positions(admin, name, groupId, topic, pool);
      } catch (error) {
        const missing = missingSchemaMessage(error);
        if (missing === undefined) throw error;
        io.stderr.write(`cortege replay: ${missing}\n`);
        return 1;
      }
      const byTime =
        target.kind === 'time' ? await byTimestamp(admin, topic, target.at) : undefined;
      const moves: PartitionMove[] = ends
        .filter((e) => only === undefined || only.has(e.partition))
        .sort((a, b) => a.partition - b.partition)
        .map((end) => {
          const low = BigInt(end.low);
          const high = BigInt(end.high);
          const next =
            target.kind === 'earliest'
              ? low
              : target.kind === 'latest'
                ? high
                : target.kind === 'offset'
                  ? clamp(target.offset, low, high)
                  : clamp(byTime?.get(end.partition) ?? high, low, high);
          const now = current.get(end.partition);
          const from = now === undefined ? low : BigInt(now);
          return {
            partition: end.partition,
            current: now ?? null,
            next: next.toString(),
            again: Number(from - next),
          };
        });
      const started = Date.now();
      if (values.execute) {
        await admin.setOffsets({
          groupId,
          topic,
          partitions: moves.map((m) => ({ partition: m.partition, offset: m.next })),
        });
        if (pool !== undefined) await storePositions(pool, groupId, topic, moves);
      }
      const report = {
        stage: name,
        group: groupId,
        topic,
        execute: values.execute === true,
        moves,
      };
      if (values.json) await writeLine(io.stdout, JSON.stringify(report));
      else {
        await writeLine(
          io.stdout,
          `${name} (group ${groupId}) on ${topic}${values.execute ? '' : ' — a dry run: --execute applies it'}`,
        );
        await writeLine(io.stdout, 'partition  current  new  read again');
        for (const m of moves)
          await writeLine(
            io.stdout,
            `${String(m.partition).padStart(9)}  ${(m.current ?? '-').padStart(7)}  ${m.next.padStart(3)}  ${String(m.again).padStart(10)}`,
          );
      }
      if (values.execute) {
        const audit = pool ?? openPool();
        try {
          await recordOperation(audit, {
            command: `cortege replay ${name}`,
            params: {
              group: groupId,
              topic,
              where: wheres[0],
              value: values[wheres[0] as 'to-offset'] ?? null,
              partitions: moves.map((m) => m.partition),
            },
            status: 0,
            rows: moves.reduce((n, m) => n + Math.max(0, m.again), 0),
            startedAt: started,
          });
        } finally {
          if (pool === undefined) await audit.end();
        }
      }
      return 0;
    } finally {
      await pool?.end();
    }
  } finally {
    await admin.disconnect();
  }
}

const clamp = (value: bigint, low: bigint, high: bigint): bigint =>
  value < low ? low : value > high ? high : value;

/** The next offset the stage reads, per partition: Kafka's for the topic stages, PostgreSQL's for the aggregator. */
async function positions(
  admin: Admin,
  stage: StageName,
  groupId: string,
  topic: string,
  pool: Pool | undefined,
): Promise<Map<number, string>> {
  if (stage === 'aggregator' && pool !== undefined) {
    const { rows } = await pool.query<{ partition: number; next_offset: string }>(
      `SELECT partition, next_offset::text FROM consumer_offset WHERE consumer_group = $1 AND topic = $2`,
      [groupId, topic],
    );
    return new Map(rows.map((r) => [r.partition, r.next_offset]));
  }
  const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return new Map(
    (committed?.partitions ?? [])
      .filter((p) => BigInt(p.offset) >= 0n)
      .map((p) => [p.partition, p.offset] as const),
  );
}

/** Per partition, the first offset whose record is at or after `at` (the end when none is). */
async function byTimestamp(admin: Admin, topic: string, at: number): Promise<Map<number, bigint>> {
  const found = await admin.fetchTopicOffsetsByTimestamp(topic, at);
  const ends = await admin.fetchTopicOffsets(topic);
  const high = new Map(ends.map((e) => [e.partition, BigInt(e.high)]));
  return new Map(
    found.map((f) => [
      f.partition,
      BigInt(f.offset) < 0n ? (high.get(f.partition) ?? 0n) : BigInt(f.offset),
    ]),
  );
}

/** The aggregator's positions, moved (backwards too) in one transaction. */
async function storePositions(
  pool: Pool,
  groupId: string,
  topic: string,
  moves: readonly PartitionMove[],
): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    for (const move of moves)
      await client.query(
        `INSERT INTO consumer_offset (consumer_group, topic, partition, next_offset)
         VALUES ($1, $2, $3, $4)
         ON CONFLICT (consumer_group, topic, partition) DO UPDATE SET next_offset = EXCLUDED.next_offset`,
        [groupId, topic, move.partition, move.next],
      );
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
