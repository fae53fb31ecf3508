import type { GeocodingConfig } from '@app/config';
import { CachingGeocoder, type Geocoder } from '@app/geocoding';
import { BanGeocoder } from './ban.geocoder.adapter';
import { GazetteerGeocoder, type Queryable } from './gazetteer.geocoder';
import { NominatimGeocoder } from './nominatim.geocoder.adapter';
import { PostgisGeocodeCache } from './postgis-geocode.cache';

export interface GeocoderDependencies {
  /** The PostGIS database of the gazetteer and the cache. */
  readonly db: Queryable;
  /** For tests: the HTTP client and the sleep of the HTTP adapters. */
  readonly fetch?: typeof fetch;
  readonly sleep?: (ms: number) => Promise<unknown>;
}

/**
 * The process's geocoder as configured: the gazetteer (default), the BAN API or Nominatim,
 * behind the PostGIS cache unless `cache` is `off`. In `replay` mode an HTTP provider is never
 * called (a miss is `null`); the gazetteer, being local, still answers misses.
 */
export function createGeocoder(config: GeocodingConfig, deps: GeocoderDependencies): Geocoder {
  const http = {
    timeoutMs: config.httpTimeoutMs,
    retries: config.httpRetries,
    userAgent: config.userAgent,
    fetch: deps.fetch,
    sleep: deps.sleep,
  };
  let inner: Geocoder;
  switch (config.provider) {
    case 'gazetteer':
      inner = new GazetteerGeocoder(deps.db, { minSimilarity: config.minSimilarity });
      break;
    case 'ban':
      inner = new BanGeocoder({
        ...http,
        baseUrl: config.ban.url,
        citycode: config.ban.citycode,
        ratePerSecond: config.ban.ratePerSecond,
      });
      break;
    case 'nominatim':
      inner = new NominatimGeocoder({
        ...http,
        baseUrl: config.nominatim.url,
        ratePerSecond: config.nominatim.ratePerSecond,
      });
      break;
    default: {
      const _exhaustive: never = config.provider;
      throw new Error(`unknown geocoding provider ${String(_exhaustive)}`);
    }
  }
  if (config.cache === 'off') return inner;
  const mode =
    config.cache === 'replay' && config.provider !== 'gazetteer' ? 'replay' : 'read-write';
  return new CachingGeocoder(inner, new PostgisGeocodeCache(deps.db), config.provider, mode);
}
