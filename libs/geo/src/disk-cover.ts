import type { Position } from '@app/contracts';
import { cellArea, gridDiskDistances, latLngToCell, UNITS } from 'h3-js';
import { GeoError, GeoErrorCode } from './geo.error';
import { assertResolution, cellVertices } from './h3-cell';
import { DEFAULT_H3_RESOLUTION } from './route-cover';
import { angleToArc, assertPosition, EARTH_RADIUS_METRES, toVec, type Vec3 } from './sphere';

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
 * The conservative H3 cover of a disk: the centre's cell and every cell that comes within
 * `radiusMetres` of the centre, sorted by index.
 *
 * - `center`: `{lon, lat}` in WGS84 degrees (GeoJSON order; h3-js is called with `[lat, lng]`).
 * - `radiusMetres`: great-circle radius in metres, ≥ 0 (0 gives the centre's cell alone).
 * - `res`: H3 resolution 0–15, default 10.
 *
 * Rings of `gridDisk` are taken out to k ≈ radius ÷ (1.5 × the local edge length) + 1, and a cell
 * is kept when its boundary comes within the radius. Then k grows until its outermost ring has no
 * cell within the radius: any cell within the radius is linked to the centre by the cells the
 * straight path between them crosses, so once a whole ring is out, every ring beyond is out too.
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
  // A regular hexagon of edge e has area (3√3 / 2)·e²; its centre-to-ring-k distance is ≥ 1.5·k·e.
  const edge = Math.sqrt((2 * cellArea(origin, UNITS.m2)) / (3 * Math.sqrt(3)));
  let k = Math.ceil(radiusMetres / (1.5 * edge)) + 1;
  for (;;) {
    const rings = gridDiskDistances(origin, k);
    const kept: string[] = [origin];
    let outerRingTouched = false;
    rings.forEach((ring, distance) => {
      if (distance === 0) return;
      for (const cell of ring) {
        if (metresToCell(c, cell) <= radiusMetres) {
          kept.push(cell);
          if (distance === k) outerRingTouched = true;
        }
      }
    });
    if (!outerRingTouched) return kept.sort();
    k *= 2;
  }
}
