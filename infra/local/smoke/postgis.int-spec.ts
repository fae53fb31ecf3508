import { Client } from 'pg';
import { loadConfig } from '@app/config';

const config = loadConfig();

/** Great-circle distance in metres between two [lon, lat] points (haversine, mean Earth radius). */
function haversineMetres([lon1, lat1]: [number, number], [lon2, lat2]: [number, number]): number {
  const rad = Math.PI / 180;
  const h =
    Math.sin(((lat2 - lat1) * rad) / 2) ** 2 +
    Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(((lon2 - lon1) * rad) / 2) ** 2;
  return 2 * 6_371_008.8 * Math.asin(Math.sqrt(h));
}

describe('PostgreSQL + PostGIS', () => {
  const client = new Client({ connectionString: config.database.url });
  beforeAll(() => client.connect());
  afterAll(() => client.end());

  it('answers postgis_full_version() and has pg_trgm', async () => {
    const { rows } = await client.query<{ full: string; trgm: number }>(
      `SELECT postgis_full_version() AS full, similarity('boulevard longchamp', 'bd longchamp') AS trgm`,
    );
    expect(rows[0]?.full).toMatch(/^POSTGIS="3\.\d+/);
    expect(rows[0]?.full).toContain('GEOS=');
    expect(rows[0]?.full).toContain('PROJ=');
    expect(rows[0]?.trgm).toBeGreaterThan(0.4);
    expect(rows[0]?.trgm).toBeLessThan(1);
  });

  it('measures on the spheroid: ST_DWithin agrees with the distance between two Vieux-Port points', async () => {
    // [lon, lat], SRID 4326: near the Hôtel de Ville and near the Ombrière on the quai des Belges.
    const a: [number, number] = [5.3698, 43.2965];
    const b: [number, number] = [5.3741, 43.2951];
    const expected = haversineMetres(a, b);
    const { rows } = await client.query<{ metres: number; near: boolean; far: boolean }>(
      `WITH p AS (
         SELECT ST_SetSRID(ST_MakePoint($1, $2), 4326)::geography AS a,
                ST_SetSRID(ST_MakePoint($3, $4), 4326)::geography AS b)
       SELECT ST_Distance(a, b) AS metres, ST_DWithin(a, b, $5) AS near, ST_DWithin(a, b, $6) AS far FROM p`,
      [...a, ...b, expected * 1.01, expected * 0.99],
    );
    const row = rows[0];
    // The spheroid and the sphere differ by well under half a percent at this latitude.
    expect(Math.abs((row?.metres ?? 0) - expected) / expected).toBeLessThan(0.005);
    expect(row?.near).toBe(true);
    expect(row?.far).toBe(false);
  });
});
