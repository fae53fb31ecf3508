import { DateTime } from 'luxon';

/** The zone of Cortège's users: a local time without an offset is read in it. */
export const CORTEGE_ZONE = 'Europe/Paris';

/**
 * The largest distance from the epoch a JavaScript `Date` holds, in milliseconds (±100,000,000
 * days: years −271821 to 275760). A time beyond it cannot be written as a date anywhere.
 */
export const MAX_EPOCH_MS = 8.64e15;

/** Longer than any ISO 8601 date-time with milliseconds and an offset: refused unread. */
const MAX_DATE_TIME_LENGTH = 40;

export type ParsedDateTime = { ok: true; epochMs: number } | { ok: false; reason: string };

/** A time's UTC offset, as written after the time of day: `Z`, `±HH`, `±HHMM` or `±HH:MM`. */
const OFFSET = /T[^+-]*(Z|[+-](\d{2})(?::?(\d{2}))?)$/i;

/** True when `epochMs` is an integer a JavaScript `Date` can hold. */
export const isDateTimeMs = (epochMs: number): boolean =>
  Number.isSafeInteger(epochMs) && Math.abs(epochMs) <= MAX_EPOCH_MS;

/** An instant as ISO 8601 when a `Date` can hold it, else its milliseconds: never throws. */
export const describeInstant = (epochMs: number): string =>
  isDateTimeMs(epochMs) ? new Date(epochMs).toISOString() : `${epochMs} ms`;

const outOfRange = (what: string): ParsedDateTime => ({
  ok: false,
  reason: `${what} is outside the dates a JavaScript Date holds (±${MAX_EPOCH_MS} ms from 1970, years −271821 to 275760)`,
});

/**
 * Reads a date-time as UTC epoch milliseconds: an integer number of milliseconds, or an
 * ISO 8601 string. A string with `Z` or an offset is exact; one without is local time in
 * Europe/Paris, daylight saving included. A local time that does not exist (the hour skipped
 * in spring) is refused; one that happens twice (autumn) is the first, summer-time occurrence.
 * An offset must be a real one: at most ±14:00, minutes below 60. An instant a JavaScript
 * `Date` cannot hold is refused.
 */
export function parseDateTime(value: unknown, zone = CORTEGE_ZONE): ParsedDateTime {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value))
      return { ok: false, reason: 'expected integer epoch milliseconds' };
    return isDateTimeMs(value) ? { ok: true, epochMs: value } : outOfRange(`${value} ms`);
  }
  if (typeof value !== 'string')
    return { ok: false, reason: 'expected an ISO 8601 date-time or epoch milliseconds' };
  const text = value.trim();
  if (text.length > MAX_DATE_TIME_LENGTH)
    return {
      ok: false,
      reason: `not an ISO 8601 date-time (${text.length} characters, at most ${MAX_DATE_TIME_LENGTH})`,
    };
  const offset = OFFSET.exec(text);
  if (offset && offset[1]?.toUpperCase() !== 'Z') {
    const hours = Number(offset[2]);
    const minutes = Number(offset[3] ?? '0');
    if (minutes >= 60 || hours * 60 + minutes > 14 * 60)
      return {
        ok: false,
        reason: `'${text}' has no valid UTC offset (${offset[1]}: at most ±14:00, minutes below 60)`,
      };
  }
  const hasOffset = offset !== null;
  const parsed = DateTime.fromISO(text, {
    zone: hasOffset ? undefined : zone,
    setZone: true,
  });
  if (!parsed.isValid)
    return {
      ok: false,
      reason: `'${text}' is not an ISO 8601 date-time (${parsed.invalidExplanation ?? parsed.invalidReason})`,
    };
  if (!isDateTimeMs(parsed.toMillis())) return outOfRange(`'${text}'`);
  if (!hasOffset) {
    const wall = (d: DateTime) => d.setZone(zone).toFormat("yyyy-MM-dd'T'HH:mm:ss.SSS");
    const asWritten = DateTime.fromISO(text, { zone: 'utc' }).toFormat("yyyy-MM-dd'T'HH:mm:ss.SSS");
    // Luxon moves a skipped local time forward; refuse it rather than guess.
    if (wall(parsed) !== asWritten) {
      return { ok: false, reason: `'${value}' does not exist in ${zone} (clocks skip that hour)` };
    }
    // A repeated local time: Luxon takes the later instant; the earlier one is the first to happen.
    const hourBefore = parsed.minus({ hours: 1 });
    if (wall(hourBefore) === asWritten) return { ok: true, epochMs: hourBefore.toMillis() };
  }
  return { ok: true, epochMs: parsed.toMillis() };
}
