import { HotspotStore } from '@app/aggregation';
import { marchCells, MARSEILLE, presenceRecords, syntheticCityDay } from '@app/testing';
import { habilitate, startAnalystApi, type AnalystFixture } from '../test/analyst-fixture';

interface FeatureCollection {
  type: string;
  numberMatched: number;
  numberReturned: number;
  links: Array<{ rel: string; href: string }>;
  features: Array<{
    id: string;
    geometry: { type: string } | null;
    properties: Record<string, unknown>;
  }>;
}

/** Marseille, roughly: the city's box (CRS84). */
const CITY = '5.2,43.15,5.6,43.45';

/** A march whose subject and description the sanitizer scrubbed, as the locator sends it. */
const MARCH_ID = '7a1e2b3c-4d5e-4f60-8a7b-8c9d0e1f2a3b';
const march = presenceRecords({
  eventId: MARCH_ID,
  revision: 2,
  kind: 'MOVING_DEMONSTRATION',
  subject: 'Marche pour les salaires, appel de [NOM]',
  description: 'Départ Vieux-Port, contact [TÉLÉPHONE]',
  peopleExpected: 1_200,
  peopleDeclared: 3_000,
  carsExpected: null,
  carsDeclared: 4,
  startAt: Date.UTC(2026, 4, 1, 8),
  endAt: Date.UTC(2026, 4, 1, 11),
  cells: marchCells(
    MARSEILLE.vieuxPort,
    MARSEILLE.reformes,
    Date.UTC(2026, 4, 1, 8),
    Date.UTC(2026, 4, 1, 11),
  ),
});
const DAY = '2026-05-01T00:00:00+02:00/2026-05-01T23:59:59+02:00';

describe('OGC API – Features over the aggregates', () => {
  let api: AnalystFixture;
  let token: string;

  beforeAll(async () => {
    api = await startAnalystApi(
      [...syntheticCityDay(120, 7, Date.UTC(2026, 4, 1), 5, 2), ...march],
      {
        ANALYST_API_MAX_LIMIT: '200',
        ANALYST_API_DEFAULT_LIMIT: '50',
      },
    );
    await habilitate(api, 'analyst-1', 'analyst');
    token = await api.token('analyst-1', ['analyst']);
  });

  afterAll(async () => {
    await api?.close();
  });

  const items = async (path: string): Promise<FeatureCollection> => {
    const response = await api.get(path, token);
    expect([path, response.status]).toEqual([path, 200]);
    expect(response.headers.get('content-type')).toBe('application/geo+json; charset=utf-8');
    return (await response.json()) as FeatureCollection;
  };

  /** Follows `next` links from `path` and returns every feature id, in order. */
  const allIds = async (
    path: string,
  ): Promise<{ ids: string[]; matched: number; pages: number }> => {
    const ids: string[] = [];
    let next: string | undefined = path;
    let matched = -1;
    let pages = 0;
    while (next !== undefined) {
      const page = await items(next);
      matched = page.numberMatched;
      expect(page.numberReturned).toBe(page.features.length);
      ids.push(...page.features.map((f) => f.id));
      pages += 1;
      const link = page.links.find((l) => l.rel === 'next')?.href;
      next = link === undefined ? undefined : link.slice(api.url.length);
    }
    return { ids, matched, pages };
  };

  it('serves the hotspots of each day and week as the table holds them, filtered by window, spot and datetime, to a habilitated caller only', async () => {
    const outcomes = await new HotspotStore(api.pool, 15).recomputeAll();
    expect(outcomes.length).toBeGreaterThan(1);
    const { rows } = await api.pool.query<{ id: string; z: number; spot: string }>(
      `SELECT cell || '@day@' || to_char(window_start, 'YYYY-MM-DD') AS id, z, spot
         FROM hotspot WHERE window_kind = 'day' AND window_start = '2026-05-01' ORDER BY cell`,
    );
    expect(rows.filter((r) => r.spot === 'HOT').length).toBeGreaterThan(0);
    const day = await allIds(
      `/collections/hotspots/items?window=day&datetime=${encodeURIComponent(DAY)}&limit=200`,
    );
    expect(day.ids).toEqual(rows.map((r) => r.id));
    const hot = await items(
      `/collections/hotspots/items?window=day&spot=HOT&datetime=${encodeURIComponent(DAY)}&limit=200`,
    );
    expect(hot.features.map((f) => f.id)).toEqual(
      rows.filter((r) => r.spot === 'HOT').map((r) => r.id),
    );
    const first = hot.features[0];
    expect(first?.geometry?.type).toBe('Polygon');
    expect(first?.properties).toMatchObject({
      window: 'day',
      start: '2026-05-01',
      end: '2026-05-02',
      spot: 'HOT',
      resolution: 9,
      alpha: 0.05,
    });
    expect(first?.properties.q as number).toBeLessThanOrEqual(0.05);
    const one = await api.get(
      `/collections/hotspots/items/${encodeURIComponent(first?.id ?? '')}`,
      token,
    );
    expect(((await one.json()) as { properties: { z: number } }).properties.z).toBe(
      rows.find((r) => r.id === first?.id)?.z,
    );
    const weeks = await items('/collections/hotspots/items?window=week&limit=1');
    expect(weeks.features[0]?.properties).toMatchObject({ window: 'week', start: '2026-04-27' });
    expect((await api.get('/collections/hotspots/items?window=month', token)).status).toBe(400);
    expect((await api.get('/collections/hotspots/items?spot=WARM', token)).status).toBe(400);
    expect((await api.get('/collections/hotspots/items')).status).toBe(401);
  });

  it('serves the conflict alerts the aggregator kept, filtered by severity, status, time and box', async () => {
    const { rows } = await api.pool.query<{
      id: string;
      severity: string;
      rule: string;
      revision_a: number;
      arrondissement: number | null;
    }>(
      `SELECT event_a || ':' || event_b AS id, severity, rule, revision_a, arrondissement
         FROM alert
        WHERE status = 'ACTIVE' AND severity = 'HIGH'
          AND ST_Intersects(geom, ST_MakeEnvelope(5.2, 43.15, 5.6, 43.45, 4326))
          AND end_at > '2026-04-30T22:00:00Z' AND start_at <= '2026-05-01T21:59:59Z'
        ORDER BY start_at, event_a, event_b`,
    );
    expect(rows.length).toBeGreaterThan(0);
    const paged = await allIds(
      `/collections/alerts/items?status=ACTIVE&severity=HIGH&bbox=${CITY}&datetime=${encodeURIComponent(DAY)}&limit=7`,
    );
    expect(paged.ids).toEqual(rows.map((r) => r.id));
    const one = (await (
      await api.get(`/collections/alerts/items/${encodeURIComponent(rows[0]?.id ?? '')}`, token)
    ).json()) as { geometry: { type: string }; properties: Record<string, unknown> };
    expect(one.geometry.type).toBe('MultiPolygon');
    expect(one.properties).toMatchObject({
      status: 'ACTIVE',
      severity: 'HIGH',
      rule: rows[0]?.rule,
      version: 1,
      eventA: { eventId: rows[0]?.id.split(':')[0], revision: rows[0]?.revision_a },
      arrondissement: rows[0]?.arrondissement,
    });
    const retracted = await items('/collections/alerts/items?status=RETRACTED');
    const counted = await api.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM alert WHERE status = 'RETRACTED'`,
    );
    expect(retracted.numberMatched).toBe(counted.rows[0]?.n);
    expect((await api.get('/collections/alerts/items?severity=URGENT', token)).status).toBe(400);
    expect((await api.get('/collections/alerts/items?status=OPEN', token)).status).toBe(400);
  });

  it('serves the landing page, conformance and the four collections with their extents', async () => {
    const landing = (await (await api.get('/', token)).json()) as { links: Array<{ rel: string }> };
    expect(landing.links.map((l) => l.rel)).toEqual(
      expect.arrayContaining(['self', 'service-desc', 'conformance', 'data']),
    );
    const conformance = (await (await api.get('/conformance', token)).json()) as {
      conformsTo: string[];
    };
    expect(conformance.conformsTo).toContain(
      'http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson',
    );
    const collections = (await (await api.get('/collections', token)).json()) as {
      collections: Array<{
        id: string;
        extent: { spatial: { bbox: number[][] }; temporal: { interval: string[][] } };
      }>;
    };
    expect(collections.collections.map((c) => c.id)).toEqual([
      'events',
      'presence',
      'tension-cells',
      'tension-days',
      'tension-zones',
      'hotspots',
      'alerts',
    ]);
    const events = collections.collections[0];
    const [minLon, minLat, maxLon, maxLat] = events?.extent.spatial.bbox[0] ?? [];
    expect([minLon! > 5.2, minLat! > 43.2, maxLon! < 5.5, maxLat! < 43.4]).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(events?.extent.temporal.interval[0]?.[0]).toMatch(/^2026-05-0[12]T/);
    // Every bucket lies inside the cells' interval.
    const cells = collections.collections.find((c) => c.id === 'tension-cells');
    const [from, to] = (cells?.extent.temporal.interval[0] ?? []) as [string, string];
    const { rows } = await api.pool.query<{ first: Date; last: Date }>(
      `SELECT min(bucket_start) AS first, max(bucket_start) + interval '15 minutes' AS last FROM cell_tension`,
    );
    expect(Date.parse(from)).toBeLessThanOrEqual(rows[0]?.first.getTime() ?? 0);
    expect(Date.parse(to)).toBeGreaterThanOrEqual(rows[0]?.last.getTime() ?? Infinity);
  });

  it('pages "whole city, one day, resolution 9" through next links to exactly the rows SQL finds', async () => {
    const { rows } = await api.pool.query<{ id: string }>(
      `SELECT cell || '@' || to_char(bucket_start AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS id
         FROM cell_tension
        WHERE resolution = 9 AND ST_Intersects(geom, ST_MakeEnvelope(5.2, 43.15, 5.6, 43.45, 4326))
          AND bucket_start > '2026-04-30T22:00:00Z'::timestamptz - interval '15 minutes'
          AND bucket_start <= '2026-05-01T21:59:59Z'
        ORDER BY bucket_start, resolution, cell`,
    );
    expect(rows.length).toBeGreaterThan(400);
    const paged = await allIds(
      `/collections/tension-cells/items?resolution=9&bbox=${CITY}&datetime=${encodeURIComponent(DAY)}&limit=150`,
    );
    expect(paged.matched).toBe(rows.length);
    expect(paged.ids).toEqual(rows.map((r) => r.id));
    expect(paged.pages).toBe(Math.ceil(rows.length / 150));
  });

  it('clamps limit to the maximum and defaults it', async () => {
    expect((await items('/collections/presence/items?limit=100000')).numberReturned).toBe(200);
    expect((await items('/collections/presence/items')).numberReturned).toBe(50);
  });

  it('filters events by time, box and kind as SQL does, and links each to its own page', async () => {
    // An instant when several demonstrations are under way: a quarter past the first one's start.
    const { rows: earliest } = await api.pool.query<{ at: Date }>(
      `SELECT min(start_at) + interval '15 minutes' AS at FROM event
        WHERE kind IN ('MOVING_DEMONSTRATION', 'STATIC_DEMONSTRATION')`,
    );
    const instant = (earliest[0]?.at as Date).toISOString();
    const { rows } = await api.pool.query<{ id: string }>(
      `SELECT event_id::text AS id FROM event
        WHERE start_at <= $1 AND end_at > $1 AND kind IN ('MOVING_DEMONSTRATION', 'STATIC_DEMONSTRATION')
        ORDER BY start_at, event_id`,
      [instant],
    );
    expect(rows.length).toBeGreaterThan(0);
    const page = await items(
      `/collections/events/items?datetime=${instant}&kind=MOVING_DEMONSTRATION,STATIC_DEMONSTRATION&limit=200`,
    );
    expect(page.features.map((f) => f.id)).toEqual(rows.map((r) => r.id));
    expect(page.numberMatched).toBe(rows.length);

    const first = page.features[0];
    const one = await api.get(`/collections/events/items/${first?.id}`, token);
    expect(one.headers.get('content-type')).toBe('application/geo+json; charset=utf-8');
    expect(await one.json()).toMatchObject({
      type: 'Feature',
      id: first?.id,
      properties: first?.properties,
    });
  });

  it('shows what an event is: its scrubbed text and its counts expected and declared', async () => {
    const response = await api.get(`/collections/events/items/${MARCH_ID}`, token);
    const feature = (await response.json()) as {
      geometry: { type: string };
      properties: Record<string, unknown>;
    };
    expect(feature.properties).toMatchObject({
      kind: 'MOVING_DEMONSTRATION',
      revision: 2,
      subject: 'Marche pour les salaires, appel de [NOM]',
      description: 'Départ Vieux-Port, contact [TÉLÉPHONE]',
      startAt: '2026-05-01T08:00:00.000Z',
      endAt: '2026-05-01T11:00:00.000Z',
      peopleExpected: 1200,
      peopleDeclared: 3000,
      carsExpected: null,
      carsDeclared: 4,
    });
    expect(['Point', 'MultiPoint', 'LineString']).toContain(feature.geometry.type);
  });

  it('draws presence as hexagons, filtered by event and by box', async () => {
    const { rows } = await api.pool.query<{ event_id: string; n: string }>(
      `SELECT event_id::text, count(*) AS n FROM event_presence GROUP BY event_id ORDER BY count(*) DESC LIMIT 1`,
    );
    const busiest = rows[0] as { event_id: string; n: string };
    const page = await items(`/collections/presence/items?eventId=${busiest.event_id}&limit=200`);
    expect(page.numberMatched).toBe(Number(busiest.n));
    expect(
      page.features.every(
        (f) => f.geometry?.type === 'Polygon' && f.properties.eventId === busiest.event_id,
      ),
    ).toBe(true);
    const id = page.features[0]?.id as string;
    expect(
      (await api.get(`/collections/presence/items/${encodeURIComponent(id)}`, token)).status,
    ).toBe(200);

    // Vieux-Port, a few hundred metres: fewer rows than the whole city, none outside the box.
    const box = [5.36, 43.29, 5.38, 43.3];
    const inBox = await allIds(`/collections/presence/items?bbox=${box.join(',')}&limit=200`);
    const all = (await items('/collections/presence/items?limit=1')).numberMatched;
    expect(inBox.matched).toBeGreaterThan(0);
    expect(inBox.matched).toBeLessThan(all);
    expect(inBox.ids.length).toBe(inBox.matched);
  });

  it('serves at an instant the zones whose span holds it, not those of the bucket that ends there', async () => {
    // A bucket with zones right after a bucket with zones: the boundary the query must respect.
    const { rows } = await api.pool.query<{ at: Date; n: string }>(
      `SELECT z.bucket_start AS at, count(*) AS n FROM tension_zone z
        WHERE z.resolution = 9 AND EXISTS (SELECT 1 FROM tension_zone p
                WHERE p.resolution = 9 AND p.bucket_end = z.bucket_start)
        GROUP BY z.bucket_start ORDER BY z.bucket_start LIMIT 1`,
    );
    expect(rows).toHaveLength(1);
    const at = rows[0]?.at.toISOString() ?? '';
    const zones = await items(
      `/collections/tension-zones/items?resolution=9&datetime=${encodeURIComponent(at)}&limit=1000`,
    );
    expect(zones.numberMatched).toBe(Number(rows[0]?.n));
    for (const zone of zones.features) {
      const { start, end } = zone.properties as { start: string; end: string };
      expect([start, end]).toEqual([at, new Date(Date.parse(at) + 15 * 60_000).toISOString()]);
    }
  });

  it('serves zones with their span, and single cells and zones by id', async () => {
    const zones = await items('/collections/tension-zones/items?limit=5');
    expect(zones.numberMatched).toBe(
      Number(
        (await api.pool.query<{ n: string }>('SELECT count(*) AS n FROM tension_zone')).rows[0]?.n,
      ),
    );
    const zone = zones.features[0];
    expect(zone?.geometry?.type).toBe('MultiPolygon');
    expect(
      (
        await api.get(
          `/collections/tension-zones/items/${encodeURIComponent(zone?.id ?? '')}`,
          token,
        )
      ).status,
    ).toBe(200);
    const cell = (await items('/collections/tension-cells/items?limit=1')).features[0];
    expect(
      (
        await api.get(
          `/collections/tension-cells/items/${encodeURIComponent(cell?.id ?? '')}`,
          token,
        )
      ).status,
    ).toBe(200);
  });

  it.each([
    ['/collections/events/items?bbox=5.2,43.2,5.6', 'bbox'],
    ['/collections/events/items?bbox=5.6,43.2,5.2,43.4', 'bbox'],
    ['/collections/events/items?bbox-crs=EPSG:2154', 'bbox-crs'],
    ['/collections/events/items?datetime=2026-05-01', 'datetime'],
    ['/collections/events/items?datetime=2026-05-02T00:00:00Z/2026-05-01T00:00:00Z', 'datetime'],
    ['/collections/events/items?limit=0', 'limit'],
    ['/collections/events/items?limit=ten', 'limit'],
    ['/collections/events/items?limit=1&limit=2', 'limit'],
    ['/collections/events/items?offset=-1', 'offset'],
    ['/collections/events/items?kind=RIOT', 'kind'],
    ['/collections/events/items?colour=red', 'colour'],
    ['/collections/events/items?resolution=9', 'resolution'],
    ['/collections/tension-cells/items?resolution=7', 'resolution'],
    ['/collections/tension-cells/items?minScore=high', 'minScore'],
    ['/collections/presence/items?cell=zz', 'cell'],
    ['/collections/events/items?f=xml', 'f'],
    [
      `/collections/events/items?kind=${encodeURIComponent("MOVING_DEMONSTRATION';DROP TABLE event;--")}`,
      'kind',
    ],
    [`/collections/presence/items?eventId=${encodeURIComponent("1' OR '1'='1")}`, 'eventId'],
    [
      `/collections/events/items?bbox=${encodeURIComponent('5,43,6,44);DELETE FROM event;--')}`,
      'bbox',
    ],
  ])('refuses %s with 400 naming %s', async (path, parameter) => {
    const response = await api.get(path, token);
    const body = (await response.json()) as {
      code: string;
      description: string;
      parameter: string;
    };
    expect([response.status, body.parameter]).toEqual([400, parameter]);
    expect(body.code).toMatch(/^(InvalidParameterValue|UnknownParameter)$/);
    expect(body.description.length).toBeGreaterThan(5);
  });

  it('answers an unknown collection or feature with 404, injection attempts included, and the tables stay', async () => {
    const events = Number(
      (await api.pool.query<{ n: string }>('SELECT count(*) AS n FROM event')).rows[0]?.n,
    );
    for (const path of [
      '/collections/people/items',
      '/collections/events/items/not-a-uuid',
      `/collections/events/items/${encodeURIComponent("' OR 1=1 --")}`,
      `/collections/tension-zones/items/${encodeURIComponent("x' OR '1'='1")}`,
      `/collections/tension-zones/items/${encodeURIComponent("x'; DROP TABLE tension_zone; --")}`,
      '/collections/events/items/00000000-0000-4000-8000-00000000ffff',
    ]) {
      const response = await api.get(path, token);
      expect([path, response.status, ((await response.json()) as { code: string }).code]).toEqual([
        path,
        404,
        'NotFound',
      ]);
    }
    expect(
      Number((await api.pool.query<{ n: string }>('SELECT count(*) AS n FROM event')).rows[0]?.n),
    ).toBe(events);
    expect(
      (await api.pool.query(`SELECT to_regclass('tension_zone') IS NOT NULL AS present`)).rows[0],
    ).toEqual({ present: true });
  });
});
