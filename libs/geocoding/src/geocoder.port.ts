import type { Position } from '@app/contracts';

/** How precise a geocode is: a numbered address, a whole street, or a named place. */
export type GeocodeKind = 'housenumber' | 'street' | 'place';

/** Who answered: the PostGIS gazetteer, the BAN API, or Nominatim. */
export type GeocodeSource = 'gazetteer' | 'ban' | 'nominatim';

export const GEOCODE_SOURCES: readonly GeocodeSource[] = ['gazetteer', 'ban', 'nominatim'];

/** One resolved address. */
export interface GeocodeResult {
  /** WGS84 `{ lon, lat }` in degrees. */
  readonly position: Position;
  /** Confidence, 0..1 (1 = the text matched exactly). */
  readonly score: number;
  /** What was found, written for people, e.g. `2 Rue de Rome 13001 Marseille`. */
  readonly label: string;
  readonly kind: GeocodeKind;
  readonly source: GeocodeSource;
}

/**
 * Turns an address as people write it into a position. Implemented by the adapters in
 * `@app/geocoding-adapters` (PostGIS gazetteer, BAN API, Nominatim) and decorated by
 * `CachingGeocoder`.
 */
export interface Geocoder {
  /**
   * The best match for `query`, or `null` when nothing matches well enough.
   * @throws GeocodingError when the service cannot answer (`retriable` says whether a retry
   *   may succeed); never for an address that simply does not resolve.
   */
  geocode(query: string): Promise<GeocodeResult | null>;
}

/** DI token of the process's `Geocoder`. */
export const GEOCODER = Symbol('GEOCODER');
