import { DateTime } from 'luxon';

/** The zone of Cortège's users: a local time without an offset is read in it. */
export const CORTEGE_ZONE = 'Europe/Paris';

export type ParsedDateTime = { ok: true; epochMs: number } | { ok: false; reason: string };

/**
 * Reads a date-time as UTC epoch milliseconds: an integer number of milliseconds, or an
 * ISO 8601 string. A string with `Z` or an offset is exact; one without is local time in
 * Europe/Paris, daylight saving included. A local time that does not exist (the hour skipped
 * in spring) is refused; one that happens twice (autumn) is the first, summer-time occurrence.
 */
export function parseDateTime(value: unknown, zone = CORTEGE_ZONE): ParsedDateTime {
  if (typeof value === 'number') {
    return Number.isSafeInteger(value)
      ? { ok: true, epochMs: value }
      : { ok: false, reason: 'expected integer epoch milliseconds' };
  }
  if (typeof value !== 'string')
    return { ok: false, reason: 'expected an ISO 8601 date-time or epoch milliseconds' };
  const hasOffset = /(Z|[+-]\d{2}(:?\d{2})?)$/i.test(value.trim());
  const parsed = DateTime.fromISO(value.trim(), {
    zone: hasOffset ? undefined : zone,
    setZone: true,
  });
  if (!parsed.isValid)
    return {
      ok: false,
      reason: `'${value}' is not an ISO 8601 date-time (${parsed.invalidExplanation ?? parsed.invalidReason})`,
    };
  if (!hasOffset) {
    const wall = (d: DateTime) => d.setZone(zone).toFormat("yyyy-MM-dd'T'HH:mm:ss.SSS");
    const asWritten = DateTime.fromISO(value.trim(), { zone: 'utc' }).toFormat(
      "yyyy-MM-dd'T'HH:mm:ss.SSS",
    );
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
