/**
 * The map's live path, end to end in a real browser: from the aggregator's commit (its NOTIFY
 * is sent inside the transaction) to the changed cells drawn on the page, through the analysts'
 * API's `/live` stream, the page's tile refresh and MapLibre's redraw. Each round commits a new
 * rally, in the shown quarter hour, on cells that had no tension there before, and waits until
 * every one of its resolution-9 cells is rendered. The issue's target: within 2 s.
 */
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { cellToParent } from 'h3-js';
import { HabilitationStore } from '@app/access';
import { PresenceAggregator } from '@app/aggregation';
import { loadConfig } from '@app/config';
import { migrate } from '@app/database';
import { tensionModelOf } from '@app/tension';
import {
  areaCells,
  createTestDatabase,
  freePort,
  launchChromium,
  presenceRecords,
  signInToMap,
  startDevOidcIssuer,
  syntheticCityDay,
} from '@app/testing';
import { createAnalystApp } from '../../apps/analyst-api/src';
import { chunks } from './bench.util';

const DAY = Date.UTC(2026, 4, 1);
const ROUNDS = 15;
/** The quarter hour shown and changed: 10:00 Paris (08:00 UTC). */
const BUCKET = DAY + 8 * 3_600_000;
const BUCKET_MS = 15 * 60_000;
/** The view: central Marseille at zoom 13 (resolution 9). */
const VIEW = { lat: 43.2965, lon: 5.3775, zoom: 13 };

const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN);
};

export async function mapLiveBench(): Promise<Record<string, number>> {
  const stack = loadConfig();
  const db = await createTestDatabase(stack);
  await migrate(db.url);
  const pool = new Pool({ connectionString: db.url, max: 2, options: '-c TimeZone=UTC' });
  const port = await freePort();
  const mapUrl = `http://127.0.0.1:${port}/map`;
  const issuer = await startDevOidcIssuer({
    clientId: 'cortege-map',
    redirectUris: [mapUrl],
    audience: 'analyst-api',
    user: { subject: 'bench-analyst', roles: ['analyst'] },
  });
  const config = loadConfig(
    { ...issuer.env, DATABASE_URL: db.url, ANALYST_API_AUDIENCE: 'analyst-api' },
    undefined,
    { require: ['auth'] },
  );
  const app = await createAnalystApp(config, { logger: false });
  const browser = await launchChromium(stack.chromiumPath);
  try {
    const aggregator = new PresenceAggregator(pool, tensionModelOf(config.tension), 'bench');
    let offset = 0;
    const apply = (records: ReturnType<typeof presenceRecords>) =>
      aggregator.applyBatch(
        records.map((record) => ({
          topic: 'bench',
          partition: 0,
          offset: String(offset++),
          record,
        })),
      );
    // A city day underneath, so the tiles cost what they cost with data.
    for (const batch of chunks(syntheticCityDay(150, 5, DAY, 5, 1), 500)) await apply(batch);
    await new HabilitationStore(pool).grant({
      subject: 'bench-analyst',
      role: 'analyst',
      reason: 'benchmark',
      grantedBy: 'cli:bench',
    });
    await app.listen(port, '127.0.0.1');
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await signInToMap(
      page,
      `${mapUrl}?day=2026-05-01&t=10:00#${VIEW.zoom}/${VIEW.lat}/${VIEW.lon}`,
    );
    type Badge = { document: { getElementById(id: string): { textContent: string } | null } };
    await page.waitForFunction(
      () =>
        (globalThis as unknown as Badge).document.getElementById('live')?.textContent === 'live',
      null,
      { timeout: 60_000 },
    );

    const latencies: number[] = [];
    let cellsDrawn = 0;
    for (let round = 0; round < ROUNDS; round += 1) {
      // A place in the view whose cells have no tension in the bucket yet.
      const place = await freePlace(pool, round);
      const cells = areaCells(place, 1, BUCKET, BUCKET + BUCKET_MS);
      const shown = [...new Set(cells.map((c) => cellToParent(c.cell, 9)))];
      const drawn = page.waitForFunction(
        (wanted) => {
          const probe = (globalThis as unknown as { cortegeMap: MapProbe }).cortegeMap;
          const seen = new Set(
            probe.map.queryRenderedFeatures({ layers: ['cells'] }).map((f) => f.properties.cell),
          );
          return wanted.every((c) => seen.has(c)) ? Date.now() : 0;
        },
        shown,
        { timeout: 30_000, polling: 'raf' },
      );
      await apply(
        presenceRecords({
          eventId: randomUUID(),
          revision: 1,
          kind: 'STATIC_DEMONSTRATION',
          peopleExpected: 3_000,
          startAt: BUCKET,
          endAt: BUCKET + BUCKET_MS,
          cells,
        }),
      );
      const committedAt = Date.now();
      latencies.push(Number(await (await drawn).jsonValue()) - committedAt);
      cellsDrawn += shown.length;
    }
    await page.close();
    return {
      map_live_rounds: ROUNDS,
      map_live_cells_per_round: Math.round(cellsDrawn / ROUNDS),
      map_live_commit_to_drawn_p50_ms: quantile(latencies, 0.5),
      map_live_commit_to_drawn_p95_ms: quantile(latencies, 0.95),
      map_live_commit_to_drawn_max_ms: Math.max(...latencies),
    };
  } finally {
    await browser.close();
    await app.close();
    await pool.end();
    await issuer.close();
    await db.drop();
  }
}

interface MapProbe {
  readonly map: {
    queryRenderedFeatures(options: { layers: string[] }): Array<{ properties: { cell: string } }>;
  };
}

/**
 * A point of the view, different each round, none of whose resolution-9 cells (with their
 * neighbours at resolution 10) has a row in the bucket: the round's cells are new on the map.
 */
async function freePlace(pool: Pool, round: number): Promise<readonly [number, number]> {
  for (let attempt = 0; attempt < 500; attempt += 1) {
    const i = round * 37 + attempt;
    const place = [
      VIEW.lat - 0.02 + ((i * 0.0131) % 0.04),
      VIEW.lon - 0.035 + ((i * 0.0173) % 0.07),
    ] as const;
    const parents = [...new Set(areaCells(place, 1, 0, 1).map((c) => cellToParent(c.cell, 9)))];
    const { rows } = await pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM cell_tension
        WHERE resolution = 9 AND bucket_start = $1 AND cell = ANY($2::text[])`,
      [new Date(BUCKET), parents],
    );
    if (rows[0]?.n === 0) return place;
  }
  throw new Error('no free place left in the view');
}
