import { GeoError, GeoErrorCode } from './geo.error';

/**
 * Radius in metres of a disk holding `people` at `densityPerM2` people per square metre (area =
 * people ÷ density, in m²), and at least `minRadiusMetres` (default 10 m): the footprint of a rally
 * whose place is known only by its address. 0 or unknown people give the minimum.
 *
 * @throws GeoError `invalid_quantity` (people negative or not finite; density not > 0; minimum
 *   radius negative or not finite).
 */
export function crowdRadiusMetres(people: number, densityPerM2 = 2, minRadiusMetres = 10): number {
  if (!Number.isFinite(people) || people < 0)
    throw new GeoError(GeoErrorCode.InvalidQuantity, `people must be ≥ 0, got ${String(people)}`);
  if (!Number.isFinite(densityPerM2) || densityPerM2 <= 0)
    throw new GeoError(
      GeoErrorCode.InvalidQuantity,
      `densityPerM2 must be > 0, got ${String(densityPerM2)}`,
    );
  if (!Number.isFinite(minRadiusMetres) || minRadiusMetres < 0)
    throw new GeoError(
      GeoErrorCode.InvalidQuantity,
      `minRadiusMetres must be ≥ 0, got ${String(minRadiusMetres)}`,
    );
  return Math.max(minRadiusMetres, Math.sqrt(people / densityPerM2 / Math.PI));
}
