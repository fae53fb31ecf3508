import { createHash } from 'node:crypto';

/** The `prev_hash` of the first row of the chain. */
export const AUDIT_GENESIS_HASH = '0'.repeat(64);

/** Separates the fields of a row's canonical text (U+001F, unit separator); never inside one. */
export const AUDIT_FIELD_SEPARATOR = '\u001f';

/** What a row's hash covers, as stored. */
export interface AuditChainFields {
  /** Decimal. */
  readonly id: string;
  /** The row's `at`, in microseconds since the Unix epoch (UTC). */
  readonly atMicros: bigint;
  readonly principal: string;
  readonly role: string;
  readonly method: string;
  readonly route: string;
  /** The JSON text as stored. */
  readonly params: string;
  readonly status: number;
  readonly rows: number;
  /** Whole milliseconds. */
  readonly durationMs: number;
  readonly prevHash: string;
}

const MICROS_PER_SECOND = 1_000_000n;

/** `YYYY-MM-DDTHH:MM:SS.ffffffZ` (UTC, microseconds) of an instant in epoch microseconds. */
export function auditInstantText(epochMicros: bigint): string {
  const fraction = ((epochMicros % MICROS_PER_SECOND) + MICROS_PER_SECOND) % MICROS_PER_SECOND;
  const seconds = (epochMicros - fraction) / MICROS_PER_SECOND;
  const whole = new Date(Number(seconds) * 1000).toISOString().slice(0, 19);
  return `${whole}.${fraction.toString().padStart(6, '0')}Z`;
}

/**
 * The text a row's hash is the SHA-256 of: id, at, principal, role, method, route, params,
 * status, rows, duration_ms and prev_hash, joined by U+001F. The database's trigger builds the
 * same text (`access_audit_canonical_text`, migration AccessHabilitationAudit1764600000000);
 * the two must never differ, and a test compares them row by row.
 */
export function auditCanonicalText(row: AuditChainFields): string {
  return [
    row.id,
    auditInstantText(row.atMicros),
    row.principal,
    row.role,
    row.method,
    row.route,
    row.params,
    String(row.status),
    String(row.rows),
    String(row.durationMs),
    row.prevHash,
  ].join(AUDIT_FIELD_SEPARATOR);
}

/** The hash of a row: SHA-256 of its canonical text (UTF-8), lower-case hex. */
export function auditHash(row: AuditChainFields): string {
  return createHash('sha256').update(auditCanonicalText(row), 'utf8').digest('hex');
}

/**
 * `text` fit for a field of the chain: U+001F (the separator) and U+0000 (which PostgreSQL's
 * text cannot hold) written as `\u001f` and `\u0000`, so an odd token subject is recorded
 * instead of failing the request it audits.
 */
export function auditFieldText(text: string): string {
  return text.replaceAll('\u0000', '\\u0000').replaceAll(AUDIT_FIELD_SEPARATOR, '\\u001f');
}
