import { join } from 'node:path';
import { Pool } from 'pg';
import { loadConfig, type GeocodingConfig } from '@app/config';
import { CachingGeocoder, type Geocoder, type GeocodeResult } from '@app/geocoding';
import { createTestDatabase, type TestDatabase } from '@app/testing';
import { GazetteerGeocoder } from './gazetteer.geocoder';
import { importBanAddresses, importGazetteerPlaces } from './gazetteer.importer';
import { migrate } from '@app/database';
import { createGeocoder } from './geocoder.factory';
import { PostgisGeocodeCache } from './postgis-geocode.cache';

const config = loadConfig();
const DATA = join(__dirname, '..', 'data');

/** A geocoder that records its queries and answers from `answer`. */
function recording(answer: (query: string) => Promise<GeocodeResult | null>) {
  const queries: string[] = [];
  const geocoder: Geocoder = {
    geocode: (query) => {
      queries.push(query);
      return answer(query);
    },
  };
  return { geocoder, queries };
}

const never: Geocoder = {
  geocode: (query) => Promise.reject(new Error(`the inner geocoder was called with ${query}`)),
};

describe('the geocode cache in PostGIS', () => {
  let db: TestDatabase;
  let pool: Pool;

  beforeAll(async () => {
    db = await createTestDatabase(config);
    pool = new Pool({ connectionString: db.url, max: 4 });
    await migrate(db.url);
    await importBanAddresses(pool, join(DATA, 'adresses-13-extract.csv'));
    await importGazetteerPlaces(pool, join(DATA, 'places.csv'));
  });

  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  const rows = async () =>
    (
      await pool.query<{ query_norm: string; found: boolean; source: string; wkt: string | null }>(
        `SELECT query_norm, found, source, ST_AsText(geom) AS wkt FROM geocode_cache ORDER BY 1`,
      )
    ).rows;

  beforeEach(() => pool.query('DELETE FROM geocode_cache'));

  it('serves the second call, however written, from PostGIS', async () => {
    const gazetteer = new GazetteerGeocoder(pool);
    const inner = recording((q) => gazetteer.geocode(q));
    const geocoder = new CachingGeocoder(
      inner.geocoder,
      new PostgisGeocodeCache(pool),
      'gazetteer',
    );

    const first = await geocoder.geocode('2 r de rome 13001');
    const second = await geocoder.geocode('2, Rue de Rome, 13001 Marseille');

    expect(first?.label).toBe('2 Rue de Rome 13001 Marseille');
    expect(second).toEqual(first);
    expect(inner.queries).toEqual(['2 r de rome 13001']);
    expect(geocoder.stats).toEqual({ hits: 1, misses: 1, calls: 1 });
    expect(await rows()).toEqual([
      {
        query_norm: '2 rue de rome 13001',
        found: true,
        source: 'gazetteer',
        wkt: `POINT(${first!.position.lon} ${first!.position.lat})`,
      },
    ]);
  });

  it('stores "not found" as well, and a second process reads it', async () => {
    const inner = recording(() => Promise.resolve(null));
    await new CachingGeocoder(inner.geocoder, new PostgisGeocodeCache(pool), 'ban').geocode(
      'Rue Imaginaire, 13016',
    );
    const other = new CachingGeocoder(never, new PostgisGeocodeCache(pool), 'ban');

    expect(await other.geocode('rue imaginaire 13016')).toBeNull();
    expect(other.stats).toEqual({ hits: 1, misses: 0, calls: 0 });
    expect(await rows()).toEqual([
      { query_norm: 'rue imaginaire 13016', found: false, source: 'ban', wkt: null },
    ]);
  });

  it('in replay mode answers from the cache and never calls out, even on a miss', async () => {
    const stored: GeocodeResult = {
      position: { lon: 5.3698419, lat: 43.2965339 },
      score: 0.93,
      label: 'Quai du Port 13002 Marseille',
      kind: 'street',
      source: 'ban',
    };
    await new PostgisGeocodeCache(pool).put('quai du port 13002', {
      result: stored,
      source: 'ban',
    });
    const replay = new CachingGeocoder(never, new PostgisGeocodeCache(pool), 'ban', 'replay');

    expect(await replay.geocode('Quai du Port, 13002 Marseille')).toEqual(stored);
    expect(await replay.geocode('12 quai du port')).toBeNull();
    expect(replay.stats).toEqual({ hits: 1, misses: 1, calls: 0 });
    expect((await rows()).map((r) => r.query_norm)).toEqual(['quai du port 13002']);
  });

  it('is what createGeocoder builds; a replay with an HTTP provider never fetches', async () => {
    const geocoding: GeocodingConfig = { ...config.geocoding, provider: 'ban', cache: 'replay' };
    const fetched: string[] = [];
    const geocoder = createGeocoder(geocoding, {
      db: pool,
      fetch: (input) => {
        fetched.push(input instanceof Request ? input.url : input.toString());
        return Promise.reject(new Error('no network in a replay'));
      },
    });
    expect(geocoder).toBeInstanceOf(CachingGeocoder);
    expect(await geocoder.geocode('12 quai du port')).toBeNull();
    expect(fetched).toEqual([]);

    const offline = createGeocoder(
      { ...config.geocoding, provider: 'gazetteer', cache: 'replay' },
      {
        db: pool,
      },
    );
    // The gazetteer is local: in replay it still answers a miss, and the answer is stored.
    expect((await offline.geocode('58 cours belsunce'))?.label).toBe(
      '58 Cours Belsunce 13001 Marseille',
    );
    expect((await rows()).map((r) => r.query_norm)).toEqual(['58 cours belsunce']);
  });

  it('forgets the gazetteer’s answers when the gazetteer is re-imported, and keeps the others', async () => {
    const cache = new PostgisGeocodeCache(pool);
    const gazetteer = new CachingGeocoder(new GazetteerGeocoder(pool), cache, 'gazetteer');
    await gazetteer.geocode('vieux port');
    await cache.put('cours mirabeau 13100', { result: null, source: 'nominatim' });

    await importBanAddresses(pool, join(DATA, 'adresses-13-extract.csv'));

    expect((await rows()).map((r) => [r.query_norm, r.source])).toEqual([
      ['cours mirabeau 13100', 'nominatim'],
    ]);
  });
});
