import {
  cellToBoundary,
  cellToLatLng,
  getHexagonEdgeLengthAvg,
  gridDisk,
  isValidCell,
  UNITS,
} from 'h3-js';
import { GeoError, GeoErrorCode } from './geo.error';
import { angle, cross, dot, latLngToVec, type Vec3 } from './sphere';

/** Throws `GeoError(InvalidResolution)` unless `res` is an integer H3 resolution in 0–15. */
export function assertResolution(res: number, what = 'resolution'): void {
  if (!Number.isInteger(res) || res < 0 || res > 15)
    throw new GeoError(
      GeoErrorCode.InvalidResolution,
      `${what} must be an integer H3 resolution in 0..15, got ${String(res)}`,
    );
}

/** Throws `GeoError(InvalidCell)` unless `cell` is a valid H3 cell index (hex string). */
export function assertCell(cell: string): void {
  if (typeof cell !== 'string' || !isValidCell(cell))
    throw new GeoError(GeoErrorCode.InvalidCell, `not an H3 cell index: ${JSON.stringify(cell)}`);
}

/** Average edge length of an H3 hexagon at `res`, in metres (h3-js, ≈ 75.9 m at res 10). */
export function edgeMetres(res: number): number {
  return getHexagonEdgeLengthAvg(res, UNITS.m);
}

/**
 * How far outside a cell, in radians (1e-11 rad ≈ 64 µm on the ground), a point still counts as
 * touching it. H3 indexes a point on an edge to one cell or the other by a rounding error; a line
 * that runs along an edge must cover both.
 */
export const TOUCH_RADIANS = 1e-11;

/**
 * A cell as a convex spherical polygon: one inward normal per edge. H3 edges are straight in the
 * gnomonic projection of an icosahedron face, i.e. great-circle arcs, so a point is in the cell
 * exactly when it is on the inner side of every edge's plane.
 */
interface CellShape {
  /** The centre (h3-js `cellToLatLng`) as a unit vector. */
  readonly centre: Vec3;
  /** The centre as GeoJSON `[lon, lat]` degrees. */
  readonly centreLonLat: readonly [number, number];
  /** The boundary's vertices as unit vectors, in h3-js order. */
  readonly vertices: readonly Vec3[];
  /** Edge-plane unit normals (x, y, z per edge), oriented so the cell's centre is on the positive side. */
  readonly normals: Float64Array;
  /** Radians from the centre to the nearest edge's great circle: every point that close is inside. */
  readonly innerRadians: number;
  /** Radians from the centre to the farthest vertex: no point of the cell is farther. */
  readonly outerRadians: number;
  /** The cell and its neighbours (`gridDisk(cell, 1)`), filled on first use. */
  disk?: readonly string[];
}

/**
 * Cells are shapes of fixed geometry, and a city's events come back to the same cells: cache
 * them, bounded so a consumer's memory stays flat (≈ 1 KB a cell).
 */
const shapes = new Map<string, CellShape>();
const MAX_CACHED_SHAPES = 50_000;

function cellShape(cell: string): CellShape {
  const known = shapes.get(cell);
  if (known) return known;
  const [clat, clng] = cellToLatLng(cell);
  const centre = latLngToVec(clat, clng);
  const vertices = cellToBoundary(cell).map(([lat, lng]) => latLngToVec(lat, lng));
  const normals = new Float64Array(vertices.length * 3);
  let inner = Infinity;
  let outer = 0;
  vertices.forEach((v, i) => {
    const w = vertices[(i + 1) % vertices.length] as Vec3;
    const n = cross(v, w);
    const sign = (dot(n, centre) >= 0 ? 1 : -1) / Math.hypot(n[0], n[1], n[2]);
    normals[i * 3] = sign * n[0];
    normals[i * 3 + 1] = sign * n[1];
    normals[i * 3 + 2] = sign * n[2];
    // sign × (n · centre) is the sine of the centre's angle from the edge's great circle.
    inner = Math.min(inner, Math.asin(Math.min(1, sign * dot(n, centre))));
    outer = Math.max(outer, angle(centre, v));
  });
  const shape: CellShape = {
    centre,
    centreLonLat: [clng, clat],
    vertices,
    normals,
    innerRadians: inner,
    outerRadians: outer,
  };
  if (shapes.size >= MAX_CACHED_SHAPES) shapes.clear();
  shapes.set(cell, shape);
  return shape;
}

/** The boundary of `cell` as unit vectors (from h3-js `cellToBoundary`, cached). */
export function cellVertices(cell: string): readonly Vec3[] {
  return cellShape(cell).vertices;
}

/** The centre of `cell` (h3-js `cellToLatLng`, cached) as a unit vector and as `[lon, lat]`. */
export function cellCentre(cell: string): { vec: Vec3; lonLat: readonly [number, number] } {
  const { centre, centreLonLat } = cellShape(cell);
  return { vec: centre, lonLat: centreLonLat };
}

/**
 * Bounds on `cell` seen from its centre, in radians: every point within `inner` of the centre is
 * in the cell, and no point of the cell is farther than `outer` (cached). They spare the exact
 * distance to a boundary for the cells plainly near or plainly far.
 */
export function cellRadii(cell: string): { inner: number; outer: number } {
  const { innerRadians, outerRadians } = cellShape(cell);
  return { inner: innerRadians, outer: outerRadians };
}

/**
 * Which of `cells` holds the unit vector `v` at least `margin` radians inside its edges, or
 * `undefined` when none does (`v` is near an edge, or in none of them). A cheap stand-in for
 * `latLngToCell` away from edges; near one, only h3-js may say.
 */
export function cellHolding(v: Vec3, cells: readonly string[], margin: number): string | undefined {
  for (const cell of cells) {
    const { normals } = cellShape(cell);
    let inside = true;
    for (let i = 0; i < normals.length && inside; i += 3)
      inside =
        (normals[i] as number) * v[0] +
          (normals[i + 1] as number) * v[1] +
          (normals[i + 2] as number) * v[2] >=
        margin;
    if (inside) return cell;
  }
  return undefined;
}

/** `cell` and its neighbours: h3-js `gridDisk(cell, 1)`, cached. */
export function diskOfOne(cell: string): readonly string[] {
  const shape = cellShape(cell);
  shape.disk ??= gridDisk(cell, 1);
  return shape.disk;
}

/** Whether two distinct cells share an edge (h3-js `areNeighborCells`, from the cached disk). */
export function areNeighbours(a: string, b: string): boolean {
  return a !== b && diskOfOne(a).includes(b);
}

/**
 * Where the great-circle arc from `p0` to `p1` (unit vectors, shorter than a quarter turn) lies in
 * `cell`, as the interval `[t0, t1]` of the chord parameter t ∈ [0, 1] of `p0 + t·(p1 − p0)`
 * (the points of the chord, normalised, are exactly the points of the arc); `null` when the arc
 * misses the cell. Closed, and a hair wider (`TOUCH_RADIANS`): an arc touching the cell at one
 * point gives `t0 === t1`, an arc along an edge is in the cells on both sides. `slack` (radians)
 * widens the cell (or narrows it when negative).
 */
export function clipArcToCell(
  cell: string,
  p0: Vec3,
  p1: Vec3,
  slack = TOUCH_RADIANS,
): [number, number] | null {
  const { normals } = cellShape(cell);
  const d0 = p1[0] - p0[0];
  const d1 = p1[1] - p0[1];
  const d2 = p1[2] - p0[2];
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < normals.length; i += 3) {
    const nx = normals[i] as number;
    const ny = normals[i + 1] as number;
    const nz = normals[i + 2] as number;
    // Signed sine of the angle from the edge's great circle, for points near p0 (|X(t)| ≈ 1).
    const a = nx * p0[0] + ny * p0[1] + nz * p0[2] + slack;
    const b = nx * d0 + ny * d1 + nz * d2;
    if (b === 0) {
      if (a < 0) return null;
    } else if (b > 0) {
      lo = Math.max(lo, -a / b);
    } else {
      hi = Math.min(hi, -a / b);
    }
    if (lo > hi) return null;
  }
  return [lo, hi];
}
