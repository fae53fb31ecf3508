import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { loadConfig } from '@app/config';
import { CORTEGE_ZONE } from '@app/contracts';
import {
  asAnalyst,
  createTestDatabase,
  freePort,
  uniqueName,
  type TestDatabase,
} from '@app/testing';
import { tensionLevel, type AgendaEntry } from '@app/tension';
import { marseilleDay } from './marseille-day';

const config = loadConfig();
const ROOT = join(__dirname, '..', '..');
const DAY = '2026-05-01';

/** Runs `npm run demo -- --once` as a user would (the same entry point), with `env` added. */
function runDemoOnce(
  env: Record<string, string>,
): Promise<{ code: number | null; output: string }> {
  const assignments = Object.entries(env).map(([name, value]) => `${name}=${value}`);
  const child = spawn(
    'env',
    [
      ...assignments,
      process.execPath,
      '--require',
      'tsx/cjs',
      join(ROOT, 'infra', 'local', 'demo.cli.ts'),
      '--once',
      '--day',
      DAY,
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const killer = setTimeout(() => child.kill('SIGKILL'), 220_000);
  return new Promise((resolve) =>
    child.on('exit', (code) => {
      clearTimeout(killer);
      resolve({ code, output });
    }),
  );
}

describe('npm run demo -- --once (the whole platform on a day in Marseille)', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(config);
  });
  afterAll(async () => database?.drop());

  it('publishes the day, prints the zone where the first march meets the visit, and leaves the views right', async () => {
    const day = marseilleDay(DAY);
    const topic = (name: string) => uniqueName(`demo.${name}`);
    const [submissions, events, presence, dlq] = ['submissions', 'events', 'presence', 'dlq'].map(
      topic,
    );
    const [ingest, sanitizer, locator, aggregator, analystApi] = [
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
      await freePort(),
    ];
    const started = Date.now();
    const { code, output } = await runDemoOnce({
      DATABASE_URL: database.url,
      INGEST_PORT: String(ingest),
      SANITIZER_PORT: String(sanitizer),
      LOCATOR_PORT: String(locator),
      AGGREGATOR_PORT: String(aggregator),
      ANALYST_API_PORT: String(analystApi),
      INGEST_TOPIC: submissions as string,
      SANITIZER_INPUT_TOPIC: submissions as string,
      SANITIZER_EVENTS_TOPIC: events as string,
      SANITIZER_DLQ_TOPIC: dlq as string,
      LOCATOR_INPUT_TOPIC: events as string,
      LOCATOR_PRESENCE_TOPIC: presence as string,
      LOCATOR_DLQ_TOPIC: dlq as string,
      AGGREGATOR_INPUT_TOPIC: presence as string,
      AGGREGATOR_DLQ_TOPIC: dlq as string,
      SANITIZER_GROUP_ID: uniqueName('demo-sanitizer'),
      LOCATOR_GROUP_ID: uniqueName('demo-locator'),
      AGGREGATOR_GROUP_ID: uniqueName('demo-aggregator'),
    });
    expect({ code, tail: code === 0 ? '' : output.slice(-4000) }).toEqual({ code: 0, tail: '' });

    // The table: a row for the first bucket of the overlap holding the march and the visit.
    const first = DateTime.fromMillis(day.marchVisitOverlap.startAt, { zone: CORTEGE_ZONE });
    const label = `${first.toFormat('HH:mm')}–${first.plus({ minutes: 15 }).toFormat('HH:mm')}`;
    const row = output.split('\n').find((line) => line.startsWith(label));
    expect(row).toMatch(/1 march.*1 visit|1 visit.*1 march/);

    // The map, signed in through the development issuer: a screenshot of the day's peak.
    const shot = /^The map at the day's peak \((\d\d:\d\d)\), signed in as [^:]+: (.+\.png)$/m.exec(
      output,
    );
    expect(shot?.[1]).toBe('12:30');
    const png = readFileSync(shot?.[2] ?? '');
    expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    expect(statSync(shot?.[2] ?? '').mtimeMs).toBeGreaterThan(started);

    // Through the analysts' views, with a login of the read-only role.
    await asAnalyst(database.url, async (analyst) => {
      const { rows: held } = await analyst.query<{ event_id: string; revision: number }>(
        `SELECT event_id::text, revision FROM v_events ORDER BY event_id`,
      );
      expect(held).toEqual(
        day.events
          .filter((e) => !e.cancelled)
          .map((e) => ({ event_id: e.eventId, revision: e.latestRevision }))
          .sort((a, b) => (a.event_id < b.event_id ? -1 : 1)),
      );
      // Each event's scrubbed text, and its geometry in the view of the shape the locator drew.
      const { rows: described } = await analyst.query<{
        event_id: string;
        shape: string;
        subject: string | null;
        geometries: number;
      }>(
        `SELECT e.event_id::text, e.shape, e.subject,
                (SELECT count(*) FROM v_event_routes r WHERE r.event_id = e.event_id)::int
              + (SELECT count(*) FROM v_event_footprints f WHERE f.event_id = e.event_id)::int
              + (SELECT count(*) FROM v_event_points p WHERE p.event_id = e.event_id)::int AS geometries
           FROM v_events e`,
      );
      const byKey = new Map(day.events.map((e) => [e.eventId, e.key] as const));
      expect(Object.fromEntries(described.map((r) => [byKey.get(r.event_id), r.shape]))).toEqual({
        'union-march': 'route',
        'second-march': 'route',
        'prefecture-rally': 'footprint',
        'official-visit': 'points',
        'psq-transports': 'points',
        'flea-market': 'points',
      });
      expect(described.filter((r) => !r.subject || r.geometries !== 1)).toEqual([]);
      const cancelled = day.events.filter((e) => e.cancelled).map((e) => e.eventId);
      expect(cancelled).toHaveLength(1);
      const { rows: left } = await analyst.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM v_presence WHERE event_id = ANY($1::uuid[])`,
        [cancelled],
      );
      expect(left[0]?.n).toBe(0);
      const { rows: present } = await analyst.query<{ n: number }>(
        `SELECT count(DISTINCT event_id)::int AS n FROM v_presence`,
      );
      expect(present[0]?.n).toBe(held.length);
      const { rows: zones } = await analyst.query<{ bucket_start: Date; kinds: string[] }>(
        `SELECT bucket_start, kinds FROM v_zones
          WHERE resolution = 10 AND $1::uuid = ANY(event_ids) AND $2::uuid = ANY(event_ids)
          ORDER BY bucket_start`,
        [day.firstMarchId, day.officialVisitId],
      );
      expect(zones.length).toBeGreaterThan(0);
      for (const zone of zones) {
        expect(zone.bucket_start.getTime()).toBeGreaterThanOrEqual(day.marchVisitOverlap.startAt);
        expect(zone.bucket_start.getTime()).toBeLessThan(day.marchVisitOverlap.endAt);
      }
      expect(zones[0]?.kinds).toEqual(['MOVING_DEMONSTRATION', 'OFFICIAL_VISIT']);

      // CLI parity: the same day through `cortege sanitize | locate | score` (no Kafka) gives
      // the zones the platform wrote, to the last bit of their scores.
      const { rows: stored } = await analyst.query<{
        bucket_start: Date;
        cells: string[];
        peak_score: number;
      }>(
        `SELECT bucket_start, cells, peak_score FROM v_zones ORDER BY resolution, bucket_start, cells[1]`,
      );
      const submissions = day.steps.flatMap((step) =>
        step.submissions.map((s) => JSON.stringify(s)),
      );
      const clean = cli('sanitize', submissions.join('\n'))
        .map((line) => JSON.parse(line) as { event?: unknown })
        .map((line) => JSON.stringify(line.event));
      const located = cli('locate', clean.join('\n'));
      const cliZones = cli('score', located.join('\n'))
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .filter((row) => row.type === 'zone');
      expect(cliZones.map((z) => [z.bucketStart, z.cells, z.peakScore])).toEqual(
        stored.map((z) => [z.bucket_start.toISOString(), z.cells, z.peak_score]),
      );

      // The day's agenda: printed by the demo, and the same through `cortege agenda`. Where
      // the first march meets the visit, both are in conflict; the level follows the peak.
      const agenda = cli(['agenda', '--from', DAY, '--days', '1', '--json']).map(
        (line) => JSON.parse(line) as AgendaEntry,
      );
      expect(agenda).toHaveLength(16);
      const meeting = agenda.filter((e) =>
        [day.firstMarchId, day.officialVisitId].every((id) =>
          e.events.some((ev) => ev.eventId === id && ev.inConflict),
        ),
      );
      expect(meeting.length).toBeGreaterThan(0);
      for (const e of meeting) expect(e.conflict).toBe(true);
      for (const e of agenda) expect(e.level).toBe(tensionLevel(e.peakScore, 8));
      const { rows: peak } = await analyst.query<{ peak: number }>(
        `SELECT max(peak_score) AS peak FROM v_tension_day WHERE resolution = 9 AND day = $1::date`,
        [DAY],
      );
      expect(Math.max(...agenda.map((e) => e.peakScore))).toBeCloseTo(Number(peak[0]?.peak), 9);
      const listed = new Set(agenda.flatMap((e) => e.events.map((ev) => ev.eventId)));
      for (const id of cancelled) expect(listed.has(id)).toBe(false);
      const printed = agenda
        .filter((e) => e.level > 1)
        .map((e) => `${e.arrondissement}e ${e.level}${e.conflict ? '!' : ''}`)
        .join(', ');
      expect(output).toContain(
        `level 1–10 per arrondissement, ! where events meet:\n  ${printed};`,
      );
    });
  });

  /** `cortege <command> [args…]` on `input`, against the demo's database; its stdout lines. */
  function cli(command: string | readonly string[], input = ''): string[] {
    const args = typeof command === 'string' ? [command] : [...command];
    const result = spawnSync(
      'env',
      [
        `DATABASE_URL=${database.url}`,
        process.execPath,
        join(ROOT, 'apps', 'cli', 'bin', 'cortege.js'),
        ...args,
      ],
      { cwd: ROOT, input, encoding: 'utf8', timeout: 60_000 },
    );
    if (result.status !== 0)
      throw new Error(`cortege ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
    return result.stdout.trim().split('\n');
  }
});
