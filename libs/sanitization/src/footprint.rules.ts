import type { Polygon, Position } from '@app/contracts';
import { booleanPointInPolygon, kinks, point, polygon } from '@turf/turf';
import { checkPositions } from './position.rules';
import type { SanitizationPolicy } from './sanitization.policy';
import { SanitizationViolationCode, type SanitizationViolation } from './sanitization.violation';

/** A footprint after checking: repaired when it could be, with what was done, or why not. */
export interface FootprintCheck {
  /** The footprint to keep: repaired rings, or the input unchanged when nothing was repaired. */
  readonly footprint: Polygon;
  /** Field path and what was repaired, one line each. */
  readonly repairs: readonly string[];
  readonly violations: readonly SanitizationViolation[];
}

/** Below this area (square degrees, ≈ 1 cm² at Marseille's latitude) a ring is flat. */
const FLAT_AREA_DEG2 = 1e-14;

const same = (a: Position, b: Position) => a.lon === b.lon && a.lat === b.lat;
const fmt = (xy: readonly number[]) => `[${xy.map((v) => v.toFixed(6)).join(', ')}]`;
const toXY = (ring: readonly Position[]) => ring.map((p) => [p.lon, p.lat]);
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * Twice the signed planar area of a closed ring of `{lon, lat}` positions, in square degrees:
 * positive when counterclockwise (lon east, lat north), negative when clockwise. Shifted to the
 * first position so the products stay small and exact enough.
 */
function signedArea2(ring: readonly Position[]): number {
  const origin = ring[0];
  if (origin === undefined) return 0;
  let sum = 0;
  for (let i = 0; i + 1 < ring.length; i++) {
    const a = ring[i] as Position;
    const b = ring[i + 1] as Position;
    sum +=
      (a.lon - origin.lon) * (b.lat - origin.lat) - (b.lon - origin.lon) * (a.lat - origin.lat);
  }
  return sum;
}

/**
 * The trivial repairs of one ring: consecutive duplicates removed, then closed. Returns the new
 * ring and a description of each repair done.
 */
function repairRing(ring: readonly Position[]): { ring: Position[]; done: string[] } {
  const out: Position[] = [];
  for (const position of ring) {
    const last = out[out.length - 1];
    if (last === undefined || !same(last, position)) out.push(position);
  }
  const done: string[] = [];
  const removed = ring.length - out.length;
  if (removed > 0) done.push(`removed ${plural(removed, 'consecutive duplicate position')}`);
  const first = out[0];
  const last = out[out.length - 1];
  if (first !== undefined && last !== undefined && out.length > 1 && !same(first, last)) {
    out.push(first);
    done.push('closed the ring (repeated its first position at the end)');
  }
  return { ring: out, done };
}

/**
 * Checks a footprint (a GeoJSON Polygon of `{lon, lat}` positions in WGS84 degrees, outer ring
 * first, then holes) at `path` (…`.footprint`), and repairs what is trivially repairable:
 * - consecutive duplicate positions are removed, an unclosed ring is closed, and a ring wound
 *   the wrong way is rewound to RFC 7946 order (outer ring counterclockwise, holes clockwise);
 *   each repair is reported as `<ring path>: <what was done>`;
 * - a ring with fewer than 4 positions after repair, or no area, is `invalid_polygon`; a ring
 *   that crosses itself is `self_intersecting_polygon` (turf `kinks`); rings that cross each
 *   other, or a hole outside the outer ring, are `invalid_polygon`;
 * - every position must be finite and inside the area of operation (`invalid_coordinate`,
 *   `outside_area` at `<ring path>.<index>`, indices of the input);
 * - more than `policy.maxFootprintPoints` positions is `polygon_too_large`, checked first as
 *   the crossing test costs O(n²) per ring.
 * Orientation is read in the lon/lat plane, which is what RFC 7946 and turf mean.
 */
export function checkFootprint(
  footprint: Polygon,
  path: string,
  policy: SanitizationPolicy,
): FootprintCheck {
  const at = `${path}.rings`;
  const total = footprint.rings.reduce((n, ring) => n + ring.length, 0);
  if (total > policy.maxFootprintPoints) {
    return {
      footprint,
      repairs: [],
      violations: [
        {
          path: at,
          code: SanitizationViolationCode.PolygonTooLarge,
          message: `has ${total} positions, more than the ${policy.maxFootprintPoints} allowed`,
        },
      ],
    };
  }
  if (footprint.rings.length === 0) {
    return {
      footprint,
      repairs: [],
      violations: [
        {
          path: at,
          code: SanitizationViolationCode.InvalidPolygon,
          message: 'needs an outer ring',
        },
      ],
    };
  }

  const violations: SanitizationViolation[] = [];
  const repairs: string[] = [];
  const rings: Position[][] = [];
  let sound = true;
  footprint.rings.forEach((original, index) => {
    const ringPath = `${at}.${index}`;
    const bad = checkPositions(original, ringPath, policy.areaOfOperation);
    if (bad.length > 0) {
      violations.push(...bad);
      sound = false;
      return;
    }
    const { ring, done } = repairRing(original);
    if (ring.length < 4) {
      violations.push({
        path: ringPath,
        code: SanitizationViolationCode.InvalidPolygon,
        message: `needs at least 4 positions (3 distinct corners and the closing one), has ${ring.length} once duplicates are removed and the ring closed`,
      });
      sound = false;
      return;
    }
    const crossings = kinks(polygon([toXY(ring)])).features;
    const crossing = crossings[0];
    if (crossing !== undefined) {
      violations.push({
        path: ringPath,
        code: SanitizationViolationCode.SelfIntersectingPolygon,
        message: `crosses itself at ${fmt(crossing.geometry.coordinates)} [lon, lat]${crossings.length > 1 ? ` and ${plural(crossings.length - 1, 'other place')}` : ''}`,
      });
      sound = false;
      return;
    }
    const area2 = signedArea2(ring);
    if (Math.abs(area2) / 2 < FLAT_AREA_DEG2) {
      violations.push({
        path: ringPath,
        code: SanitizationViolationCode.InvalidPolygon,
        message: 'has no area: its corners are on one line',
      });
      sound = false;
      return;
    }
    const outer = index === 0;
    if (outer !== area2 > 0) {
      ring.reverse();
      done.push(
        outer
          ? 'rewound counterclockwise (RFC 7946 outer ring)'
          : 'rewound clockwise (RFC 7946 hole)',
      );
    }
    repairs.push(...done.map((what) => `${ringPath}: ${what}`));
    rings.push(ring);
  });
  if (!sound) return { footprint, repairs: [], violations };

  const [outerRing, ...holes] = rings;
  if (outerRing !== undefined && holes.length > 0) {
    const crossing = kinks(polygon(rings.map(toXY))).features[0];
    if (crossing !== undefined) {
      violations.push({
        path: at,
        code: SanitizationViolationCode.InvalidPolygon,
        message: `rings cross or touch each other at ${fmt(crossing.geometry.coordinates)} [lon, lat]`,
      });
    } else {
      const shell = polygon([toXY(outerRing)]);
      holes.forEach((hole, i) => {
        const corner = hole[0] as Position;
        if (!booleanPointInPolygon(point([corner.lon, corner.lat]), shell)) {
          violations.push({
            path: `${at}.${i + 1}`,
            code: SanitizationViolationCode.InvalidPolygon,
            message: 'is a hole outside the outer ring',
          });
        }
      });
    }
  }
  if (violations.length > 0) return { footprint, repairs: [], violations };
  return { footprint: repairs.length > 0 ? { rings } : footprint, repairs, violations };
}
