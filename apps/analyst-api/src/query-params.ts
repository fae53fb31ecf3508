import { DateTime } from 'luxon';
import { AnalystError, AnalystErrorCode, invalidParameter } from './analyst.error';

/** A request's query string as Express gives it: strings, or arrays of them when repeated. */
export type RawQuery = Readonly<Record<string, unknown>>;

/** `[minLon, minLat, maxLon, maxLat]`, WGS84 degrees (CRS84 order: longitude first). */
export type Bbox = readonly [number, number, number, number];

/** A closed interval of epoch milliseconds; `null` is an open end. An instant has start = end. */
export interface Interval {
  readonly start: number | null;
  readonly end: number | null;
}

const MAX_PARAMETER_LENGTH = 2_000;

/** The single value of `name`, or `undefined`; refuses a repeated or structured parameter. */
export function single(query: RawQuery, name: string): string | undefined {
  const value = query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw invalidParameter(name, 'give it once, as a plain value');
  if (value.length > MAX_PARAMETER_LENGTH)
    throw invalidParameter(name, `longer than ${MAX_PARAMETER_LENGTH} characters`);
  return value;
}

/** Refuses any query parameter not in `allowed`, naming it and what is allowed. */
export function refuseUnknown(query: RawQuery, allowed: readonly string[]): void {
  const unknown = Object.keys(query).filter((name) => !allowed.includes(name));
  if (unknown.length > 0) {
    const name = unknown[0] as string;
    throw new AnalystError(
      AnalystErrorCode.UnknownParameter,
      `unknown parameter '${name.slice(0, 100)}'; this resource takes ${allowed.join(', ')}`,
      name.slice(0, 100),
    );
  }
}

const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** A finite decimal number, or a 400 naming `name`. */
export function parseNumber(name: string, value: string): number {
  const trimmed = value.trim();
  const parsed = DECIMAL.test(trimmed) ? Number(trimmed) : Number.NaN;
  if (!Number.isFinite(parsed)) throw invalidParameter(name, `'${value}' is not a number`);
  return parsed;
}

/** An integer in [min, max], or a 400 naming `name`. */
export function parseInteger(name: string, value: string, min: number, max: number): number {
  if (!/^[+-]?\d{1,16}$/.test(value.trim()))
    throw invalidParameter(name, `'${value}' is not an integer`);
  const parsed = Number(value.trim());
  if (parsed < min || parsed > max)
    throw invalidParameter(name, `${parsed} is out of range ${min}..${max}`);
  return parsed;
}

/**
 * `bbox=minLon,minLat,maxLon,maxLat` in CRS84 (or six values with heights, which are ignored).
 * A box crossing the antimeridian is not supported (Marseille is far from it).
 */
export function parseBbox(value: string): Bbox {
  const parts = value.split(',');
  if (parts.length !== 4 && parts.length !== 6)
    throw invalidParameter('bbox', 'expected 4 numbers: minLon,minLat,maxLon,maxLat');
  const numbers = parts.map((part) => parseNumber('bbox', part));
  const [minLon, minLat, maxLon, maxLat] = (
    numbers.length === 6 ? [numbers[0], numbers[1], numbers[3], numbers[4]] : numbers
  ) as [number, number, number, number];
  for (const lon of [minLon, maxLon])
    if (lon < -180 || lon > 180)
      throw invalidParameter('bbox', `longitude ${lon} is out of -180..180`);
  for (const lat of [minLat, maxLat])
    if (lat < -90 || lat > 90) throw invalidParameter('bbox', `latitude ${lat} is out of -90..90`);
  if (minLat > maxLat) throw invalidParameter('bbox', 'minLat is above maxLat');
  if (minLon > maxLon)
    throw invalidParameter(
      'bbox',
      'minLon is east of maxLon (boxes across the antimeridian are not supported)',
    );
  return [minLon, minLat, maxLon, maxLat];
}

/** RFC 3339 date-time: full date, time, and `Z` or an offset (no local times: they are ambiguous). */
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;

function instant(value: string): number {
  if (!RFC3339.test(value))
    throw invalidParameter(
      'datetime',
      `'${value}' is not an RFC 3339 date-time with an offset, e.g. 2026-05-01T08:00:00Z`,
    );
  const parsed = DateTime.fromISO(value, { setZone: true });
  if (!parsed.isValid) throw invalidParameter('datetime', `'${value}' is not a valid date-time`);
  return parsed.toMillis();
}

/**
 * `datetime` as OGC API – Features reads it: an instant, or an interval `start/end` whose open
 * end is `..` or empty. The interval is closed; its start must not be after its end.
 */
export function parseDatetime(value: string): Interval {
  const parts = value.split('/');
  if (parts.length === 1) {
    const at = instant(value);
    return { start: at, end: at };
  }
  if (parts.length !== 2) throw invalidParameter('datetime', 'expected an instant or start/end');
  const [from, to] = parts.map((p) => (p === '..' || p === '' ? null : instant(p))) as [
    number | null,
    number | null,
  ];
  if (from !== null && to !== null && from > to)
    throw invalidParameter('datetime', 'the interval ends before it starts');
  return { start: from, end: to };
}

/** `limit`: an integer ≥ 1, clamped to `max` as the standard allows; `fallback` when absent. */
export function parseLimit(value: string | undefined, fallback: number, max: number): number {
  if (value === undefined) return Math.min(fallback, max);
  if (!/^\+?\d{1,16}$/.test(value.trim()))
    throw invalidParameter('limit', `'${value}' is not a positive integer`);
  const parsed = Number(value.trim());
  if (parsed < 1) throw invalidParameter('limit', 'must be at least 1');
  return Math.min(parsed, max);
}

/** A comma-separated list of values each in `allowed`. */
export function parseEnumList<T extends string>(
  name: string,
  value: string,
  allowed: readonly T[],
): T[] {
  const items = value.split(',').map((item) => item.trim());
  for (const item of items)
    if (!(allowed as readonly string[]).includes(item))
      throw invalidParameter(name, `'${item.slice(0, 100)}' is not one of ${allowed.join(', ')}`);
  return items as T[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A comma-separated list of UUIDs (at most 1,000). */
export function parseUuidList(name: string, value: string): string[] {
  const items = value.split(',').map((item) => item.trim().toLowerCase());
  if (items.length > 1_000) throw invalidParameter(name, 'at most 1000 ids');
  for (const item of items)
    if (!UUID.test(item)) throw invalidParameter(name, `'${item.slice(0, 100)}' is not a UUID`);
  return items;
}

/** Whether `value` is a UUID (an event's feature id). */
export const isUuid = (value: string) => UUID.test(value);
