import { parseDateTime } from '@app/contracts';

/** A full date-time with an offset: RFC 3339's `date-time` (ISO 8601 without its variants). */
const RFC_3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/;

/**
 * `text` as an instant when it is an RFC 3339 date-time (`2026-05-01T00:00:00Z`,
 * `2026-05-01T02:00:00.5+02:00`): an offset is required, and the date must exist.
 * @param option the option's name, for the message (`--since`).
 */
export function parseRfc3339(
  text: string,
  option: string,
): { ok: true; date: Date } | { ok: false; message: string } {
  const refused = {
    ok: false as const,
    message: `${option}: ${JSON.stringify(text)} is not an RFC 3339 date-time with an offset, e.g. 2026-05-01T00:00:00Z or 2026-05-01T02:00:00+02:00`,
  };
  if (!RFC_3339.test(text)) return refused;
  const parsed = parseDateTime(`${text.slice(0, 10)}T${text.slice(11)}`.replace(/z$/, 'Z'));
  return parsed.ok ? { ok: true, date: new Date(parsed.epochMs) } : refused;
}
