import { normalizeAddress } from './address.normalizer';
import type { GeocodeCache } from './geocode-cache.port';
import type { Geocoder, GeocodeResult, GeocodeSource } from './geocoder.port';

/**
 * `read-write`: a miss asks the inner geocoder and stores its answer (found or not).
 * `replay`: only the cache answers; a miss is `null` and the inner geocoder is never called,
 * so replays are deterministic and never reach the network.
 */
export type GeocodeCacheMode = 'read-write' | 'replay';

export interface CachingGeocoderStats {
  hits: number;
  misses: number;
  /** Calls that reached the inner geocoder. */
  calls: number;
}

/**
 * Decorates a geocoder with a cache keyed by the normalised query, so `2 r de Rome 13001` and
 * `2 rue de Rome, 13001 Marseille` are one entry. Concurrent identical queries share one call.
 * The inner geocoder's errors pass through and are never stored.
 */
export class CachingGeocoder implements Geocoder {
  readonly stats: CachingGeocoderStats = { hits: 0, misses: 0, calls: 0 };
  private readonly inFlight = new Map<string, Promise<GeocodeResult | null>>();

  constructor(
    private readonly inner: Geocoder,
    private readonly cache: GeocodeCache,
    /** Recorded with each stored answer. */
    private readonly innerSource: GeocodeSource,
    private readonly mode: GeocodeCacheMode = 'read-write',
  ) {}

  async geocode(query: string): Promise<GeocodeResult | null> {
    const key = normalizeAddress(query).key;
    if (key === '') return null;
    const pending = this.inFlight.get(key);
    if (pending) return pending;
    const lookup = this.lookUp(key, query).finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, lookup);
    return lookup;
  }

  private async lookUp(key: string, query: string): Promise<GeocodeResult | null> {
    const cached = await this.cache.get(key);
    if (cached !== undefined) {
      this.stats.hits++;
      return cached.result;
    }
    this.stats.misses++;
    if (this.mode === 'replay') return null;
    this.stats.calls++;
    const result = await this.inner.geocode(query);
    await this.cache.put(key, { result, source: result?.source ?? this.innerSource });
    return result;
  }
}
