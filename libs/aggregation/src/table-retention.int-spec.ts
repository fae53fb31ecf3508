import { Pool } from 'pg';
import { loadConfig, type RetentionConfig } from '@app/config';
import type { Presence } from '@app/contracts';
import { migrate } from '@app/database';
import { DEFAULT_LOCATOR_MODEL } from '@app/geo';
import { tensionModelOf } from '@app/tension';
import { createTestDatabase, syntheticCityDay, type TestDatabase } from '@app/testing';
import { aggregateChecksum } from './aggregate-checksum';
import { HotspotStore } from './hotspot-store';
import { PresenceAggregator, type PresenceInput } from './presence-aggregator';
import { TableRetention, tableRetentionRules } from './table-retention';

const config = loadConfig();
const model = tensionModelOf(config.tension);
const DAY = 86_400_000;
const RETENTION: RetentionConfig = { ...config.retention, aggregatesMs: 400 * DAY };
const BATCH = 2_000;

const REGION = DEFAULT_LOCATOR_MODEL.regionResolution;
/** A crowded day in the middle of the year, where the window's edge will fall. */
const CROWDED_DAY = Date.UTC(2025, 5, 15);
/**
 * A synthetic year: 1,500 events over 2025 and 80 more on one crowded day (with their
 * revisions and cancels), as the locator writes them.
 */
const YEAR = [
  ...syntheticCityDay(1_500, 18, Date.UTC(2025, 0, 1), REGION, 365),
  ...syntheticCityDay(80, 19, CROWDED_DAY, REGION, 1),
];

const inputsOf = (records: readonly Presence[]): PresenceInput[] =>
  records.map((record, i) => ({ topic: 'presence', partition: 0, offset: String(i), record }));

describe('TableRetention against the real PostGIS', () => {
  const databases: TestDatabase[] = [];
  const pools: Pool[] = [];
  afterAll(async () => {
    await Promise.all(pools.map((p) => p.end()));
    await Promise.all(databases.map((d) => d.drop()));
  });
  const aggregated = async (records: readonly Presence[]) => {
    const database = await createTestDatabase(config);
    databases.push(database);
    await migrate(database.url);
    const pool = new Pool({ connectionString: database.url, max: 2 });
    pools.push(pool);
    const aggregator = new PresenceAggregator(pool, model, 'retention-test');
    const inputs = inputsOf(records);
    for (let start = 0; start < inputs.length; start += BATCH)
      await aggregator.applyBatch(inputs.slice(start, start + BATCH));
    return { pool, aggregator };
  };

  it('on a synthetic year, leaves exactly the events in the window, and aggregates equal to aggregating only them; a second apply changes nothing', async () => {
    const live = await aggregated(YEAR);
    const hotspots = new HotspotStore(live.pool, model.bucketMinutes);
    const retention = new TableRetention(live.pool, RETENTION, live.aggregator, 150, {
      store: hotspots,
      alpha: 0.05,
    });
    const ends = (
      await live.pool.query<{ event_id: string; end_at: Date }>(
        'SELECT event_id, end_at FROM event ORDER BY end_at, event_id',
      )
    ).rows;
    // The window's edge in the middle of the crowded day, at the end of an event: the events
    // that end just after it shared cells and buckets with events that go.
    const crowded = ends.filter(
      (e) => e.end_at.getTime() > CROWDED_DAY && e.end_at.getTime() < CROWDED_DAY + DAY,
    );
    const edge = crowded[Math.floor(crowded.length / 2)]!.end_at.getTime();
    const now = new Date(edge + RETENTION.aggregatesMs);
    const kept = ends.filter((e) => e.end_at.getTime() >= edge).map((e) => e.event_id);
    const gone = new Set(ends.filter((e) => e.end_at.getTime() < edge).map((e) => e.event_id));
    expect(gone.size).toBeGreaterThan(600);
    // Rows fed both by an event that goes and by one that stays: the recomputation must change
    // them, not just delete them.
    const { rows: mixed } = await live.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM cell_tension
        WHERE event_ids && $1::uuid[] AND NOT event_ids <@ $1::uuid[]`,
      [[...gone]],
    );
    expect(mixed[0]!.n).toBeGreaterThan(0);

    // The hotspot windows around the edge, as the aggregator keeps them.
    const around = {
      from: new Date(edge - 7 * DAY).toISOString().slice(0, 10),
      to: new Date(edge + 2 * DAY).toISOString().slice(0, 10),
    };
    await hotspots.recomputeAll(0.05, undefined, around);

    const before = await retention.status(now);
    expect(before.find((t) => t.table === 'event')).toMatchObject({ expired: gone.size });

    const started = Date.now();
    const outcome = await retention.apply(now);
    const applyMs = Date.now() - started;
    expect(outcome).toMatchObject({
      events: gone.size,
      eventsCutoff: new Date(edge).toISOString(),
    });
    expect(outcome.cellRows).toBeGreaterThan(0);

    const { rows: remaining } = await live.pool.query<{ event_id: string }>(
      'SELECT event_id FROM event ORDER BY end_at, event_id',
    );
    expect(remaining.map((r) => r.event_id)).toEqual(kept);
    const { rows: leftovers } = await live.pool.query<{ n: number }>(
      `SELECT (SELECT count(*) FROM event_presence WHERE event_id = ANY($1::uuid[]))
            + (SELECT count(*) FROM event_region WHERE event_id = ANY($1::uuid[]))
            + (SELECT count(*) FROM cell_tension WHERE event_ids && $1::uuid[])
            + (SELECT count(*) FROM tension_zone WHERE event_ids && $1::uuid[]) AS n`,
      [[...gone]],
    );
    expect(Number(leftovers[0]!.n)).toBe(0);

    // The same aggregator fed only the records of the events that stay (cancelled ones
    // included: their ledger stays too): the same tables, row for row.
    const rebuilt = await aggregated(YEAR.filter((r) => !gone.has(r.eventId)));
    const checksum = await aggregateChecksum(live.pool);
    expect(checksum).toEqual(await aggregateChecksum(rebuilt.pool));
    // The hotspot windows that outlive the cutoff: recomputed without the events gone, equal
    // to the rebuilt tables' own.
    expect(outcome.hotspotWindows).toBeGreaterThan(0);
    await new HotspotStore(rebuilt.pool, model.bucketMinutes).recomputeAll(0.05, undefined, around);
    const keptWindows = (pool: Pool) =>
      pool
        .query<Record<string, unknown>>(
          `SELECT window_kind, to_char(window_start, 'YYYY-MM-DD') AS start, cell, value, z, q, spot
             FROM hotspot WHERE window_end >= $1::date ORDER BY 1, 2, 3`,
          [new Date(edge).toISOString().slice(0, 10)],
        )
        .then((r) => r.rows);
    const keptHotspots = await keptWindows(live.pool);
    expect(keptHotspots.length).toBeGreaterThan(0);
    expect(keptHotspots).toEqual(await keptWindows(rebuilt.pool));
    expect(checksum.tables.cell_tension!.rows).toBeGreaterThan(0);
    expect(checksum.tables.tension_zone!.rows).toBeGreaterThan(0);

    const again = await retention.apply(now);
    expect(again).toMatchObject({ events: 0, presenceRows: 0, cellRows: 0, zones: 0 });
    expect(await aggregateChecksum(live.pool)).toEqual(checksum);
    const after = await retention.status(now);
    expect(after.find((t) => t.table === 'event')).toMatchObject({
      rows: kept.length,
      expired: 0,
      oldest: new Date(edge).toISOString(),
    });
    // Measured, for the README: the year's apply.
    process.stdout.write(
      `retention apply: ${outcome.events} of ${ends.length} events, ${outcome.presenceRows} presence rows, ` +
        `${outcome.cellRows} cell rows in ${applyMs} ms\n`,
    );
    // A year aggregated twice on a shared 2-core machine.
  }, 300_000);

  // (the migrations' own ledger and PostGIS's reference table aside)
  it('gives every table of the schema a retention (so retention and purge miss none)', async () => {
    const { pool } = await aggregated([]);
    const { rows } = await pool.query<{ name: string }>(
      `SELECT table_name AS name FROM information_schema.tables
        WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'
          AND table_name NOT IN ('schema_migration', 'spatial_ref_sys') ORDER BY 1`,
    );
    const listed = new Set(tableRetentionRules(RETENTION).map((t) => t.table));
    expect(rows.map((r) => r.name).filter((name) => !listed.has(name))).toEqual([]);
  });

  it('removes old hotspot windows and the bindings of producers to events gone', async () => {
    const { pool, aggregator } = await aggregated([]);
    const now = new Date(Date.UTC(2026, 6, 1));
    const old = new Date(now.getTime() - RETENTION.aggregatesMs - 86_400_000);
    await pool.query(
      `INSERT INTO ingest_event_producer (event_id, producer, bound_at) VALUES
         ('00000000-0000-4000-8000-000000000001', 'pp13', $1),
         ('00000000-0000-4000-8000-000000000002', 'pp13', $2)`,
      [old, now],
    );
    const retention = new TableRetention(pool, RETENTION, aggregator);
    expect(
      (await retention.status(now)).find((t) => t.table === 'ingest_event_producer'),
    ).toMatchObject({ rows: 2, expired: 1 });
    expect(await retention.apply(now)).toMatchObject({ producerBindings: 1 });
    const { rows } = await pool.query<{ id: string }>(
      'SELECT event_id::text AS id FROM ingest_event_producer',
    );
    expect(rows).toEqual([{ id: '00000000-0000-4000-8000-000000000002' }]);
  });

  it('removes the outgoing webhooks enqueued before the submissions window, sent or not', async () => {
    const { pool, aggregator } = await aggregated([]);
    const now = new Date(Date.UTC(2026, 6, 1));
    const old = new Date(now.getTime() - RETENTION.submissionsMs - 60_000);
    await pool.query(
      `INSERT INTO webhook_delivery (id, target, payload, created_at, delivered_at) VALUES
         ('00000000-0000-4000-8000-000000000011', 'pp13', '{}', $1, $1),
         ('00000000-0000-4000-8000-000000000012', 'pp13', '{}', $1, NULL),
         ('00000000-0000-4000-8000-000000000013', 'pp13', '{}', $2, NULL)`,
      [old, now],
    );
    const retention = new TableRetention(pool, RETENTION, aggregator);
    expect((await retention.status(now)).find((t) => t.table === 'webhook_delivery')).toMatchObject(
      { rows: 3, expired: 2 },
    );
    expect(await retention.apply(now)).toMatchObject({ webhookDeliveries: 2 });
    const { rows } = await pool.query<{ id: string }>('SELECT id::text FROM webhook_delivery');
    expect(rows).toEqual([{ id: '00000000-0000-4000-8000-000000000013' }]);
  });

  it('removes the geocode cache entries past their TTL and keeps the others', async () => {
    const { pool, aggregator } = await aggregated([]);
    const now = new Date(Date.UTC(2026, 6, 1));
    await pool.query(
      `INSERT INTO geocode_cache (query_norm, found, result, source, created_at) VALUES
         ('1 rue old', false, NULL, 'ban', $1), ('2 rue recent', false, NULL, 'ban', $2)`,
      [
        new Date(now.getTime() - RETENTION.geocodeCacheMs - 1),
        new Date(now.getTime() - RETENTION.geocodeCacheMs + 60_000),
      ],
    );
    const retention = new TableRetention(pool, RETENTION, aggregator);
    expect((await retention.status(now)).find((t) => t.table === 'geocode_cache')).toMatchObject({
      rows: 2,
      expired: 1,
    });
    expect(await retention.apply(now)).toMatchObject({ geocodeCacheRows: 1, events: 0 });
    const { rows } = await pool.query<{ q: string }>('SELECT query_norm AS q FROM geocode_cache');
    expect(rows).toEqual([{ q: '2 rue recent' }]);
  });
});
