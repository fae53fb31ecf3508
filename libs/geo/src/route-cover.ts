import type { Position } from '@app/contracts';
import { gridPathCells, latLngToCell } from 'h3-js';
import { GeoError, GeoErrorCode } from './geo.error';
import {
  areNeighbours,
  assertResolution,
  cellHolding,
  clipArcToCell,
  diskOfOne,
  edgeMetres,
  TOUCH_RADIANS,
} from './h3-cell';
import {
  angle,
  assertPosition,
  EARTH_RADIUS_METRES,
  slerp,
  toPosition,
  toVec,
  type Vec3,
} from './sphere';

/** H3 resolution of presence cells unless told otherwise: ≈ 76 m edges, ≈ 0.015 km² cells. */
export const DEFAULT_H3_RESOLUTION = 10;

/** A cell of a route's corridor and the stretch of the route inside it. */
export interface CellSpan {
  /** H3 cell index (hex string). */
  readonly cell: string;
  /** Distance along the route, in metres from its first position, where the line first enters the cell. */
  readonly enterMetres: number;
  /** Distance along the route, in metres, where the line last leaves the cell (≥ `enterMetres`). */
  readonly exitMetres: number;
}

/** The conservative H3 cover of a line. */
export interface RouteCover {
  readonly resolution: number;
  /** Great-circle length of the line, in metres (sphere of radius 6,371,008.8 m, as turf). */
  readonly lengthMetres: number;
  /** Every cell the line passes through, once each, in the order the line first enters them. */
  readonly cells: readonly CellSpan[];
  /**
   * The corridor as walked: the cells in the order the line crosses them, each an H3 neighbour
   * of the next. A cell appears again when the line comes back to it after leaving it.
   */
  readonly path: readonly string[];
}

/** Slack on the chord parameter when checking that the clipped stretches join up. */
const JOIN_SLACK = 1e-9;
/** How many times a stretch may be halved before falling back on `gridPathCells`. */
const MAX_HALVINGS = 6;

interface MutableSpan {
  enterMetres: number;
  exitMetres: number;
}

/** Accumulates the walk: appends cells, keeps it contiguous, records first entry and last exit. */
class Corridor {
  readonly path: string[] = [];
  readonly spans = new Map<string, MutableSpan>();

  visit(cell: string, enterMetres: number, exitMetres: number): void {
    const last = this.path[this.path.length - 1];
    if (last !== cell) {
      if (last !== undefined && !areNeighbours(last, cell)) this.bridge(last, cell, enterMetres);
      this.path.push(cell);
    }
    this.record(cell, enterMetres, exitMetres);
  }

  private record(cell: string, enterMetres: number, exitMetres: number): void {
    const span = this.spans.get(cell);
    if (span === undefined) this.spans.set(cell, { enterMetres, exitMetres });
    else {
      span.enterMetres = Math.min(span.enterMetres, enterMetres);
      span.exitMetres = Math.max(span.exitMetres, exitMetres);
    }
  }

  /**
   * Joins two cells that share no edge (only after numerical trouble: the exact clipping below
   * joins neighbours) with H3's grid line, at one distance along the route.
   */
  private bridge(from: string, to: string, atMetres: number): void {
    let line: string[];
    try {
      line = gridPathCells(from, to);
    } catch (cause) {
      throw new GeoError(
        GeoErrorCode.CoverFailed,
        `no H3 grid path between ${from} and ${to} to keep the corridor contiguous`,
        { cause },
      );
    }
    for (const cell of line.slice(1, -1)) {
      this.path.push(cell);
      this.record(cell, atMetres, atMetres);
    }
  }
}

/**
 * Radians (≈ 6 mm) a point must be inside a cached cell's edges for that cell to be taken as its
 * cell without asking h3-js: far above the rounding of both, so the answer is h3-js's own.
 */
const LOCATE_MARGIN = 1e-9;

/**
 * The cell of a unit vector at `res`, `near` being the cell of a point at most half an edge away:
 * a sample is nearly always in that cell or a neighbour, and testing their cached edges costs a
 * fraction of `latLngToCell` (a call into h3-js and a new string). Near an edge, h3-js decides.
 */
function cellOfVec(v: Vec3, res: number, near: string): string {
  const known = cellHolding(v, diskOfOne(near), LOCATE_MARGIN);
  if (known !== undefined) return known;
  const { lon, lat } = toPosition(v);
  return latLngToCell(lat, lon, res);
}

/**
 * Adds to `corridor` every cell the short great-circle arc `a → b` passes through, in order.
 * `cellA`/`cellB` are the cells of its ends, `fromMetres`/`toMetres` its distances along the route.
 * Each candidate cell around the ends is clipped exactly (see `clipArcToCell`); when the clipped
 * stretches do not join up from 0 to 1 the arc is halved, and after `MAX_HALVINGS` halvings the
 * stretches found are kept and any gap is bridged by `gridPathCells`.
 */
function traceArc(
  corridor: Corridor,
  a: Vec3,
  cellA: string,
  b: Vec3,
  cellB: string,
  fromMetres: number,
  toMetres: number,
  res: number,
  slack: number,
  halvings: number,
): void {
  if (cellA === cellB) {
    // Cells are convex: an arc whose two ends are in one cell stays in it. Unless it runs along an
    // edge (within `slack`), it is in no other cell and the clipping below can be skipped.
    const inner = clipArcToCell(cellA, a, b, -slack);
    if (inner !== null && inner[0] === 0 && inner[1] === 1) {
      corridor.visit(cellA, fromMetres, toMetres);
      return;
    }
  }
  // An arc of at most half an edge between neighbours can only cross cells touching both ends'.
  const candidates = areNeighbours(cellA, cellB)
    ? diskOfOne(cellA)
    : new Set([...diskOfOne(cellA), ...diskOfOne(cellB)]);
  const hits: Array<{ cell: string; t0: number; t1: number }> = [];
  for (const cell of candidates) {
    const clipped = clipArcToCell(cell, a, b, slack);
    if (clipped) hits.push({ cell, t0: clipped[0], t1: clipped[1] });
  }
  // By entry; on a tie the end's own cell first, so a cell merely touched at `a` follows it.
  hits.sort(
    (x, y) => x.t0 - y.t0 || Number(x.cell !== cellA) - Number(y.cell !== cellA) || x.t1 - y.t1,
  );
  let reach = 0;
  let joined = true;
  for (const hit of hits) {
    if (hit.t0 > reach + JOIN_SLACK) joined = false;
    reach = Math.max(reach, hit.t1);
  }
  if (reach < 1 - JOIN_SLACK) joined = false;

  const theta = angle(a, b);
  if (!joined && halvings < MAX_HALVINGS) {
    const mid = slerp(a, b, theta, 0.5);
    const cellMid = cellOfVec(mid, res, cellA);
    const midMetres = (fromMetres + toMetres) / 2;
    traceArc(corridor, a, cellA, mid, cellMid, fromMetres, midMetres, res, slack, halvings + 1);
    traceArc(corridor, mid, cellMid, b, cellB, midMetres, toMetres, res, slack, halvings + 1);
    return;
  }

  // h3-js has the last word on which cell holds an end, even one on an edge.
  if (hits[0]?.cell !== cellA) corridor.visit(cellA, fromMetres, fromMetres);
  for (const hit of hits)
    corridor.visit(
      hit.cell,
      metresAt(hit.t0, a, b, theta, fromMetres, toMetres),
      metresAt(hit.t1, a, b, theta, fromMetres, toMetres),
    );
  if (hits[hits.length - 1]?.cell !== cellB) corridor.visit(cellB, toMetres, toMetres);
}

/**
 * The distance along the route at chord parameter `t` of the arc `a → b` (angle `theta`), which
 * runs from `fromMetres` to `toMetres` (the chord and the arc differ by θ²/8, not nothing). At
 * module level, not a closure in `traceArc`: tsx, which runs the stage, names each closure as it
 * is made (`Object.defineProperty`), a cost paid on every stretch of every route.
 */
function metresAt(
  t: number,
  a: Vec3,
  b: Vec3,
  theta: number,
  fromMetres: number,
  toMetres: number,
): number {
  if (t <= 0 || theta === 0) return fromMetres;
  if (t >= 1) return toMetres;
  const x: Vec3 = [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1]), a[2] + t * (b[2] - a[2])];
  return fromMetres + ((toMetres - fromMetres) * angle(a, x)) / theta;
}

/**
 * The conservative H3 cover of a line: every cell the line passes through, as one contiguous
 * corridor, with the distance along the line at which it first enters and last leaves each cell.
 *
 * - `line`: `{lon, lat}` positions in WGS84 degrees (GeoJSON `[lon, lat]` order, not h3-js
 *   `[lat, lng]`), in the order travelled; each segment is the great-circle arc between its ends;
 *   repeated positions are harmless; one position covers its cell.
 * - `res`: H3 resolution 0–15, default 10.
 *
 * Each segment is densified so consecutive samples are at most half an average H3 edge apart
 * (`getHexagonEdgeLengthAvg(res, 'm') / 2`, ≈ 38 m at res 10); between two samples in different
 * cells, every cell around them is clipped exactly against the arc (H3 edges are great-circle
 * arcs), so a line clipping the corner of a cell between samples still covers it, where
 * `gridPathCells` alone would draw a grid line that may miss it. Where the clipped stretches do not
 * join, the stretch is halved; as a last resort `gridPathCells` bridges the gap.
 *
 * Distances are in metres on a sphere of radius 6,371,008.8 m (turf's), from the first position.
 *
 * @throws GeoError `invalid_resolution` (res not an integer 0–15), `invalid_geometry` (no
 *   position), `invalid_coordinate` (lon/lat not finite or out of range), `cover_failed` (no grid
 *   path to bridge a gap, e.g. across a pentagon; never seen on real routes).
 */
export function routeCover(line: readonly Position[], res = DEFAULT_H3_RESOLUTION): RouteCover {
  return routeCorridor(line, res, TOUCH_RADIANS);
}

/**
 * `routeCover` with cells widened by `slackRadians` instead of `TOUCH_RADIANS`: a cell within
 * that angle of the line counts as crossed. For `footprintCover`, whose rings may be read with
 * straight edges in degrees rather than great-circle arcs. Not exported from the library.
 */
export function routeCorridor(
  line: readonly Position[],
  res: number,
  slackRadians: number,
): RouteCover {
  assertResolution(res);
  if (!line || line.length === 0)
    throw new GeoError(GeoErrorCode.InvalidGeometry, 'a line needs at least one position');
  line.forEach((p, i) => assertPosition(p, `line[${i}]`));

  const slack = slackRadians;
  const step = edgeMetres(res) / 2;
  const corridor = new Corridor();
  const first = line[0] as Position;
  let from = toVec(first);
  let fromCell = latLngToCell(first.lat, first.lon, res);
  corridor.visit(fromCell, 0, 0);
  let travelled = 0;

  for (let i = 1; i < line.length; i++) {
    const next = line[i] as Position;
    const to = toVec(next);
    const toCell = latLngToCell(next.lat, next.lon, res);
    const theta = angle(from, to);
    const length = theta * EARTH_RADIUS_METRES;
    if (length === 0) continue;
    const pieces = Math.max(1, Math.ceil(length / step));
    let a = from;
    let cellA = fromCell;
    for (let k = 1; k <= pieces; k++) {
      const b = k === pieces ? to : slerp(from, to, theta, k / pieces);
      const cellB = k === pieces ? toCell : cellOfVec(b, res, cellA);
      const start = travelled + (length * (k - 1)) / pieces;
      const end = k === pieces ? travelled + length : travelled + (length * k) / pieces;
      traceArc(corridor, a, cellA, b, cellB, start, end, res, slack, 0);
      a = b;
      cellA = cellB;
    }
    travelled += length;
    from = to;
    fromCell = toCell;
  }

  const cells: CellSpan[] = [];
  for (const [cell, span] of corridor.spans) cells.push({ cell, ...span });
  return { resolution: res, lengthMetres: travelled, cells, path: corridor.path };
}
