import type { Polygon, Position } from '@app/contracts';
import { booleanPointInPolygon, polygon as turfPolygon } from '@turf/turf';
import { GeoError, GeoErrorCode } from './geo.error';
import { assertResolution, cellCentre, diskOfOne, edgeMetres, TOUCH_RADIANS } from './h3-cell';
import { DEFAULT_H3_RESOLUTION, routeCorridor, routeCover } from './route-cover';
import { angle, assertPosition, EARTH_RADIUS_METRES, toVec } from './sphere';

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
 * The ring with points added along each edge, straight in degrees (linear in lon and lat), at
 * most `stepMetres` apart: the edges as h3-js and GeoJSON read them, for `routeCorridor`.
 */
function straightInDegrees(ring: readonly Position[], stepMetres: number): Position[] {
  const out: Position[] = [];
  ring.forEach((b, i) => {
    const a = ring[i - 1];
    if (a !== undefined) {
      const n = Math.max(
        1,
        Math.ceil((angle(toVec(a), toVec(b)) * EARTH_RADIUS_METRES) / stepMetres),
      );
      for (let k = 1; k < n; k++)
        out.push({
          lon: a.lon + ((b.lon - a.lon) * k) / n,
          lat: a.lat + ((b.lat - a.lat) * k) / n,
        });
    }
    out.push(b);
  });
  return out;
}

/**
 * How far (radians) a line straight in degrees (linear in lon and lat, as GeoJSON and h3-js read
 * a polygon's edges) may stray from the great-circle arc between two of its points
 * `stretchRadians` apart, plus how far a cell's edges drawn straight in degrees (as h3-js tests
 * overlap) may stray from its true edges, at latitudes up to `maxLatDeg`. Such a line has a
 * geodesic curvature of at most 1.09 × |tan φ| (unit sphere), so it strays at most
 * curvature × length² ÷ 8 from its chord: 0.3 × |tan φ| × length² bounds that with room to spare,
 * for lengths far below the Earth's radius. Cells' edges are taken as twice the average edge.
 */
function straightEdgeSlack(stretchRadians: number, res: number, maxLatDeg: number): number {
  const tan = Math.tan((Math.min(89, maxLatDeg + 0.1) * Math.PI) / 180);
  const cellEdge = (2 * edgeMetres(res)) / EARTH_RADIUS_METRES;
  return TOUCH_RADIANS + 0.3 * tan * (stretchRadians ** 2 + cellEdge ** 2);
}

/** The longest edge of a ring, in radians. */
function longestEdge(ring: readonly Position[]): number {
  let longest = 0;
  for (let i = 1; i < ring.length; i++)
    longest = Math.max(longest, angle(toVec(ring[i - 1] as Position), toVec(ring[i] as Position)));
  return longest;
}

/**
 * Adds to `cells` every cell `ring` crosses, its edges read as great-circle arcs and as lines
 * straight in degrees. A ring whose edges are at most two cells' edges long is traced once, its
 * cells widened by how far the two readings part (≤ ≈ 2 mm at res 10): half the work of the
 * common small footprint. Longer edges part further (≈ 0.4 m for 3 km), too wide a band to add:
 * the ring is traced as arcs, then again through points straight in degrees half an edge apart.
 */
function addRingCorridor(cells: Set<string>, ring: readonly Position[], res: number): void {
  const loop = closed(ring);
  const maxLat = Math.max(...loop.map((p) => Math.abs(p.lat)));
  const edge = edgeMetres(res);
  const longest = longestEdge(loop);
  if (longest * EARTH_RADIUS_METRES <= 2 * edge) {
    const slack = straightEdgeSlack(longest, res, maxLat);
    for (const cell of routeCorridor(loop, res, slack).path) cells.add(cell);
    return;
  }
  for (const cell of routeCover(loop, res).path) cells.add(cell);
  const slack = straightEdgeSlack(edge / 2 / EARTH_RADIUS_METRES, res, maxLat);
  for (const cell of routeCorridor(straightInDegrees(loop, edge / 2), res, slack).path)
    cells.add(cell);
}

/**
 * Adds to `cells` (a corridor holding every cell the rings cross) every cell whose centre is
 * inside the polygon (`loops`, GeoJSON `[lon, lat]`, holes after the outer ring): grown from the
 * corridor through neighbours. A cell off the corridor meets no ring, so it is wholly inside the
 * polygon or wholly outside, and its centre tells which; the cells wholly inside touch the
 * corridor or one another, so growing from the corridor reaches them all.
 */
function fillInside(cells: Set<string>, loops: number[][][]): void {
  const shape = turfPolygon(loops);
  const queue = [...cells];
  const tested = new Set(cells);
  for (let i = 0; i < queue.length; i++) {
    for (const cell of diskOfOne(queue[i] as string)) {
      if (tested.has(cell)) continue;
      tested.add(cell);
      if (booleanPointInPolygon(cellCentre(cell).lonLat as [number, number], shape)) {
        cells.add(cell);
        queue.push(cell);
      }
    }
  }
}

/**
 * The conservative H3 cover of a polygon: every cell it overlaps, holes respected, sorted by
 * index, never empty.
 *
 * - `polygon`: outer ring then holes, each ring `{lon, lat}` positions in WGS84 degrees (GeoJSON
 *   `[lon, lat]` order); rings closed or not, either orientation.
 * - `res`: H3 resolution 0–15, default 10.
 *
 * Every cell whose area meets the polygon's either meets a ring or lies wholly inside. So: the
 * corridor of every ring (as `routeCover`), its edges read as great-circle arcs and as lines
 * straight in degrees (as GeoJSON and h3-js read them; see `addRingCorridor`), then every cell
 * whose centre is inside the polygon (turf `booleanPointInPolygon`), grown from the corridor.
 * That holds every cell h3-js `polygonToCellsExperimental` finds with overlapping containment (a
 * test checks it on random polygons) for a fraction of its cost (it walks down from resolution
 * 0), and the cells the boundary runs through even when the polygon is smaller or thinner than a
 * cell, or has fewer than three distinct positions (then it covers the cells of its positions and
 * segments). A cell wholly inside a hole is left out.
 *
 * @throws GeoError `invalid_resolution`, `invalid_geometry` (no ring, or an empty ring),
 *   `invalid_coordinate`, `cover_failed` (no grid path to keep a corridor contiguous).
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
  for (const ring of rings) addRingCorridor(cells, ring, res);
  if (hasArea(rings[0] as readonly Position[]))
    fillInside(
      cells,
      rings.filter(hasArea).map((ring) => closed(ring).map((p) => [p.lon, p.lat])),
    );
  return [...cells].sort();
}
