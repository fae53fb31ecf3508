import { createHash } from 'node:crypto';
import type { Submission } from '@app/contracts';

/**
 * JSON with object keys sorted at every level, so equal values give equal text. A number JSON
 * cannot write (±Infinity, NaN) is written as its own token, never as `null` as
 * `JSON.stringify` would: two contents that differ only there differ in their fingerprint.
 */
function canonicalJson(value: unknown): string {
  if (typeof value === 'number' && !Number.isFinite(value)) return `#${String(value)}`;
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * SHA-256 (base64url) of a submission in the contract's normalised shape (`parseSubmission`'s
 * output: defaults filled, date-times as UTC milliseconds). Two requests that mean the same
 * submission — one with an ISO date and omitted defaults, one with milliseconds and explicit
 * nulls — have the same fingerprint.
 */
export function fingerprint(submission: Submission): string {
  return createHash('sha256').update(canonicalJson(submission)).digest('base64url');
}

/** The idempotency key of a submission: its event and revision. */
export const revisionKey = (s: Pick<Submission, 'eventId' | 'revision'>): string =>
  `${s.eventId}#${s.revision}`;
