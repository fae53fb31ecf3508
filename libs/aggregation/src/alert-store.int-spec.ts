import type { Alert, Presence } from '@app/contracts';
import { loadConfig } from '@app/config';
import { migrate } from '@app/database';
import { alertRulesOf, DEFAULT_TENSION_MODEL, pairKeyOf } from '@app/tension';
import {
  areaCells,
  cancelRecords,
  createTestDatabase,
  marchCells,
  MARSEILLE,
  presenceRecords,
  regionsOf,
  type TestDatabase,
} from '@app/testing';
import { Pool } from 'pg';
import { AlertStore, settleAlerts } from './alert-store';
import { PresenceAggregator, type PresenceInput } from './presence-aggregator';

const config = loadConfig();
const H = 3_600_000;
const DAY = Date.UTC(2026, 4, 2);
const REGION_RES = 8; // several regions per event, as a long march has

const ids = {
  march: '00000000-0000-4000-8000-0000000000a1',
  sitIn: '00000000-0000-4000-8000-0000000000a2',
  flea: '00000000-0000-4000-8000-0000000000a3',
};

/** Through the Canebière (Vieux-Port → Réformés), or away (Saint-Charles → Arnavaux). */
const marchPath = (away: boolean) =>
  away
    ? marchCells(MARSEILLE.saintCharles, MARSEILLE.arnavaux, DAY + 10 * H, DAY + 12 * H)
    : marchCells(MARSEILLE.vieuxPort, MARSEILLE.reformes, DAY + 10 * H, DAY + 12 * H);
const march = (revision: number, away = false) =>
  presenceRecords({
    eventId: ids.march,
    revision,
    kind: 'MOVING_DEMONSTRATION',
    peopleExpected: 3_000,
    startAt: DAY + 10 * H,
    endAt: DAY + 12 * H,
    cells: marchPath(away),
    regionResolution: REGION_RES,
    leftRegions: regionsOf(marchPath(!away), REGION_RES).filter(
      (r) => !regionsOf(marchPath(away), REGION_RES).includes(r),
    ),
  });
const sitIn = presenceRecords({
  eventId: ids.sitIn,
  revision: 1,
  kind: 'STATIC_DEMONSTRATION',
  peopleExpected: 400,
  startAt: DAY + 10 * H,
  endAt: DAY + 12 * H,
  cells: areaCells(MARSEILLE.canebiere, 1, DAY + 10 * H, DAY + 12 * H),
  regionResolution: REGION_RES,
});
const flea = presenceRecords({
  eventId: ids.flea,
  revision: 1,
  kind: 'SCHEDULED_OPERATION',
  theme: 'MARCHE_AUX_PUCES',
  peopleExpected: 2_000,
  startAt: DAY + 8 * H,
  endAt: DAY + 13 * H,
  cells: areaCells(MARSEILLE.canebiere, 2, DAY + 8 * H, DAY + 13 * H),
  regionResolution: REGION_RES,
});

describe('conflict alerts kept by the aggregator, on the real PostGIS', () => {
  let database: TestDatabase;
  let pool: Pool;
  let aggregator: PresenceAggregator;
  let offset = 0;
  const rules = alertRulesOf();

  beforeAll(async () => {
    database = await createTestDatabase(config);
    await migrate(database.url);
    pool = new Pool({ connectionString: database.url, max: 2 });
    aggregator = new PresenceAggregator(pool, DEFAULT_TENSION_MODEL, 'alerts', {
      alertRules: rules,
    });
  });

  afterAll(async () => {
    await pool?.end();
    await database?.drop();
  });

  /** Applies `records` in one batch, then settles the events it marked. */
  const apply = async (records: readonly Presence[]) => {
    const outcome = await aggregator.applyBatch(
      records.map((record): PresenceInput => ({
        topic: 'cortege.presence.v1',
        partition: 0,
        offset: String(offset++),
        record,
      })),
    );
    const written = await settleAlerts(pool, { alertRules: rules, alertWebhooks: [] });
    return { ...outcome, written: written.length };
  };

  const outbox = async () =>
    (await pool.query<{ record: Alert }>(`SELECT record FROM alert_outbox ORDER BY seq`)).rows.map(
      (r) => r.record,
    );

  it('raises one alert for the march through the static demonstration, none for the flea market', async () => {
    await apply(flea);
    await apply(sitIn);
    // An event marked is recomputed only once left alone for the settle time.
    const [head, ...rest] = march(1);
    await aggregator.applyBatch([
      { topic: 'cortege.presence.v1', partition: 0, offset: String(offset++), record: head! },
    ]);
    expect(await settleAlerts(pool, { alertRules: rules, alertWebhooks: [] }, 3_600_000)).toEqual(
      [],
    );
    expect((await pool.query(`SELECT event_id FROM alert_pending`)).rows).toEqual([
      { event_id: ids.march },
    ]);
    const outcome = await apply(rest);
    expect([outcome.alerts, outcome.written]).toEqual([1, 1]);
    expect((await pool.query(`SELECT event_id FROM alert_pending`)).rows).toEqual([]);
    const [alert, ...others] = await outbox();
    expect(others).toEqual([]);
    expect(alert).toMatchObject({
      alertId: pairKeyOf(ids.march, ids.sitIn),
      version: 1,
      status: 'ACTIVE',
      eventA: { eventId: ids.march, kind: 'MOVING_DEMONSTRATION', revision: 1 },
      eventB: { eventId: ids.sitIn, kind: 'STATIC_DEMONSTRATION', revision: 1 },
      rule: 'MOVING_DEMONSTRATION:STATIC_DEMONSTRATION',
      severity: 'HIGH',
    });
    // Where: every march cell that meets the sit-in is in the sit-in's cells or next to them.
    const sitInCells = new Set(sitIn.flatMap((r) => r.cells.map((c) => c.cell)));
    expect(alert?.cells.some((c) => sitInCells.has(c))).toBe(true);
    // When: within both events, and the march's time in those cells.
    const inCells = marchPath(false).filter((c) => alert?.cells.includes(c.cell));
    expect(alert?.startAt).toBe(Math.min(...inCells.map((c) => c.startAt)));
    expect(alert?.endAt).toBe(Math.max(...inCells.map((c) => c.endAt)));
    const { rows } = await pool.query<{ status: string; valid: boolean; inside: boolean }>(
      `SELECT status, ST_IsValid(geom) AS valid, ST_Intersects(geom, point) AS inside FROM alert`,
    );
    expect(rows).toEqual([{ status: 'ACTIVE', valid: true, inside: true }]);
  });

  it('writes nothing again for records read again, nor for a recomputation of every event', async () => {
    const again = await apply([...march(1), ...sitIn, ...flea]);
    expect(again).toMatchObject({ applied: 0, alerts: 0, written: 0 });
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      const outcome = await new AlertStore(client, rules).sync(Object.values(ids));
      await client.query('COMMIT');
      expect(outcome).toEqual({ raised: 0, retracted: 0, records: [] });
    } finally {
      client.release();
    }
    expect(await outbox()).toHaveLength(1);
  });

  it('retracts the alert when a revision takes the march away, with the revisions involved', async () => {
    const outcome = await apply(march(2, true));
    expect(outcome.written).toBe(1);
    const versions = await outbox();
    expect(versions).toHaveLength(2);
    expect(versions[1]).toMatchObject({
      alertId: pairKeyOf(ids.march, ids.sitIn),
      version: 2,
      status: 'RETRACTED',
      eventA: { eventId: ids.march, revision: 2 },
      eventB: { eventId: ids.sitIn, revision: 1 },
      cells: versions[0]?.cells,
      startAt: versions[0]?.startAt,
    });
    expect((await pool.query(`SELECT status, version FROM alert`)).rows).toEqual([
      { status: 'RETRACTED', version: 2 },
    ]);
  });

  it('raises it again when the march comes back, and retracts it on the cancel', async () => {
    await apply(march(3));
    await apply(cancelRecords(ids.march, 4, regionsOf(marchPath(false), REGION_RES)));
    expect((await outbox()).map((a) => [a.version, a.status, a.eventA.revision])).toEqual([
      [1, 'ACTIVE', 1],
      [2, 'RETRACTED', 2],
      [3, 'ACTIVE', 3],
      [4, 'RETRACTED', 4],
    ]);
  });
});
