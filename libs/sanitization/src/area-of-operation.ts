import type { Position } from '@app/contracts';

/**
 * A box of WGS84 (EPSG:4326) decimal degrees. A position `{lon, lat}` (GeoJSON `[lon, lat]`
 * order) is inside when `minLon ≤ lon ≤ maxLon` and `minLat ≤ lat ≤ maxLat`, edges included.
 * Boxes never cross the antimeridian.
 */
export interface BoundingBox {
  readonly minLon: number;
  readonly minLat: number;
  readonly maxLon: number;
  readonly maxLat: number;
}

/**
 * The Bouches-du-Rhône département, rounded outward to 0.01°: from the Petit-Rhône (west of
 * the Camargue, ≈ 4.23° E) to the Var boundary beyond Saint-Paul-lès-Durance (≈ 5.81° E), and
 * from the islands off Marseille and La Ciotat (Riou ≈ 43.17° N, Île Verte ≈ 43.16° N) to the
 * Durance below Avignon (≈ 43.92° N). A box, so it also holds slivers of Gard, Vaucluse, Var
 * and the sea: it stops a swapped `[lat, lon]` or a point in Paris, not a point next door.
 */
export const BOUCHES_DU_RHONE: BoundingBox = {
  minLon: 4.23,
  minLat: 43.15,
  maxLon: 5.82,
  maxLat: 43.93,
};

/** Whether `position` (`{lon, lat}`, degrees) lies in `box`, edges included. */
export function isInside(position: Position, box: BoundingBox): boolean {
  return (
    position.lon >= box.minLon &&
    position.lon <= box.maxLon &&
    position.lat >= box.minLat &&
    position.lat <= box.maxLat
  );
}
