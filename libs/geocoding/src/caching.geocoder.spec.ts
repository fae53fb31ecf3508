import { CachingGeocoder } from './caching.geocoder';
import type { CachedGeocode, GeocodeCache } from './geocode-cache.port';
import type { Geocoder, GeocodeResult } from './geocoder.port';
import { GeocodingError, GeocodingErrorCode } from './geocoding.error';

class MemoryCache implements GeocodeCache {
  readonly entries = new Map<string, CachedGeocode>();
  get(key: string) {
    return Promise.resolve(this.entries.get(key));
  }
  put(key: string, answer: CachedGeocode) {
    this.entries.set(key, answer);
    return Promise.resolve();
  }
}

const ROME_2: GeocodeResult = {
  position: { lon: 5.37804, lat: 43.29602 },
  score: 0.97,
  label: '2 Rue de Rome 13001 Marseille',
  kind: 'housenumber',
  source: 'ban',
};

function countingGeocoder(answer: (q: string) => GeocodeResult | null | Error) {
  const queries: string[] = [];
  const geocoder: Geocoder = {
    geocode: async (q) => {
      queries.push(q);
      await Promise.resolve();
      const a = answer(q);
      if (a instanceof Error) throw a;
      return a;
    },
  };
  return { geocoder, queries };
}

describe('CachingGeocoder', () => {
  it('asks once per normalised address and serves the rest from the cache', async () => {
    const inner = countingGeocoder(() => ROME_2);
    const cache = new MemoryCache();
    const geocoder = new CachingGeocoder(inner.geocoder, cache, 'ban');

    expect(await geocoder.geocode('2 r de rome 13001')).toEqual(ROME_2);
    expect(await geocoder.geocode('2, Rue de Rome, 13001 Marseille')).toEqual(ROME_2);

    expect(inner.queries).toEqual(['2 r de rome 13001']);
    expect([...cache.entries.keys()]).toEqual(['2 rue de rome 13001']);
    expect(geocoder.stats).toEqual({ hits: 1, misses: 1, calls: 1 });
  });

  it('stores "not found" too, so a replay gives the same null', async () => {
    const inner = countingGeocoder(() => null);
    const cache = new MemoryCache();
    const geocoder = new CachingGeocoder(inner.geocoder, cache, 'nominatim');

    expect(await geocoder.geocode('nowhere street')).toBeNull();
    expect(await geocoder.geocode('Nowhere Street')).toBeNull();

    expect(inner.queries).toHaveLength(1);
    expect(cache.entries.get('nowhere street')).toEqual({ result: null, source: 'nominatim' });
  });

  it('in replay mode answers from the cache only and never calls the inner geocoder', async () => {
    const inner = countingGeocoder(() => ROME_2);
    const cache = new MemoryCache();
    cache.entries.set('2 rue de rome 13001', { result: ROME_2, source: 'ban' });
    const geocoder = new CachingGeocoder(inner.geocoder, cache, 'ban', 'replay');

    expect(await geocoder.geocode('2 rue de Rome 13001')).toEqual(ROME_2);
    expect(await geocoder.geocode('12 quai du port')).toBeNull();

    expect(inner.queries).toEqual([]);
    expect(cache.entries.size).toBe(1);
    expect(geocoder.stats).toEqual({ hits: 1, misses: 1, calls: 0 });
  });

  it('shares one call between concurrent identical queries', async () => {
    const inner = countingGeocoder(() => ROME_2);
    const geocoder = new CachingGeocoder(inner.geocoder, new MemoryCache(), 'ban');

    const results = await Promise.all([
      geocoder.geocode('2 r de rome 13001'),
      geocoder.geocode('2 rue de rome 13001'),
      geocoder.geocode('2 RUE DE ROME, 13001'),
    ]);

    expect(results).toEqual([ROME_2, ROME_2, ROME_2]);
    expect(inner.queries).toHaveLength(1);
  });

  it('passes errors through and stores nothing', async () => {
    const error = new GeocodingError(GeocodingErrorCode.Timeout, 'no answer in 5000 ms');
    const inner = countingGeocoder(() => error);
    const cache = new MemoryCache();
    const geocoder = new CachingGeocoder(inner.geocoder, cache, 'ban');

    await expect(geocoder.geocode('12 quai du port')).rejects.toBe(error);
    expect(error.retriable).toBe(true);
    expect(cache.entries.size).toBe(0);
  });

  it('answers null to an address with nothing addressable, without asking anyone', async () => {
    const inner = countingGeocoder(() => ROME_2);
    const geocoder = new CachingGeocoder(inner.geocoder, new MemoryCache(), 'ban');

    expect(await geocoder.geocode('Marseille 13e')).toBeNull();
    expect(inner.queries).toEqual([]);
  });
});
