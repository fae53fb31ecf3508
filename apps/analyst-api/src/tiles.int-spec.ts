import { VectorTile } from '@mapbox/vector-tile';
import Protobuf from 'pbf';
import { join } from 'node:path';
import { importBanAddresses, importGazetteerPlaces } from '@app/geocoding-adapters';
import { REPO_ROOT } from '@app/process-runner';
import { MARSEILLE, syntheticCityDay } from '@app/testing';
import { habilitate, startAnalystApi, type AnalystFixture } from '../test/analyst-fixture';

/** The XYZ tile (Web Mercator) holding `[lat, lon]` at zoom `z`. */
function tileOf(
  [lat, lon]: readonly [number, number],
  z: number,
): { z: number; x: number; y: number } {
  const n = 2 ** z;
  const rad = (lat * Math.PI) / 180;
  return {
    z,
    x: Math.floor(((lon + 180) / 360) * n),
    y: Math.floor(((1 - Math.log(Math.tan(rad) + 1 / Math.cos(rad)) / Math.PI) / 2) * n),
  };
}

const GAZETTEER_DATA = join(REPO_ROOT, 'libs', 'geocoding-adapters', 'data');

/** Central Marseille at zoom 12, and the Vieux-Port's tile at zoom 14. */
const CITY_TILE = tileOf(MARSEILLE.canebiere, 12);
const CENTRE_TILE = tileOf(MARSEILLE.vieuxPort, 14);

describe('vector tiles made by PostGIS', () => {
  let api: AnalystFixture;
  let token: string;

  beforeAll(async () => {
    api = await startAnalystApi(syntheticCityDay(150, 5, Date.UTC(2026, 4, 1), 5, 2));
    await habilitate(api, 'analyst-1', 'analyst');
    token = await api.token('analyst-1', ['analyst']);
  });

  afterAll(async () => {
    await api?.close();
  });

  const tile = async (path: string) => {
    const response = await api.get(path, token);
    const body = Buffer.from(await response.arrayBuffer());
    return { response, layers: body.length > 0 ? new VectorTile(new Protobuf(body)).layers : {} };
  };

  /** Rows of `table` whose geometry meets the tile with its 64/4096 buffer, as SQL counts them. */
  const sqlCount = async (
    from: string,
    where: string,
    t: { z: number; x: number; y: number },
    distinct = 'count(*)',
  ) =>
    Number(
      (
        await api.pool.query<{ n: string }>(
          `SELECT ${distinct} AS n FROM ${from}
            WHERE ST_Intersects(geom, ST_Transform(ST_TileEnvelope($1, $2, $3, margin => 64.0 / 4096), 4326)) AND ${where}`,
          [t.z, t.x, t.y],
        )
      ).rows[0]?.n,
    );

  it('holds as many cells, zones and events as SQL finds in the tile, per resolution and time', async () => {
    const { z, x, y } = CITY_TILE;
    const cells = await tile(`/tiles/tension-cells/${z}/${x}/${y}.mvt`);
    expect(cells.response.status).toBe(200);
    expect(cells.response.headers.get('content-type')).toBe('application/vnd.mapbox-vector-tile');
    const expectedCells = await sqlCount(
      'cell_tension',
      'resolution = 9',
      CITY_TILE,
      'count(DISTINCT cell)',
    );
    expect(expectedCells).toBeGreaterThan(20);
    expect(cells.layers['tension-cells']?.length).toBe(expectedCells);
    expect(cells.layers['tension-cells']?.feature(0).properties.resolution).toBe(9);

    const instant = '2026-05-01T12:00:00Z';
    const atNoon = await tile(`/tiles/tension-cells/${z}/${x}/${y}.mvt?datetime=${instant}`);
    const expectedAtNoon = await sqlCount(
      'cell_tension',
      `resolution = 9 AND bucket_start = '2026-05-01T12:00:00Z'`,
      CITY_TILE,
      'count(DISTINCT cell)',
    );
    expect(atNoon.layers['tension-cells']?.length ?? 0).toBe(expectedAtNoon);
    expect(expectedAtNoon).toBeLessThan(expectedCells);

    const fine = await tile(
      `/tiles/tension-cells/${CENTRE_TILE.z}/${CENTRE_TILE.x}/${CENTRE_TILE.y}.mvt`,
    );
    expect(fine.layers['tension-cells']?.length).toBe(
      await sqlCount('cell_tension', 'resolution = 10', CENTRE_TILE, 'count(DISTINCT cell)'),
    );

    const zones = await tile(`/tiles/tension-zones/${z}/${x}/${y}.mvt`);
    expect(zones.layers['tension-zones']?.length ?? 0).toBe(
      await sqlCount('tension_zone', 'resolution = 9', CITY_TILE),
    );
    // At a bucket's start, only the zones of that bucket, [bucket_start, bucket_end): chosen
    // where the bucket before had zones in the tile too, the boundary that was served twice.
    const inTile = `ST_Intersects(geom, ST_Transform(ST_TileEnvelope(${z}, ${x}, ${y}, margin => 64.0 / 4096), 4326))`;
    const { rows: boundary } = await api.pool.query<{ at: Date }>(
      `SELECT min(z.bucket_start) AS at FROM tension_zone z
        WHERE z.resolution = 9 AND ${inTile}
          AND EXISTS (SELECT 1 FROM tension_zone p WHERE p.resolution = 9
                         AND p.bucket_end = z.bucket_start AND ST_Intersects(p.geom, z.geom))`,
    );
    const at = boundary[0]?.at?.toISOString().replace('.000Z', 'Z');
    expect(at).toBeDefined();
    const zonesAt = await tile(`/tiles/tension-zones/${z}/${x}/${y}.mvt?datetime=${at}`);
    const atZones = zonesAt.layers['tension-zones'];
    expect(atZones?.length ?? 0).toBe(
      await sqlCount('tension_zone', `resolution = 9 AND bucket_start = '${at}'`, CITY_TILE),
    );
    const spans = Array.from({ length: atZones?.length ?? 0 }, (_, i) => {
      const { start, end } = atZones!.feature(i).properties;
      return `${String(start)}/${String(end)}`;
    });
    const end = new Date(Date.parse(at ?? '') + 15 * 60_000).toISOString().replace('.000Z', 'Z');
    expect(new Set(spans)).toEqual(new Set([`${at}/${end}`]));
    const events = await tile(`/tiles/events/${z}/${x}/${y}.mvt`);
    expect(events.layers.events?.length).toBe(
      await sqlCount(
        '(SELECT coalesce(route_geom, footprint_geom, points_geom) AS geom FROM event) e',
        'true',
        CITY_TILE,
      ),
    );
  });

  it('answers 204 for an empty tile, an ETag with 304, and a short private cache', async () => {
    const empty = await api.get('/tiles/tension-cells/12/0/0.mvt', token);
    expect(empty.status).toBe(204);
    const { z, x, y } = CITY_TILE;
    const first = await api.get(`/tiles/tension-cells/${z}/${x}/${y}.mvt`, token);
    await first.arrayBuffer();
    const etag = first.headers.get('etag') as string;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    expect(first.headers.get('cache-control')).toBe('private, max-age=30');
    const again = await api.get(`/tiles/tension-cells/${z}/${x}/${y}.mvt`, token, {
      headers: { 'if-none-match': etag },
    });
    expect(again.status).toBe(304);
    const otherTime = await api.get(
      `/tiles/tension-cells/${z}/${x}/${y}.mvt?datetime=2026-05-01T12:00:00Z`,
      token,
      {
        headers: { 'if-none-match': etag },
      },
    );
    expect(otherTime.status).toBe(200);
  });

  it.each([
    ['/tiles/tension-cells/25/0/0.mvt', 'z'],
    ['/tiles/tension-cells/12/4096/0.mvt', 'x'],
    ['/tiles/tension-cells/12/0/-1.mvt', 'y'],
    ['/tiles/tension-cells/1.5/0/0.mvt', 'z'],
    ['/tiles/tension-cells/12/0/0.mvt?datetime=noon', 'datetime'],
    ['/tiles/tension-cells/12/0/0.mvt?resolution=7', 'resolution'],
    ['/tiles/tension-cells/12/0/0.mvt?bbox=1,2,3,4', 'bbox'],
    ['/tiles/tension-cells/12/0/0.mvt?v=next', 'v'],
  ])('refuses %s with 400 naming %s', async (path, parameter) => {
    const response = await api.get(path, token);
    expect([response.status, ((await response.json()) as { parameter: string }).parameter]).toEqual(
      [400, parameter],
    );
  });

  it('draws the base layer from the gazetteer: arrondissements, streets and places, empty without it', async () => {
    const { z, x, y } = CITY_TILE;
    const before = await api.get(`/tiles/base/${z}/${x}/${y}.mvt`, token);
    expect(before.status).toBe(204);
    await importBanAddresses(api.pool, join(GAZETTEER_DATA, 'adresses-13-extract.csv'));
    await importGazetteerPlaces(api.pool, join(GAZETTEER_DATA, 'places.csv'));
    const base = await tile(`/tiles/base/${z}/${x}/${y}.mvt?v=3`);
    expect(base.response.status).toBe(200);
    const names = (layer: string) =>
      Array.from({ length: base.layers[layer]?.length ?? 0 }, (_, i) =>
        String(base.layers[layer]?.feature(i).properties.name),
      );
    expect(names('places')).toContain('Vieux-Port');
    expect(names('streets')).toContain('La Canebière');
    const arrondissements = base.layers.arrondissements;
    expect(arrondissements?.length).toBeGreaterThan(0);
    expect(arrondissements?.feature(0).properties.arrondissement).toEqual(expect.any(Number));
  });

  it('answers an unknown layer with 404', async () => {
    const response = await api.get('/tiles/people/12/0/0.mvt', token);
    expect([response.status, ((await response.json()) as { code: string }).code]).toEqual([
      404,
      'NotFound',
    ]);
  });
});
