/**
 * The chaos run's checks once the pipeline settled: every accepted event at its latest
 * revision and every cancelled one gone; the dead letters holding exactly the malformed
 * records, by reason; the aggregates equal to a clean run's (`cortege checksum`).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { Kafka } from 'kafkajs';
import type { Pool } from 'pg';
import { DLQ_HEADERS, scanTopic } from '@app/kafka';
import { REPO_ROOT } from '@app/process-runner';
import { PRESENCE_HEADERS } from '../../apps/locator/src';
import type { ExpectedEvent } from './chaos-input';
import type { MalformedKind, MalformedRecord } from './malformed-records';

/** How many times each key occurs in `topic` (read_committed), from its beginning to its end now. */
export async function keyCopies(kafka: Kafka, topic: string): Promise<Map<string, number>> {
  const copies = new Map<string, number>();
  await scanTopic(kafka, topic, (key) => {
    const k = key?.toString() ?? '';
    copies.set(k, (copies.get(k) ?? 0) + 1);
  });
  return copies;
}

/** One dead letter: its key and the reason headers the stage wrote. */
export interface DeadLetterSeen {
  readonly key: string;
  readonly reason: string;
  readonly stage: string;
  /** The reason's message (field paths, schema ids; never the record's text), cut at 200. */
  readonly message: string;
  /** The event it is about: a presence record's event-id header, else the key. */
  readonly eventId: string;
}

/** Every dead letter of `topic`, in order. */
export async function deadLetters(kafka: Kafka, topic: string): Promise<DeadLetterSeen[]> {
  const found: DeadLetterSeen[] = [];
  await scanTopic(kafka, topic, (key, headers) =>
    found.push({
      key: key?.toString() ?? '',
      eventId: headers[PRESENCE_HEADERS.eventId] ?? key?.toString() ?? '',
      reason: headers[DLQ_HEADERS.reason] ?? '(none)',
      stage: headers[DLQ_HEADERS.stage] ?? '(none)',
      message: (headers[DLQ_HEADERS.message] ?? '').slice(0, 200),
    }),
  );
  return found;
}

export interface EventsCheck {
  readonly ok: boolean;
  /** Events expected in `event` (not cancelled) / rows found. */
  readonly expected: number;
  readonly found: number;
  /** Accepted, not cancelled, and absent. */
  readonly missing: readonly string[];
  /** Present at another revision than the latest sent. */
  readonly wrongRevision: ReadonlyArray<{ eventId: string; expected: number; found: number }>;
  /** Cancelled, yet with a row in `event` or presence in `event_presence`. */
  readonly cancelledPresent: readonly string[];
  /** In `event` but not among the accepted events (a malformed one that got through). */
  readonly unexpected: readonly string[];
  /** The unexpected events by the kind of malformed record that carried them. */
  readonly unexpectedByKind: Readonly<Record<string, number>>;
  /** Held events without any presence row (every located event has some). */
  readonly withoutPresence: readonly string[];
}

/**
 * The `event` table against what the input says each event must end as; an event of no
 * accepted submission is named by the malformed record that carried it (`malformed`).
 */
export async function checkEvents(
  pool: Pool,
  events: readonly ExpectedEvent[],
  malformed: readonly MalformedRecord[],
): Promise<EventsCheck> {
  const { rows } = await pool.query<{ event_id: string; revision: number }>(
    `SELECT event_id::text, revision FROM event`,
  );
  const { rows: presence } = await pool.query<{ event_id: string }>(
    `SELECT DISTINCT event_id::text FROM event_presence`,
  );
  const held = new Map(rows.map((r) => [r.event_id, r.revision]));
  const present = new Set(presence.map((r) => r.event_id));
  const known = new Set(events.map((e) => e.eventId));
  const missing: string[] = [];
  const wrongRevision: Array<{ eventId: string; expected: number; found: number }> = [];
  const cancelledPresent: string[] = [];
  for (const e of events) {
    const revision = held.get(e.eventId);
    if (e.cancelled) {
      if (revision !== undefined || present.has(e.eventId)) cancelledPresent.push(e.eventId);
    } else if (revision === undefined) missing.push(e.eventId);
    else if (revision !== e.latestRevision)
      wrongRevision.push({ eventId: e.eventId, expected: e.latestRevision, found: revision });
  }
  const unexpected = [...held.keys()].filter((id) => !known.has(id));
  const carriedBy = new Map(malformed.map((m) => [m.eventId, m.kind]));
  const unexpectedByKind: Record<string, number> = {};
  for (const id of unexpected) {
    const kind = carriedBy.get(id) ?? 'no malformed record';
    unexpectedByKind[kind] = (unexpectedByKind[kind] ?? 0) + 1;
  }
  const withoutPresence = [...held.keys()].filter((id) => !present.has(id));
  return {
    ok: missing.length + wrongRevision.length + cancelledPresent.length + unexpected.length === 0,
    expected: events.filter((e) => !e.cancelled).length,
    found: held.size,
    missing,
    wrongRevision,
    cancelledPresent,
    unexpected,
    unexpectedByKind,
    withoutPresence,
  };
}

/** Expected against found dead letters for one reason. */
export interface ReasonCount {
  readonly reason: string;
  readonly stage: string;
  /** Copies of malformed records that must end with this reason (see `checkDeadLetters`). */
  readonly expected: number;
  /** Dead letters with this reason and stage. */
  readonly found: number;
  /** Expected copies without a dead letter of this reason (none, or another reason). */
  readonly missing: number;
  /** Found dead letters of this reason that no malformed record expected (valid records included). */
  readonly extra: number;
}

export interface DeadLetterCheck {
  readonly ok: boolean;
  readonly byReason: readonly ReasonCount[];
  /** Malformed records with another reason than expected: `expected → found: count`. */
  readonly mismatched: Readonly<Record<string, number>>;
  /** Dead letters of keys that are no malformed record: accepted events among them. */
  readonly notMalformed: {
    readonly count: number;
    readonly ofAcceptedEvents: number;
    readonly byReason: Readonly<Record<string, number>>;
    readonly sample: readonly DeadLetterSeen[];
  };
  /**
   * Malformed records their stage's input topic does not hold although the broker (or the API)
   * acknowledged them: lost before any stage read them.
   */
  readonly neverProduced: Readonly<Partial<Record<MalformedKind, number>>>;
  /** Records larger than the broker's limit: how the broker answered each. */
  readonly oversized: Readonly<Record<string, number>>;
}

/**
 * The dead letters against the malformed records: each copy of a malformed record in the
 * submissions topic (`copies`, by key) must have exactly one dead letter from the sanitizer
 * with the expected reason; one the sanitizer passes (a place no gazetteer holds) reaches the
 * locator once, whatever its copies (the sanitizer drops the duplicates), and must have one
 * dead letter from it. No other record may have one.
 */
export function checkDeadLetters(
  malformed: readonly MalformedRecord[],
  copies: ReadonlyMap<string, number>,
  found: readonly DeadLetterSeen[],
  oversizedOutcomes: ReadonlyMap<string, string>,
  acceptedEventIds: ReadonlySet<string>,
): DeadLetterCheck {
  const byKey = new Map<string, DeadLetterSeen[]>();
  for (const letter of found) byKey.set(letter.key, [...(byKey.get(letter.key) ?? []), letter]);
  const rows = new Map<
    string,
    {
      reason: string;
      stage: string;
      expected: number;
      found: number;
      missing: number;
      extra: number;
    }
  >();
  const row = (reason: string, stage: string) => {
    const id = `${stage}|${reason}`;
    let r = rows.get(id);
    if (!r) rows.set(id, (r = { reason, stage, expected: 0, found: 0, missing: 0, extra: 0 }));
    return r;
  };
  for (const letter of found) row(letter.reason, letter.stage).found += 1;

  const mismatched: Record<string, number> = {};
  const neverProduced: Partial<Record<MalformedKind, number>> = {};
  const oversized: Record<string, number> = {};
  const malformedKeys = new Set<string>();
  for (const record of malformed) {
    malformedKeys.add(record.key);
    const letters = byKey.get(record.key) ?? [];
    if ('refusedBy' in record.expected) {
      const outcome = oversizedOutcomes.get(record.key) ?? 'not sent';
      oversized[outcome] = (oversized[outcome] ?? 0) + 1;
      for (const letter of letters) row(letter.reason, letter.stage).extra += 1;
      continue;
    }
    const { reason, stage } = record.expected.deadLetter;
    const held = copies.get(record.key) ?? 0;
    if (held === 0) neverProduced[record.kind] = (neverProduced[record.kind] ?? 0) + 1;
    const n = stage === 'locator' ? Math.min(1, held) : held;
    const expectedRow = row(reason, stage);
    expectedRow.expected += n;
    const right = letters.filter((l) => l.reason === reason && l.stage === stage);
    expectedRow.missing += Math.max(0, n - right.length);
    // Copies beyond the topic's: dead-lettered twice (exactly-once broken upstream).
    expectedRow.extra += Math.max(0, right.length - n);
    for (const letter of letters.filter((l) => l.reason !== reason || l.stage !== stage)) {
      const pair = `${stage}:${reason} → ${letter.stage}:${letter.reason}`;
      mismatched[pair] = (mismatched[pair] ?? 0) + 1;
      row(letter.reason, letter.stage).extra += 1;
    }
  }
  const others = found.filter((l) => !malformedKeys.has(l.key));
  const othersByReason: Record<string, number> = {};
  for (const letter of others) {
    othersByReason[`${letter.stage}:${letter.reason}`] =
      (othersByReason[`${letter.stage}:${letter.reason}`] ?? 0) + 1;
    row(letter.reason, letter.stage).extra += 1;
  }
  const byReason = [...rows.values()].sort((a, b) =>
    a.stage === b.stage ? a.reason.localeCompare(b.reason) : a.stage.localeCompare(b.stage),
  );
  return {
    ok:
      byReason.every((r) => r.missing === 0 && r.extra === 0 && r.found === r.expected) &&
      Object.keys(neverProduced).length === 0 &&
      Object.keys(oversized).every((outcome) => outcome === 'refused_too_large'),
    byReason,
    mismatched,
    notMalformed: {
      count: others.length,
      ofAcceptedEvents: others.filter((l) => acceptedEventIds.has(l.eventId)).length,
      byReason: othersByReason,
      sample: others.slice(0, 10),
    },
    neverProduced,
    oversized,
  };
}

/** What `cortege checksum` prints. */
export interface Checksum {
  readonly digest: string;
  readonly tables: Readonly<Record<string, { rows: number; digest: string }>>;
}

/** Runs `cortege checksum` against `databaseUrl`, as an operator would. */
export function cortegeChecksum(databaseUrl: string): Promise<Checksum> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      'env',
      [
        `DATABASE_URL=${databaseUrl}`,
        process.execPath,
        join(REPO_ROOT, 'apps', 'cli', 'bin', 'cortege.js'),
        'checksum',
      ],
      { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0
        ? resolve(JSON.parse(out) as Checksum)
        : reject(new Error(`cortege checksum exited ${code}: ${err.slice(-500)}`)),
    );
  });
}

export interface ChecksumCheck {
  readonly ok: boolean;
  readonly chaos: Checksum;
  readonly clean: Checksum;
  /** Tables whose digests or row counts differ. */
  readonly differing: readonly string[];
}

/**
 * Equal when `cortege checksum` is: every aggregate row, every column but the processing times
 * (which no two runs share).
 */
export async function compareChecksums(chaosUrl: string, cleanUrl: string): Promise<ChecksumCheck> {
  const [a, b] = await Promise.all([cortegeChecksum(chaosUrl), cortegeChecksum(cleanUrl)]);
  const differing = Object.keys({ ...a.tables, ...b.tables }).filter(
    (t) => a.tables[t]?.digest !== b.tables[t]?.digest || a.tables[t]?.rows !== b.tables[t]?.rows,
  );
  return { ok: a.digest === b.digest, chaos: a, clean: b, differing };
}
