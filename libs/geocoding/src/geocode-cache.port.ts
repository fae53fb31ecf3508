import type { GeocodeResult, GeocodeSource } from './geocoder.port';

/** A stored answer: a result, or `null` when the geocoder found nothing. */
export interface CachedGeocode {
  readonly result: GeocodeResult | null;
  /** Who gave the answer. */
  readonly source: GeocodeSource;
}

/**
 * Stored geocodes keyed by the normalised query (`normalizeAddress(q).key`). Implemented in
 * PostGIS by `PostgisGeocodeCache` (`@app/geocoding-adapters`).
 */
export interface GeocodeCache {
  /** The stored answer for `key`, or `undefined` when the key was never stored. */
  get(key: string): Promise<CachedGeocode | undefined>;
  /** Stores (or replaces) the answer for `key`. */
  put(key: string, answer: CachedGeocode): Promise<void>;
}

/** DI token of the process's `GeocodeCache`. */
export const GEOCODE_CACHE = Symbol('GEOCODE_CACHE');
