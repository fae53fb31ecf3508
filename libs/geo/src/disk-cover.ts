import type { Position } from '@app/contracts';
import { latLngToCell } from 'h3-js';
import { GeoError, GeoErrorCode } from './geo.error';
import { assertResolution, cellCentre, cellRadii, cellVertices, diskOfOne } from './h3-cell';
import { DEFAULT_H3_RESOLUTION } from './route-cover';
import { angle, angleToArc, assertPosition, EARTH_RADIUS_METRES, toVec, type Vec3 } from './sphere';

/** Shortest great-circle distance from `centre` to the boundary of `cell`, in metres. */
function metresToCell(centre: Vec3, cell: string): number {
  const vertices = cellVertices(cell);
  let best = Infinity;
  vertices.forEach((v, i) => {
    const w = vertices[(i + 1) % vertices.length] as Vec3;
    best = Math.min(best, angleToArc(centre, v, w));
  });
  return best * EARTH_RADIUS_METRES;
}

/**
 * Whether the boundary of `cell` comes within `radiusMetres` of `centre` (a unit vector). The cached radii of
 * the cell settle most cells from the distance to its centre alone (`d − inner ≤ radius`: a point
 * of the cell is that close; `d − outer > radius`: none is); only the cells in between, a band as
 * wide as the cell's outer minus inner radius (≈ 10 m at res 10), get the exact distance to the
 * boundary. `SETTLED` keeps the shortcut off the rounding of the exact test.
 */
function comesWithin(centre: Vec3, cell: string, radiusMetres: number): boolean {
  const radius = radiusMetres / EARTH_RADIUS_METRES;
  const { inner, outer } = cellRadii(cell);
  const d = angle(centre, cellCentre(cell).vec);
  if (d - inner <= radius - SETTLED) return true;
  if (d - outer > radius + SETTLED) return false;
  return metresToCell(centre, cell) <= radiusMetres;
}

/** Radians (≈ 6 µm) by which the shortcuts of `comesWithin` must clear the radius. */
const SETTLED = 1e-12;

/**
 * The conservative H3 cover of a disk: the centre's cell and every cell that comes within
 * `radiusMetres` of the centre, sorted by index.
 *
 * - `center`: `{lon, lat}` in WGS84 degrees (GeoJSON order; h3-js is called with `[lat, lng]`).
 * - `radiusMetres`: great-circle radius in metres, ≥ 0 (0 gives the centre's cell alone).
 * - `res`: H3 resolution 0–15, default 10.
 *
 * From the centre's cell outward through neighbours (`gridDisk(cell, 1)`, cached), a cell is kept
 * when its boundary comes within the radius, and only kept cells are grown from. Nothing is
 * missed: any cell within the radius is linked to the centre by the cells the straight path
 * between them crosses, each within the radius and each a neighbour of the next (cells that
 * share a vertex share an edge).
 *
 * @throws GeoError `invalid_resolution`, `invalid_coordinate`, `invalid_quantity` (radius
 *   negative or not finite).
 */
export function diskCover(
  center: Position,
  radiusMetres: number,
  res = DEFAULT_H3_RESOLUTION,
): string[] {
  assertResolution(res);
  assertPosition(center, 'center');
  if (typeof radiusMetres !== 'number' || !Number.isFinite(radiusMetres) || radiusMetres < 0)
    throw new GeoError(
      GeoErrorCode.InvalidQuantity,
      `radiusMetres must be a finite number ≥ 0, got ${String(radiusMetres)}`,
    );
  const origin = latLngToCell(center.lat, center.lon, res);
  if (radiusMetres === 0) return [origin];

  const c = toVec(center);
  const seen = new Set<string>([origin]);
  const kept: string[] = [origin];
  for (let i = 0; i < kept.length; i++) {
    for (const cell of diskOfOne(kept[i] as string)) {
      if (seen.has(cell)) continue;
      seen.add(cell);
      if (comesWithin(c, cell, radiusMetres)) kept.push(cell);
    }
  }
  return kept.sort();
}
