import type { Position } from '@app/contracts';
import { GeoError, GeoErrorCode } from './geo.error';

/**
 * Mean Earth radius in metres, the one turf uses (`earthRadius`), so that lengths computed here
 * agree with `@turf/turf` `distance`/`length`/`along` to the millimetre.
 */
export const EARTH_RADIUS_METRES = 6_371_008.8;

/** A point of the unit sphere as an Earth-centred vector: x towards (0°, 0°), z towards the north pole. */
export type Vec3 = readonly [number, number, number];

const RAD = Math.PI / 180;

/**
 * Throws `GeoError(InvalidCoordinate)` unless `position` has a finite `lon` in −180..180 and a
 * finite `lat` in −90..90 (degrees, WGS84). `what` names it in the message.
 */
export function assertPosition(position: Position, what: string): void {
  const { lon, lat } = position ?? ({} as Position);
  if (
    typeof lon !== 'number' ||
    typeof lat !== 'number' ||
    !Number.isFinite(lon) ||
    !Number.isFinite(lat) ||
    Math.abs(lon) > 180 ||
    Math.abs(lat) > 90
  ) {
    throw new GeoError(
      GeoErrorCode.InvalidCoordinate,
      `${what} must be {lon in -180..180, lat in -90..90} in degrees, got ${JSON.stringify(position)}`,
    );
  }
}

/** The unit vector of a WGS84 position `{lon, lat}` in degrees. */
export function toVec(position: Position): Vec3 {
  const phi = position.lat * RAD;
  const lambda = position.lon * RAD;
  const c = Math.cos(phi);
  return [c * Math.cos(lambda), c * Math.sin(lambda), Math.sin(phi)];
}

/** The unit vector of h3-js `[lat, lng]` degrees. */
export function latLngToVec(lat: number, lng: number): Vec3 {
  return toVec({ lon: lng, lat });
}

/** Degrees `{lon, lat}` of a (not necessarily unit) vector. */
export function toPosition(v: Vec3): Position {
  const [x, y, z] = v;
  return { lon: Math.atan2(y, x) / RAD, lat: Math.atan2(z, Math.hypot(x, y)) / RAD };
}

export const dot = (a: Vec3, b: Vec3): number => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];

export const cross = (a: Vec3, b: Vec3): Vec3 => [
  a[1] * b[2] - a[2] * b[1],
  a[2] * b[0] - a[0] * b[2],
  a[0] * b[1] - a[1] * b[0],
];

const norm = (a: Vec3): number => Math.hypot(a[0], a[1], a[2]);

/** Central angle between two directions, in radians (stable for tiny and near-π angles). */
export function angle(a: Vec3, b: Vec3): number {
  return Math.atan2(norm(cross(a, b)), dot(a, b));
}

/** Great-circle distance between two unit vectors, in metres on the sphere of `EARTH_RADIUS_METRES`. */
export function metresBetween(a: Vec3, b: Vec3): number {
  return angle(a, b) * EARTH_RADIUS_METRES;
}

/**
 * The point a fraction `f` (0..1) of the way along the great-circle arc from `a` to `b`, where
 * `theta` is the arc's angle in radians (`angle(a, b)`, passed in to avoid recomputing it).
 */
export function slerp(a: Vec3, b: Vec3, theta: number, f: number): Vec3 {
  if (theta < 1e-12) return a;
  const s = Math.sin(theta);
  const wa = Math.sin((1 - f) * theta) / s;
  const wb = Math.sin(f * theta) / s;
  return [wa * a[0] + wb * b[0], wa * a[1] + wb * b[1], wa * a[2] + wb * b[2]];
}

/**
 * Shortest distance from `p` to the great-circle arc from `a` to `b` (shorter than π), in radians.
 * All three are unit vectors.
 */
export function angleToArc(p: Vec3, a: Vec3, b: Vec3): number {
  const n = cross(a, b);
  const nn = norm(n);
  if (nn < 1e-15) return angle(p, a);
  const along = dot(p, n) / nn;
  // Foot of the perpendicular from p on the arc's great circle, then whether it lies between a and b.
  const foot: Vec3 = [
    p[0] - (along * n[0]) / nn,
    p[1] - (along * n[1]) / nn,
    p[2] - (along * n[2]) / nn,
  ];
  if (dot(cross(a, foot), n) >= 0 && dot(cross(foot, b), n) >= 0)
    return Math.asin(Math.min(1, Math.abs(along)));
  return Math.min(angle(p, a), angle(p, b));
}
