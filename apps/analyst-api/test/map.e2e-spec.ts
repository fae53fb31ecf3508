import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Pool } from 'pg';
import type { Browser, Page } from 'playwright-core';
import { HabilitationStore } from '@app/access';
import { loadConfig } from '@app/config';
import { parseSubmission, type Submission } from '@app/contracts';
import { REPO_ROOT } from '@app/process-runner';
import {
  AppProcess,
  createGazetteerDatabase,
  createTopics,
  freePort,
  launchChromium,
  mapIdle,
  pipelineTopics,
  signInToMap,
  stageProcess,
  startDevOidcIssuer,
  SubmissionPublisher,
  testKafka,
  uniqueName,
  waitFor,
  type DevOidcIssuer,
  type TestDatabase,
} from '@app/testing';
import { marseilleDay, type DemoSubmission } from '../../../infra/demo/marseille-day';

const config = loadConfig();
const DAY = '2026-05-01';
const ANALYST = 'map-analyst-0001';
/** Where the browser test leaves its screenshot (ignored by git). */
const ARTEFACTS = join(REPO_ROOT, '.stack', 'test-artefacts');

/** The JSON shape the ingest API takes, as the Avro record the stages read. */
function submissionOf(json: DemoSubmission): Submission {
  const parsed = parseSubmission(json);
  if (!parsed.ok) throw new Error(`a demo submission does not parse: ${JSON.stringify(parsed)}`);
  return parsed.submission;
}

/** What the page reports of its cell layer and of the API, read inside the page. */
interface Seen {
  readonly cells: string[];
  readonly apiCount: number;
  readonly bucket: string;
}

/**
 * Clicks the first of `points` (lon/lat) where `layer` is drawn on top of the events and the
 * zones; false when it is under them everywhere.
 */
async function clickWhereOnTop(
  page: Page,
  points: ReadonlyArray<{ readonly x: number; readonly y: number }>,
  layer: string,
): Promise<boolean> {
  const at = await page.evaluate(
    ({ points, layer }) => {
      type Clickable = {
        project(p: [number, number]): { x: number; y: number };
        queryRenderedFeatures(
          p: [number, number],
          o: { layers: string[] },
        ): Array<{ layer: { id: string } }>;
      };
      const map = (globalThis as unknown as { cortegeMap: { map: Clickable } }).cortegeMap.map;
      const below = ['events-points', 'events-route', 'events-footprint', 'zones-fill'];
      for (const p of points) {
        const { x, y } = map.project([p.x, p.y]);
        const [top] = map.queryRenderedFeatures([x, y], { layers: [...below, layer] });
        if (top?.layer.id === layer) return { x, y };
      }
      return null;
    },
    { points: [...points], layer },
  );
  if (at === null) return false;
  const box = await page.locator('#map canvas').boundingBox();
  await page.mouse.click((box?.x ?? 0) + at.x, (box?.y ?? 0) + at.y);
  return true;
}

/**
 * The cells the map draws now (each once, whatever the tiles that hold it), and how many the
 * API matches for the same bucket, resolution and box: the page's own token and route.
 */
function seen(page: Page): Promise<Seen> {
  return page.evaluate(async () => {
    type Probe = {
      map: {
        queryRenderedFeatures(o: { layers: string[] }): Array<{ properties: { cell: string } }>;
        getBounds(): { toArray(): number[][] };
        getZoom(): number;
      };
      resolutionAt(z: number): number;
      bucketInstant(): string;
      api(path: string): Promise<{ numberMatched: number }>;
    };
    const probe = (globalThis as unknown as { cortegeMap: Probe }).cortegeMap;
    const cells = [
      ...new Set(
        probe.map.queryRenderedFeatures({ layers: ['cells'] }).map((f) => f.properties.cell),
      ),
    ].sort();
    const bbox = probe.map.getBounds().toArray().flat().join(',');
    const query = new URLSearchParams({
      resolution: String(probe.resolutionAt(probe.map.getZoom())),
      datetime: probe.bucketInstant(),
      bbox,
      limit: '1',
    });
    const answer = await probe.api(`/collections/tension-cells/items?${query.toString()}`);
    return { cells, apiCount: answer.numberMatched, bucket: probe.bucketInstant() };
  });
}

describe('the map in a real Chromium (stages and the analysts’ API as processes)', () => {
  const kafka = testKafka(config);
  const apps: AppProcess[] = [];
  const name = uniqueName('map');
  const topics = pipelineTopics(name);
  let database: TestDatabase;
  let pool: Pool;
  let issuer: DevOidcIssuer;
  let browser: Browser;
  let publisher: SubmissionPublisher;
  let mapUrl: string;
  let aggregatorPort: number;

  const publish = (submissions: readonly Submission[]) => publisher.publish(submissions);
  const alive = () => {
    for (const app of apps)
      if (app.exitCode !== null) throw new Error(`${app.app} exited:\n${app.output.slice(-3000)}`);
  };

  beforeAll(async () => {
    database = await createGazetteerDatabase(config);
    pool = new Pool({ connectionString: database.url, max: 2 });
    await createTopics(kafka, Object.values(topics));
    publisher = await SubmissionPublisher.create(kafka, config.registry.url, topics.input);

    const apiPort = await freePort();
    mapUrl = `http://127.0.0.1:${apiPort}/map`;
    issuer = await startDevOidcIssuer({
      clientId: 'cortege-map',
      redirectUris: [mapUrl],
      audience: 'analyst-api',
      user: { subject: ANALYST, roles: ['analyst'] },
    });
    for (const stage of ['sanitizer', 'locator', 'aggregator'] as const) {
      // The aggregator refreshes the hotspots of the days its batches touch, here soon after.
      const { app, port } = await stageProcess(stage, name, topics, database.url, {
        HOTSPOT_REFRESH_MS: '200',
      });
      apps.push(app);
      if (stage === 'aggregator') aggregatorPort = port;
    }
    apps.push(
      new AppProcess('analyst-api', {
        ...issuer.env,
        ANALYST_API_PORT: String(apiPort),
        ANALYST_API_AUDIENCE: 'analyst-api',
        DATABASE_URL: database.url,
      }),
    );
    for (const app of apps) app.start();
    await publish(marseilleDay(DAY).steps.flatMap((step) => step.submissions.map(submissionOf)));
    const day = marseilleDay(DAY);
    const expected = day.events.filter((e) => !e.cancelled).length;
    await waitFor(
      `the day's ${expected} events in the tables`,
      async () => {
        alive();
        const { rows } = await pool
          .query<{ n: number }>(`SELECT count(*)::int AS n FROM event`)
          .catch(() => ({ rows: [{ n: 0 }] }));
        return rows[0]?.n === expected ? true : undefined;
      },
      { timeoutMs: 180_000, intervalMs: 500 },
    );
    await new HabilitationStore(pool).grant({
      subject: ANALYST,
      role: 'analyst',
      reason: 'map browser test',
      grantedBy: 'cli:test',
    });
    await waitFor(
      'the analysts’ API',
      async () => {
        alive();
        const health = await fetch(`http://127.0.0.1:${apiPort}/health`).catch(() => undefined);
        return health?.ok ? true : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 200 },
    );
    browser = await launchChromium(config.chromiumPath);
  });

  afterAll(async () => {
    await browser?.close();
    await Promise.all(apps.map((a) => a.stop('SIGKILL')));
    await issuer?.close();
    await pool?.end();
    await database?.drop();
  });

  it('asks to sign in with a modal dialog: the page behind takes no focus until then', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    try {
      await page.goto(mapUrl);
      const signIn = page.getByRole('button', { name: 'Sign in', exact: true });
      await signIn.waitFor({ timeout: 60_000 });
      type Page = { document: { activeElement: { id: string; closest(s: string): unknown } } };
      await page.waitForFunction(
        () => (globalThis as unknown as Page).document.activeElement.id === 'sign-in-button',
      );
      const focusedBehind = async () =>
        page.evaluate(() =>
          Boolean((globalThis as unknown as Page).document.activeElement.closest('header, main')),
        );
      for (let i = 0; i < 6; i++) {
        await page.keyboard.press('Tab');
        expect(await focusedBehind()).toBe(false);
      }
    } finally {
      await page.close();
    }
  });

  it('signs in, draws the bucket the API counts, opens a zone, follows the slider and a live change', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    try {
      // The first march meets the official visit at 10:30: a zone of tension holds both.
      await signInToMap(page, `${mapUrl}?day=${DAY}&t=10:30#13/43.2985/5.3800`);
      expect(new URL(page.url()).searchParams.get('t')).toBe('10:30');

      const first = await seen(page);
      expect(first.cells.length).toBeGreaterThan(0);
      expect(first.cells.length).toBe(first.apiCount);

      // The zones' peak labels shown never overlap (lower peaks give way), and at least one is.
      const labels = await page.evaluate(() => {
        type Box = { left: number; right: number; top: number; bottom: number };
        type Label = { hidden: boolean; getBoundingClientRect(): Box };
        const doc = (
          globalThis as unknown as { document: { querySelectorAll(s: string): Label[] } }
        ).document;
        const boxes = [...doc.querySelectorAll('.zone-label')]
          .filter((l) => !l.hidden)
          .map((l) => l.getBoundingClientRect());
        let overlaps = 0;
        for (let i = 0; i < boxes.length; i += 1)
          for (let j = i + 1; j < boxes.length; j += 1) {
            const a = boxes[i] as Box;
            const b = boxes[j] as Box;
            if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom)
              overlaps += 1;
          }
        return { shown: boxes.length, overlaps };
      });
      expect(labels.shown).toBeGreaterThan(0);
      expect(labels.overlaps).toBe(0);

      // A zone's label, with the keyboard: its popup names the kinds of the zone.
      await page
        .getByRole('button', { name: /^Zone of tension, peak / })
        .first()
        .focus();
      await page.keyboard.press('Enter');
      const popup = page.locator('.maplibregl-popup-content');
      await expect(popup.textContent()).resolves.toMatch(/Kinds.*March.*Official visit/s);
      await page.keyboard.press('Escape');
      await expect(popup.count()).resolves.toBe(0);

      // The slider, with the keyboard: an hour later (four quarter hours) the cells differ.
      let idle = await page.evaluate(
        () => (globalThis as unknown as { cortegeMap: { idle: number } }).cortegeMap.idle,
      );
      await page.getByRole('slider', { name: 'Quarter hour' }).focus();
      for (let i = 0; i < 4; i++) await page.keyboard.press('ArrowRight');
      await page.waitForURL((url) => url.searchParams.get('t') === '11:30');
      idle = await mapIdle(page, idle);
      const later = await seen(page);
      expect(later.bucket).not.toBe(first.bucket);
      expect(later.cells).not.toEqual(first.cells);
      expect(later.cells.length).toBe(later.apiCount);

      // A new rally at the Préfecture during this bucket: its cells appear without a reload.
      await page.evaluate(() => ((globalThis as unknown as { noReload: boolean }).noReload = true));
      const template = marseilleDay(DAY)
        .steps.flatMap((s) => s.submissions)
        .find((s) => s.action === 'UPSERT' && 'cortege.StaticDemonstration' in s.payload);
      if (template?.action !== 'UPSERT') throw new Error('the day has no rally');
      const rally = template.payload['cortege.StaticDemonstration' as never] as object;
      const eventId = randomUUID();
      await publish([
        submissionOf({
          ...template,
          eventId,
          revision: 1,
          payload: {
            'cortege.StaticDemonstration': {
              ...rally,
              startAt: `${DAY}T11:00`,
              endAt: `${DAY}T12:30`,
            },
          } as never,
        }),
      ]);
      // The rally's cells in this bucket, as the API reads them once the stages are through.
      const rallyCells = await waitFor(
        'the rally’s cells through the API',
        async () => {
          alive();
          const cells = await page.evaluate(async (id) => {
            type Probe = {
              map: { getZoom(): number };
              resolutionAt(z: number): number;
              bucketInstant(): string;
              api(path: string): Promise<{ features: Array<{ properties: { cell: string } }> }>;
            };
            const probe = (globalThis as unknown as { cortegeMap: Probe }).cortegeMap;
            const query = new URLSearchParams({
              eventId: id,
              resolution: String(probe.resolutionAt(probe.map.getZoom())),
              datetime: probe.bucketInstant(),
              limit: '10000',
            });
            const page = await probe.api(`/collections/tension-cells/items?${query.toString()}`);
            return page.features.map((f) => f.properties.cell);
          }, eventId);
          return cells.length > 0 ? cells : undefined;
        },
        { timeoutMs: 120_000, intervalMs: 500 },
      );
      // Some of them were not drawn before the change: only the live update can bring them.
      expect(rallyCells.filter((c) => !later.cells.includes(c)).length).toBeGreaterThan(0);
      await page.waitForFunction(
        (cells) => {
          const probe = (
            globalThis as unknown as {
              cortegeMap: {
                map: {
                  queryRenderedFeatures(o: {
                    layers: string[];
                  }): Array<{ properties: { cell: string } }>;
                };
              };
            }
          ).cortegeMap;
          const drawn = new Set(
            probe.map.queryRenderedFeatures({ layers: ['cells'] }).map((f) => f.properties.cell),
          );
          return cells.every((c) => drawn.has(c));
        },
        rallyCells,
        { timeout: 30_000, polling: 100 },
      );
      await mapIdle(page, idle);
      const live = await seen(page);
      expect(live.cells.length).toBe(live.apiCount);
      expect(live.cells).toEqual(expect.arrayContaining(rallyCells));
      expect(
        await page.evaluate(() => (globalThis as unknown as { noReload?: boolean }).noReload),
      ).toBe(true);

      mkdirSync(ARTEFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTEFACTS, 'map.png') });

      // At phone width the map keeps most of the screen and the controls stay in view.
      await page.setViewportSize({ width: 390, height: 844 });
      const canvas = await page.locator('#map canvas').boundingBox();
      expect(canvas?.width).toBeGreaterThanOrEqual(380);
      expect(canvas?.height).toBeGreaterThan(250);
      const slider = await page.getByRole('slider', { name: 'Quarter hour' }).boundingBox();
      expect((slider?.x ?? -1) >= 0 && (slider?.x ?? 0) + (slider?.width ?? 0) <= 390).toBe(true);
      await page.screenshot({ path: join(ARTEFACTS, 'map-phone.png') });
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('turns on the day’s hotspots: as many red and blue cells as the table holds in view, a popup with z', async () => {
    // Every batch of the day (and the rally) has committed: the aggregator's refresher idle.
    await waitFor(
      'the aggregator’s hotspot refresher idle',
      async () => {
        alive();
        const metrics = await (await fetch(`http://127.0.0.1:${aggregatorPort}/metrics`)).text();
        return /^cortege_aggregator_hotspot_busy 0$/m.test(metrics) &&
          /^cortege_aggregator_hotspot_window_seconds_count\{kind="day"\} [1-9]/m.test(metrics)
          ? true
          : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 200 },
    );
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    type Probe = {
      map: {
        queryRenderedFeatures(o: {
          layers: string[];
        }): Array<{ properties: { cell: string; spot: string } }>;
        getBounds(): { toArray(): number[][] };
        project(p: [number, number]): { x: number; y: number };
      };
      hotspots?: { day: string; count: number };
      idle: number;
    };
    const rendered = () =>
      page.evaluate(() => {
        const probe = (globalThis as unknown as { cortegeMap: Probe }).cortegeMap;
        const features = probe.map.queryRenderedFeatures({ layers: ['hotspots-fill'] });
        const cells = new Map(features.map((f) => [f.properties.cell, f.properties.spot]));
        return { cells: [...cells.keys()].sort(), spots: [...new Set(cells.values())].sort() };
      });
    try {
      await signInToMap(page, `${mapUrl}?day=${DAY}&t=10:30#12/43.2965/5.3750`);
      // Off at first.
      expect((await rendered()).cells).toEqual([]);
      let idle = await page.evaluate(
        () => (globalThis as unknown as { cortegeMap: Probe }).cortegeMap.idle,
      );
      await page.getByRole('checkbox', { name: /Hotspots of the day/ }).check();
      await page.waitForFunction(
        (day) => (globalThis as unknown as { cortegeMap: Probe }).cortegeMap.hotspots?.day === day,
        DAY,
        { timeout: 30_000, polling: 100 },
      );
      idle = await mapIdle(page, idle);
      const loaded = await page.evaluate(
        () => (globalThis as unknown as { cortegeMap: Probe }).cortegeMap.hotspots?.count,
      );
      const { rows: total } = await pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM hotspot
          WHERE window_kind = 'day' AND window_start = $1 AND spot <> 'NONE'`,
        [DAY],
      );
      expect(total[0]?.n).toBeGreaterThan(0);
      expect(loaded).toBe(total[0]?.n);
      // What is drawn: the hot and cold cells of the day that meet the view, no other.
      const bounds = await page.evaluate(() =>
        (globalThis as unknown as { cortegeMap: Probe }).cortegeMap.map.getBounds().toArray(),
      );
      const [[west, south], [east, north]] = bounds as [[number, number], [number, number]];
      const { rows: inView } = await pool.query<{ cell: string }>(
        `SELECT cell FROM hotspot
          WHERE window_kind = 'day' AND window_start = $1 AND spot <> 'NONE'
            AND ST_Intersects(geom, ST_MakeEnvelope($2, $3, $4, $5, 4326))
          ORDER BY cell`,
        [DAY, west, south, east, north],
      );
      const drawn = await rendered();
      expect(drawn.cells.length).toBeGreaterThan(0);
      expect(drawn.cells).toEqual(inView.map((r) => r.cell).sort());
      expect(['COLD', 'HOT']).toEqual(expect.arrayContaining(drawn.spots));

      // A click on one (where no event is drawn over it) opens its popup with its z.
      const { rows: centres } = await pool.query<{ x: number; y: number }>(
        `SELECT ST_X(ST_PointOnSurface(geom)) AS x, ST_Y(ST_PointOnSurface(geom)) AS y
           FROM hotspot WHERE window_kind = 'day' AND window_start = $1 AND cell = ANY($2)
          ORDER BY cell`,
        [DAY, drawn.cells],
      );
      if (!(await clickWhereOnTop(page, centres, 'hotspots-fill')))
        throw new Error('every hotspot drawn is under an event or a zone');
      const popup = page.locator('.maplibregl-popup-content');
      await expect(popup.textContent()).resolves.toMatch(/(Hot|Cold) spot.*z-?\d/s);

      // Off again: nothing drawn.
      await page.keyboard.press('Escape');
      await page.getByRole('checkbox', { name: /Hotspots of the day/ }).uncheck();
      await mapIdle(page, idle);
      expect((await rendered()).cells).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('turns on the day’s conflict alerts: the active ones in view as the table holds them, a popup with the rule', async () => {
    // The aggregator has recomputed the alerts of every event it changed.
    const alerts = await waitFor(
      'the day’s alerts recomputed',
      async () => {
        alive();
        const { rows } = await pool.query<{ pending: number; active: number }>(
          `SELECT (SELECT count(*)::int FROM alert_pending) AS pending,
                  (SELECT count(*)::int FROM alert WHERE status = 'ACTIVE'
                      AND start_at < ($1::date + 1)::timestamp AT TIME ZONE 'Europe/Paris'
                      AND end_at > $1::date::timestamp AT TIME ZONE 'Europe/Paris') AS active`,
          [DAY],
        );
        return rows[0]?.pending === 0 && (rows[0]?.active ?? 0) > 0 ? rows[0].active : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 200 },
    );
    const { rows: first } = await pool.query<{ lon: number; lat: number }>(
      `SELECT ST_X(point) AS lon, ST_Y(point) AS lat FROM alert WHERE status = 'ACTIVE'
        ORDER BY start_at, event_a, event_b LIMIT 1`,
    );
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    type Probe = {
      map: {
        queryRenderedFeatures(o: {
          layers: string[];
        }): Array<{ properties: { eventA: string; eventB: string; severity: string } }>;
        getBounds(): { toArray(): number[][] };
      };
      alerts?: { day: string; count: number };
      idle: number;
    };
    const rendered = () =>
      page.evaluate(() => {
        const probe = (globalThis as unknown as { cortegeMap: Probe }).cortegeMap;
        const features = probe.map.queryRenderedFeatures({ layers: ['alerts-fill'] });
        const ids = features.map((f) => {
          const [a, b] = [f.properties.eventA, f.properties.eventB].map(
            (e) => (JSON.parse(e) as { eventId: string }).eventId,
          );
          return `${a}:${b}`;
        });
        return [...new Set(ids)].sort();
      });
    try {
      const at = first[0] as { lon: number; lat: number };
      await signInToMap(page, `${mapUrl}?day=${DAY}&t=10:30#15/${at.lat}/${at.lon}`);
      expect(await rendered()).toEqual([]);
      let idle = await page.evaluate(
        () => (globalThis as unknown as { cortegeMap: Probe }).cortegeMap.idle,
      );
      await page.getByRole('checkbox', { name: /Conflict alerts of the day/ }).check();
      await page.waitForFunction(
        (day) => (globalThis as unknown as { cortegeMap: Probe }).cortegeMap.alerts?.day === day,
        DAY,
        { timeout: 30_000, polling: 100 },
      );
      idle = await mapIdle(page, idle);
      expect(
        await page.evaluate(
          () => (globalThis as unknown as { cortegeMap: Probe }).cortegeMap.alerts?.count,
        ),
      ).toBe(alerts);
      // What is drawn: the day's active alerts whose cells meet the view, no other.
      const bounds = await page.evaluate(() =>
        (globalThis as unknown as { cortegeMap: Probe }).cortegeMap.map.getBounds().toArray(),
      );
      const [[west, south], [east, north]] = bounds as [[number, number], [number, number]];
      const { rows: inView } = await pool.query<{ id: string }>(
        `SELECT event_a || ':' || event_b AS id FROM alert
          WHERE status = 'ACTIVE'
            AND start_at < ($1::date + 1)::timestamp AT TIME ZONE 'Europe/Paris'
            AND end_at > $1::date::timestamp AT TIME ZONE 'Europe/Paris'
            AND ST_Intersects(geom, ST_MakeEnvelope($2, $3, $4, $5, 4326))
          ORDER BY 1`,
        [DAY, west, south, east, north],
      );
      const drawn = await rendered();
      expect(drawn.length).toBeGreaterThan(0);
      expect(drawn).toEqual(inView.map((r) => r.id).sort());

      // A click where an alert is on top opens its popup with its rule and severity.
      const { rows: points } = await pool.query<{ x: number; y: number }>(
        `SELECT ST_X(g.geom) AS x, ST_Y(g.geom) AS y
           FROM alert a, ST_Dump(ST_GeneratePoints(a.geom, 40, 1)) g
          WHERE a.status = 'ACTIVE' AND a.event_a || ':' || a.event_b = ANY($1)`,
        [drawn],
      );
      if (!(await clickWhereOnTop(page, points, 'alerts-fill')))
        throw new Error('every alert drawn is under an event or a zone');
      const popup = page.locator('.maplibregl-popup-content');
      await expect(popup.textContent()).resolves.toMatch(
        /Conflict alert \((HIGH|MEDIUM|LOW)\).*Rule[A-Z_]+(\/[A-Z_]+)?:[A-Z_]+/s,
      );

      // Off again: nothing drawn.
      await page.keyboard.press('Escape');
      await page.getByRole('checkbox', { name: /Conflict alerts of the day/ }).uncheck();
      await mapIdle(page, idle);
      expect(await rendered()).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });
});
