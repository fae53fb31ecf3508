import {
  GEOCODE_SOURCES,
  GeocodingError,
  GeocodingErrorCode,
  type CachedGeocode,
  type GeocodeCache,
  type GeocodeResult,
  type GeocodeSource,
} from '@app/geocoding';
import type { Queryable } from './gazetteer.geocoder';

/**
 * The geocode cache in PostGIS (`geocode_cache`, created by a migration of `@app/database`): one row per
 * normalised query with the result as JSON and as a WGS84 point (SRID 4326) for QGIS.
 */
export class PostgisGeocodeCache implements GeocodeCache {
  constructor(private readonly db: Queryable) {}

  async get(key: string): Promise<CachedGeocode | undefined> {
    const { rows } = await this.run(() =>
      this.db.query<{ result: GeocodeResult | null; source: string }>(
        'SELECT result, source FROM geocode_cache WHERE query_norm = $1',
        [key],
      ),
    );
    const row = rows[0];
    if (!row) return undefined;
    const source = GEOCODE_SOURCES.find((s) => s === row.source);
    if (source === undefined) return undefined;
    return { result: row.result, source };
  }

  async put(key: string, answer: CachedGeocode): Promise<void> {
    const r = answer.result;
    await this.run(() =>
      this.db.query(
        `INSERT INTO geocode_cache (query_norm, found, result, geom, source)
         VALUES ($1, $2, $3::jsonb,
                 CASE WHEN $2 THEN ST_SetSRID(ST_MakePoint($4, $5), 4326) END, $6)
         ON CONFLICT (query_norm) DO UPDATE
           SET found = EXCLUDED.found, result = EXCLUDED.result, geom = EXCLUDED.geom,
               source = EXCLUDED.source, created_at = now()`,
        [
          key,
          r !== null,
          r === null ? null : JSON.stringify(r),
          r?.position.lon ?? null,
          r?.position.lat ?? null,
          answer.source satisfies GeocodeSource,
        ],
      ),
    );
  }

  private async run<T>(query: () => Promise<T>): Promise<T> {
    try {
      return await query();
    } catch (error) {
      throw new GeocodingError(
        GeocodingErrorCode.StoreUnavailable,
        `the geocode cache could not be used: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }
}
