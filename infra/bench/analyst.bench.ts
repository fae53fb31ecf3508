/**
 * The analysts' API against the real PostGIS, beside the raw SQL of the same queries, in one
 * run: the p95 of "whole city, one day, resolution 9" (the day's peak per cell, as the
 * `tension-days` collection serves it) and of one city vector tile (zoom 12, resolution 9).
 * Through the API means everything a user pays: HTTP, token verification, the habilitation
 * lookup, the audit row, the GeoJSON or MVT body.
 */
import type { AddressInfo } from 'node:net';
import { Pool } from 'pg';
import { HabilitationStore } from '@app/access';
import { PresenceAggregator } from '@app/aggregation';
import { loadConfig } from '@app/config';
import { migrate } from '@app/database';
import { tensionModelOf } from '@app/tension';
import { createTestDatabase, syntheticCityDay, testIssuer } from '@app/testing';
import { createAnalystApp } from '../../apps/analyst-api/src';
import { chunks } from './bench.util';

/** A month: 900 events over 30 days, a few dozen a day as Marseille declares. */
const EVENTS = 900;
const DAYS = 30;
const RUNS = 200;
const WARM_UP = 20;

const CITY = [5.2, 43.15, 5.6, 43.45] as const;
const TILE = { z: 12, x: 2109, y: 1500 };

const p95 = (timings: number[]) => {
  const sorted = [...timings].sort((a, b) => a - b);
  return Number((sorted[Math.ceil(0.95 * sorted.length) - 1] ?? Number.NaN).toFixed(2));
};

/** Milliseconds of each of RUNS calls of `work`, after WARM_UP unmeasured ones. */
async function timings(work: () => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < WARM_UP; i += 1) await work();
  const taken: number[] = [];
  for (let i = 0; i < RUNS; i += 1) {
    const t = process.hrtime.bigint();
    await work();
    taken.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return taken;
}

export async function analystBench(): Promise<Record<string, number>> {
  const stack = loadConfig();
  const db = await createTestDatabase(stack);
  await migrate(db.url);
  const pool = new Pool({ connectionString: db.url, max: 2, options: '-c TimeZone=UTC' });
  const issuer = await testIssuer();
  const config = loadConfig(
    { ...issuer.env, DATABASE_URL: db.url, ANALYST_API_MAX_LIMIT: '10000' },
    undefined,
    { require: ['auth'] },
  );
  const app = await createAnalystApp(config, { logger: false });
  try {
    const aggregator = new PresenceAggregator(pool, tensionModelOf(config.tension), 'bench');
    let offset = 0;
    const records = syntheticCityDay(EVENTS, 17, Date.UTC(2026, 4, 1), 5, DAYS);
    for (const batch of chunks(records, config.aggregator.maxBatch))
      await aggregator.applyBatch(
        batch.map((record) => ({ topic: 'bench', partition: 0, offset: String(offset++), record })),
      );
    await pool.query('ANALYZE');
    await new HabilitationStore(pool).grant({
      subject: 'bench-analyst',
      role: 'analyst',
      reason: 'benchmark',
      grantedBy: 'cli:bench',
    });
    const token = await issuer.token(
      { roles: ['analyst'] },
      { subject: 'bench-analyst', exp: Math.floor(Date.now() / 1000) + 3600 },
    );
    await app.listen(0, '127.0.0.1');
    const { port } = app.getHttpServer().address() as AddressInfo;
    const base = `http://127.0.0.1:${port}`;
    const get = async (path: string) => {
      const response = await fetch(`${base}${path}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      const body = await response.arrayBuffer();
      if (response.status !== 200) throw new Error(`${path}: ${response.status}`);
      return body;
    };

    // The day's peak per cell, raw: the SQL the collection runs, without paging or GeoJSON.
    const daySql = `SELECT c.cell, max(c.score) AS peak_score, sum(c.score) / 96 AS mean_score,
                           max(c.event_count) AS max_events, (array_agg(c.geom))[1] AS geom
                      FROM cell_tension c
                     WHERE c.resolution = 9 AND c.geom && ST_MakeEnvelope($1, $2, $3, $4, 4326)
                       AND (c.bucket_start AT TIME ZONE 'Europe/Paris')::date = DATE '2026-05-10'
                     GROUP BY c.cell`;
    const dayRows = (await pool.query(daySql, [...CITY])).rowCount ?? 0;
    const dayPath =
      `/collections/tension-days/items?resolution=9&bbox=${CITY.join(',')}` +
      `&datetime=2026-05-10T12:00:00%2B02:00&limit=10000`;
    const served = JSON.parse(Buffer.from(await get(dayPath)).toString()) as {
      numberReturned: number;
    };
    if (served.numberReturned !== dayRows)
      throw new Error(`the API returned ${served.numberReturned} cells, SQL ${dayRows}`);
    const tileSql = `SELECT cortege_tile_cells($1, $2, $3, $4::json) AS tile`;
    const tileQuery = JSON.stringify({
      resolution: 9,
      start: '2026-05-10T10:00:00Z',
      end: '2026-05-10T10:00:00Z',
    });
    const tilePath = `/tiles/tension-cells/${TILE.z}/${TILE.x}/${TILE.y}.mvt?datetime=2026-05-10T10:00:00Z`;

    // Side by side, interleaved per kind of query so that the machine's load hits both alike.
    const sqlDay = await timings(() => pool.query(daySql, [...CITY]));
    const apiDay = await timings(() => get(dayPath));
    const sqlTile = await timings(() => pool.query(tileSql, [TILE.z, TILE.x, TILE.y, tileQuery]));
    const apiTile = await timings(() => get(tilePath));
    const tileBytes = (await get(tilePath)).byteLength;
    return {
      analyst_day_res9_cells: dayRows,
      analyst_day_res9_sql_p95_ms: p95(sqlDay),
      analyst_day_res9_api_p95_ms: p95(apiDay),
      analyst_tile_bytes: tileBytes,
      analyst_tile_sql_p95_ms: p95(sqlTile),
      analyst_tile_api_p95_ms: p95(apiTile),
    };
  } finally {
    await app.close();
    await pool.end();
    await db.drop();
  }
}
