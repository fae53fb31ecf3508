import { Pool } from 'pg';
import { loadConfig } from '@app/config';
import type { Presence } from '@app/contracts';
import { migrate } from '@app/database';
import { DEFAULT_LOCATOR_MODEL } from '@app/geo';
import { cellHotspots, HOTSPOT_RESOLUTION, tensionModelOf } from '@app/tension';
import { createTestDatabase, syntheticCityDay, type TestDatabase } from '@app/testing';
import { HotspotStore, windowOf } from './hotspot-store';
import { PresenceAggregator, type PresenceInput } from './presence-aggregator';

const config = loadConfig();
const model = tensionModelOf(config.tension);
const REGION = DEFAULT_LOCATOR_MODEL.regionResolution;
/** Three days, Friday 1 to Sunday 3 May 2026: one ISO week (from Monday 27 April). */
const EVENTS = syntheticCityDay(60, 7, Date.UTC(2026, 4, 1), REGION, 3);

const inputsOf = (records: readonly Presence[]): PresenceInput[] =>
  records.map((record, i) => ({ topic: 'presence', partition: 0, offset: String(i), record }));

const ROWS = `SELECT window_kind, to_char(window_start, 'YYYY-MM-DD') AS window_start,
                     to_char(window_end, 'YYYY-MM-DD') AS window_end, cell, resolution, value,
                     local_sum, neighbours, z, p, q, spot, alpha, study_area,
                     ST_AsText(geom) AS geom
                FROM hotspot ORDER BY window_kind, window_start, cell`;

describe('HotspotStore against the real PostGIS', () => {
  const databases: TestDatabase[] = [];
  const pools: Pool[] = [];
  afterAll(async () => {
    await Promise.all(pools.map((p) => p.end()));
    await Promise.all(databases.map((d) => d.drop()));
  });
  const aggregated = async (records: readonly Presence[], batch: number) => {
    const database = await createTestDatabase(config);
    databases.push(database);
    await migrate(database.url);
    const pool = new Pool({ connectionString: database.url, max: 2 });
    pools.push(pool);
    const aggregator = new PresenceAggregator(pool, model, 'hotspot-test');
    const inputs = inputsOf(records);
    for (let start = 0; start < inputs.length; start += batch)
      await aggregator.applyBatch(inputs.slice(start, start + batch));
    return { pool, store: new HotspotStore(pool, model.bucketMinutes) };
  };

  it('stores Gi* of each day and week from cell_tension; recomputing, or aggregating in another order, gives the same bits', async () => {
    const live = await aggregated(EVENTS, 500);
    const windows = await live.store.windows();
    expect(windows).toEqual([
      { kind: 'day', start: '2026-05-01' },
      { kind: 'day', start: '2026-05-02' },
      { kind: 'day', start: '2026-05-03' },
      { kind: 'week', start: '2026-04-27' },
    ]);
    expect(windowOf('week', '2026-05-04')).toEqual({ kind: 'week', start: '2026-05-04' });
    const outcomes = await live.store.recomputeAll();
    expect(outcomes.map((o) => o.studyArea).every((n) => n > 20)).toBe(true);
    expect(outcomes.reduce((a, o) => a + o.hot, 0)).toBeGreaterThan(0);

    // A value is the score hours of the cell's day, read independently in SQL.
    const { rows: sums } = await live.pool.query<{ cell: string; hours: number }>(
      `SELECT cell, sum(score) * $2 / 60 AS hours FROM cell_tension
        WHERE resolution = $1 AND (bucket_start AT TIME ZONE 'Europe/Paris')::date = '2026-05-02'
        GROUP BY cell`,
      [HOTSPOT_RESOLUTION, model.bucketMinutes],
    );
    const stored = (await live.pool.query(ROWS)).rows as {
      window_kind: string;
      window_start: string;
      cell: string;
      value: number;
      z: number;
      q: number;
      spot: string;
      study_area: number;
      neighbours: number;
    }[];
    const day2 = stored.filter((r) => r.window_kind === 'day' && r.window_start === '2026-05-02');
    expect(sums.length).toBeGreaterThan(10);
    for (const s of sums)
      expect(day2.find((r) => r.cell === s.cell)?.value).toBeCloseTo(s.hours, 8);
    // Every cell with a value is there, with its 1-ring (value 0 where it has none).
    expect(day2.length).toBe(day2[0]?.study_area);
    expect(day2.filter((r) => r.value > 0).length).toBe(sums.filter((s) => s.hours > 0).length);
    // The rows are the pure analysis of those values.
    const analysis = cellHotspots(new Map(day2.map((r) => [r.cell, r.value])));
    expect(day2.map((r) => [r.cell, r.z, r.q, r.spot, r.neighbours])).toEqual(
      analysis.cells.map((c) => [c.cell, c.z, c.q, c.spot, c.neighbours]),
    );
    // Significant cells are hot or cold, with q ≤ α.
    expect(stored.filter((r) => r.spot !== 'NONE').every((r) => r.q <= 0.05)).toBe(true);

    await live.store.recomputeAll();
    expect((await live.pool.query(ROWS)).rows).toEqual(stored);

    // The same events aggregated in other batches, another time: identical rows, to the bit.
    const other = await aggregated(EVENTS, 37);
    await other.store.recomputeAll();
    expect((await other.pool.query(ROWS)).rows).toEqual(stored);

    // Another α changes the decisions, not the statistics; it is stored with them.
    await other.store.recompute({ kind: 'day', start: '2026-05-02' }, 0.001);
    const strict = (
      await other.pool.query<{ z: number; alpha: number; spot: string }>(
        `SELECT z, alpha, spot FROM hotspot WHERE window_kind = 'day' AND window_start = '2026-05-02' ORDER BY cell`,
      )
    ).rows;
    expect(strict.map((r) => r.z)).toEqual(day2.map((r) => r.z));
    expect(new Set(strict.map((r) => r.alpha))).toEqual(new Set([0.001]));
    expect(strict.filter((r) => r.spot !== 'NONE').length).toBeLessThanOrEqual(
      day2.filter((r) => r.spot !== 'NONE').length,
    );

    // A window whose tension is gone is emptied by the next recomputation.
    await live.pool.query(
      `DELETE FROM cell_tension WHERE (bucket_start AT TIME ZONE 'Europe/Paris')::date = '2026-05-03'`,
    );
    await live.store.recomputeAll();
    const { rows: left } = await live.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM hotspot WHERE window_kind = 'day' AND window_start = '2026-05-03'`,
    );
    expect(left[0]?.n).toBe(0);
  });
});
