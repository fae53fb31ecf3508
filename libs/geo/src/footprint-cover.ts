import type { Polygon, Position } from '@app/contracts';
import { POLYGON_TO_CELLS_FLAGS, polygonToCellsExperimental } from 'h3-js';
import { GeoError, GeoErrorCode } from './geo.error';
import { assertResolution } from './h3-cell';
import { DEFAULT_H3_RESOLUTION, routeCover } from './route-cover';
import { assertPosition } from './sphere';

/** Whether a ring has three distinct positions, the least h3-js can read as an area. */
function hasArea(ring: readonly Position[]): boolean {
  const distinct = new Set(ring.map((p) => `${p.lon},${p.lat}`));
  return distinct.size >= 3;
}

/** The ring closed (first position repeated at the end) when it is not already. */
function closed(ring: readonly Position[]): readonly Position[] {
  const first = ring[0];
  const last = ring[ring.length - 1];
  if (first === undefined || last === undefined) return ring;
  return first.lon === last.lon && first.lat === last.lat ? ring : [...ring, first];
}

/**
 * The conservative H3 cover of a polygon: every cell it overlaps, holes respected, sorted by
 * index, never empty.
 *
 * - `polygon`: outer ring then holes, each ring `{lon, lat}` positions in WGS84 degrees (GeoJSON
 *   `[lon, lat]` order; handed to h3-js with its GeoJSON flag, never as `[lat, lng]`); rings
 *   closed or not, either orientation.
 * - `res`: H3 resolution 0–15, default 10.
 *
 * The union of two covers: `polygonToCellsExperimental` with overlapping containment (every cell
 * whose area meets the polygon's), and the corridor of every ring (`routeCover`), so the cells the
 * boundary runs through are in even when the polygon is smaller or thinner than a cell, or has
 * fewer than three distinct positions (then it covers the cells of its positions and segments).
 * A cell wholly inside a hole is left out.
 *
 * @throws GeoError `invalid_resolution`, `invalid_geometry` (no ring, or an empty ring),
 *   `invalid_coordinate`, `cover_failed` (h3-js cannot fill the polygon, e.g. too many cells).
 */
export function footprintCover(polygon: Polygon, res = DEFAULT_H3_RESOLUTION): string[] {
  assertResolution(res);
  const rings = polygon?.rings;
  if (!rings || rings.length === 0 || rings.some((r) => r.length === 0))
    throw new GeoError(
      GeoErrorCode.InvalidGeometry,
      'a polygon needs at least one ring, and each ring a position',
    );
  rings.forEach((ring, r) => ring.forEach((p, i) => assertPosition(p, `rings[${r}][${i}]`)));

  const cells = new Set<string>();
  for (const ring of rings) for (const cell of routeCover(closed(ring), res).path) cells.add(cell);

  const outer = rings[0] as readonly Position[];
  if (hasArea(outer)) {
    const loops = rings.filter(hasArea).map((ring) => ring.map((p) => [p.lon, p.lat]));
    let inside: string[];
    try {
      inside = polygonToCellsExperimental(
        loops,
        res,
        POLYGON_TO_CELLS_FLAGS.containmentOverlapping,
        true,
      );
    } catch (cause) {
      throw new GeoError(
        GeoErrorCode.CoverFailed,
        `h3-js could not fill the polygon at res ${res}`,
        {
          cause,
        },
      );
    }
    for (const cell of inside) cells.add(cell);
  }
  return [...cells].sort();
}
