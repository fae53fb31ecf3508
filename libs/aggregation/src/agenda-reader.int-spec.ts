import { Pool } from 'pg';
import { loadConfig } from '@app/config';
import type { Presence } from '@app/contracts';
import { migrate } from '@app/database';
import { AGENDA_RESOLUTION, tensionLevel, tensionModelOf } from '@app/tension';
import {
  areaCells,
  cancelRecords,
  createGazetteerDatabase,
  createTestDatabase,
  marchCells,
  MARSEILLE,
  presenceRecords,
  regionsOf,
  type LatLng,
  type TestDatabase,
} from '@app/testing';
import { readAgenda } from './agenda-reader';
import { PresenceAggregator, type PresenceInput } from './presence-aggregator';

const config = loadConfig();
const model = tensionModelOf(config.tension);
const reference = model.zoneThreshold;

const inputsOf = (records: readonly Presence[]): PresenceInput[] =>
  records.map((record, i) => ({ topic: 'presence', partition: 0, offset: String(i), record }));

const id = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
const at = (iso: string) => Date.parse(iso);
const AIX: LatLng = [43.5263, 5.4454];

/** Tuesday 8 December 2026 (UTC+1): a march crosses a rally at Castellane, 15:00–16:00 local. */
const MARCH = presenceRecords({
  eventId: id(1),
  revision: 1,
  kind: 'MOVING_DEMONSTRATION',
  peopleExpected: 3_000,
  startAt: at('2026-12-08T13:00:00Z'),
  endAt: at('2026-12-08T15:00:00Z'),
  cells: marchCells(
    MARSEILLE.prado,
    MARSEILLE.castellane,
    at('2026-12-08T13:00:00Z'),
    at('2026-12-08T15:00:00Z'),
  ),
});
const RALLY_CELLS = areaCells(
  MARSEILLE.castellane,
  1,
  at('2026-12-08T14:00:00Z'),
  at('2026-12-08T16:00:00Z'),
);
const RALLY = presenceRecords({
  eventId: id(2),
  revision: 1,
  kind: 'STATIC_DEMONSTRATION',
  peopleExpected: 500,
  startAt: at('2026-12-08T14:00:00Z'),
  endAt: at('2026-12-08T16:00:00Z'),
  cells: RALLY_CELLS,
});
/** Wednesday 9: an official visit alone at Saint-Charles. */
const VISIT = presenceRecords({
  eventId: id(3),
  revision: 1,
  kind: 'OFFICIAL_VISIT',
  startAt: at('2026-12-09T09:00:00Z'),
  endAt: at('2026-12-09T10:00:00Z'),
  cells: areaCells(
    MARSEILLE.saintCharles,
    1,
    at('2026-12-09T09:00:00Z'),
    at('2026-12-09T10:00:00Z'),
  ),
});
/** Thursday 10: a rally in Aix-en-Provence, outside Marseille. */
const AIX_RALLY = presenceRecords({
  eventId: id(4),
  revision: 1,
  kind: 'STATIC_DEMONSTRATION',
  peopleExpected: 2_000,
  startAt: at('2026-12-10T09:00:00Z'),
  endAt: at('2026-12-10T11:00:00Z'),
  cells: areaCells(AIX, 1, at('2026-12-10T09:00:00Z'), at('2026-12-10T11:00:00Z')),
});
const ALL = [...MARCH, ...RALLY, ...VISIT, ...AIX_RALLY];

describe('readAgenda against the real PostGIS and the gazetteer extract', () => {
  const databases: TestDatabase[] = [];
  const pools: Pool[] = [];
  afterAll(async () => {
    await Promise.all(pools.map((p) => p.end()));
    await Promise.all(databases.map((d) => d.drop()));
  });
  const aggregated = async (records: readonly Presence[], gazetteer = true) => {
    const database = gazetteer
      ? await createGazetteerDatabase(config)
      : await createTestDatabase(config);
    databases.push(database);
    if (!gazetteer) await migrate(database.url);
    const pool = new Pool({ connectionString: database.url, max: 2 });
    pools.push(pool);
    await new PresenceAggregator(pool, model, 'agenda-test').applyBatch(inputsOf(records));
    return pool;
  };
  /** The highest resolution-9 score of a local day, all cells together, read in SQL. */
  const dayPeak = async (pool: Pool, day: string) =>
    Number(
      (
        await pool.query<{ peak: number }>(
          `SELECT max(score) AS peak FROM cell_tension
            WHERE resolution = $1 AND (bucket_start AT TIME ZONE 'Europe/Paris')::date = $2`,
          [AGENDA_RESOLUTION, day],
        )
      ).rows[0]?.peak ?? 0,
    );

  it('gives each day and arrondissement its level from the peak score, with its events and conflicts', async () => {
    const pool = await aggregated(ALL);
    const agenda = await readAgenda(pool, { from: '2026-12-07', days: 5, reference });
    expect(agenda).toMatchObject({ gazetteer: true, resolution: 9, reference, days: 5 });
    expect(agenda.entries).toHaveLength(5 * 16);
    const tense = agenda.entries.filter((e) => e.level > 1);

    // Monday 7 and Friday 11: nothing declared in Marseille; Thursday 10 only in Aix.
    expect(
      tense.map((e) => e.day).filter((d) => !['2026-12-08', '2026-12-09'].includes(d)),
    ).toEqual([]);

    // Tuesday: the march and the rally meet at Castellane (6th); the day's peak is theirs.
    const tuesday = tense.filter((e) => e.day === '2026-12-08');
    const castellane = tuesday.find((e) => e.arrondissement === 6);
    expect(castellane).toBeDefined();
    expect(castellane?.conflict).toBe(true);
    expect(castellane?.events).toEqual([
      { eventId: id(1), kind: 'MOVING_DEMONSTRATION', inConflict: true },
      { eventId: id(2), kind: 'STATIC_DEMONSTRATION', inConflict: true },
    ]);
    const peak = await dayPeak(pool, '2026-12-08');
    expect(Math.max(...tuesday.map((e) => e.peakScore))).toBeCloseTo(peak, 9);
    for (const e of tuesday) expect(e.level).toBe(tensionLevel(e.peakScore, reference));
    expect(castellane?.level).toBeGreaterThanOrEqual(6);

    // Wednesday: the visit alone at Saint-Charles, on the line between the 1st and the 3rd:
    // in each arrondissement its cells are in, no conflict.
    const wednesday = tense.filter((e) => e.day === '2026-12-09');
    expect(wednesday.map((e) => e.arrondissement)).toContain(1);
    for (const e of wednesday) {
      expect([1, 3]).toContain(e.arrondissement);
      expect(e.conflict).toBe(false);
      expect(e.events).toEqual([{ eventId: id(3), kind: 'OFFICIAL_VISIT', inConflict: false }]);
    }
    expect(Math.max(...wednesday.map((e) => e.peakScore))).toBeCloseTo(
      await dayPeak(pool, '2026-12-09'),
      9,
    );

    // Deterministic: read again, or aggregated in another order, the same agenda.
    expect(await readAgenda(pool, { from: '2026-12-07', days: 5, reference })).toEqual(agenda);
    const reversed = await aggregated([...VISIT, ...AIX_RALLY, ...RALLY, ...MARCH]);
    expect(await readAgenda(reversed, { from: '2026-12-07', days: 5, reference })).toEqual(agenda);
  });

  it('lists the active alerts of each local day in their arrondissement', async () => {
    const pool = await aggregated([]);
    const alert = (
      a: number,
      b: number,
      status: string,
      start: string,
      end: string,
      arr: number | null,
    ) =>
      pool.query(
        `INSERT INTO alert (event_a, event_b, status, kind_a, kind_b, revision_a, revision_b, rule,
                            severity, cells, start_at, end_at, arrondissement, version, digest,
                            changed_at, point, geom)
         VALUES ($1, $2, $3, 'MOVING_DEMONSTRATION', 'OFFICIAL_VISIT', 1, 1,
                 'MOVING_DEMONSTRATION:OFFICIAL_VISIT', 'HIGH', ARRAY['8a3969a40a27fff'], $4, $5,
                 $6, 1, 'd', now(), ST_SetSRID(ST_MakePoint(5.38, 43.29), 4326),
                 ST_Multi(ST_Buffer(ST_SetSRID(ST_MakePoint(5.38, 43.29), 4326), 0.001)))`,
        [id(a), id(b), status, start, end, arr],
      );
    // Across local midnight (23:30–00:30 Paris, UTC+1): on both days.
    await alert(1, 2, 'ACTIVE', '2026-12-08T22:30:00Z', '2026-12-08T23:30:00Z', 6);
    // Ends at local midnight exactly: on its day only.
    await alert(1, 3, 'ACTIVE', '2026-12-08T20:00:00Z', '2026-12-08T23:00:00Z', 1);
    await alert(2, 3, 'RETRACTED', '2026-12-08T10:00:00Z', '2026-12-08T11:00:00Z', 1);
    await alert(3, 4, 'ACTIVE', '2026-12-08T10:00:00Z', '2026-12-08T11:00:00Z', null);
    const agenda = await readAgenda(pool, { from: '2026-12-08', days: 2, reference });
    const placed = agenda.entries
      .filter((e) => e.alerts.length > 0)
      .map((e) => [e.day, e.arrondissement, e.alerts.map((a) => a.alertId)]);
    expect(placed).toEqual([
      ['2026-12-08', 1, [`${id(1)}:${id(3)}`]],
      ['2026-12-08', 6, [`${id(1)}:${id(2)}`]],
      ['2026-12-09', 6, [`${id(1)}:${id(2)}`]],
    ]);
    expect(agenda.entries.find((e) => e.alerts.length > 0)?.alerts[0]).toEqual({
      alertId: `${id(1)}:${id(3)}`,
      severity: 'HIGH',
      rule: 'MOVING_DEMONSTRATION:OFFICIAL_VISIT',
    });
  });

  it('drops a cancelled event from its day', async () => {
    const pool = await aggregated([...ALL, ...cancelRecords(id(2), 2, regionsOf(RALLY_CELLS))]);
    const agenda = await readAgenda(pool, { from: '2026-12-08', days: 1, reference });
    const events = agenda.entries.flatMap((e) => e.events.map((ev) => ev.eventId));
    expect(events).toContain(id(1));
    expect(events).not.toContain(id(2));
    expect(agenda.entries.some((e) => e.conflict)).toBe(false);
  });

  it('says so when the gazetteer holds no address: every level 1', async () => {
    const pool = await aggregated(ALL, false);
    const agenda = await readAgenda(pool, { from: '2026-12-08', days: 2, reference });
    expect(agenda.gazetteer).toBe(false);
    expect(new Set(agenda.entries.map((e) => e.level))).toEqual(new Set([1]));
  });
});
