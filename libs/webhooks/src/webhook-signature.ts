import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header carrying `t=<unix seconds>,v1=<hex HMAC-SHA256>` (Stripe's layout). */
export const SIGNATURE_HEADER = 'cortege-signature';
/** The delivery's id: the same on every attempt, for the receiver to drop repeats. */
export const WEBHOOK_ID_HEADER = 'cortege-webhook-id';
/** The attempt number, from 1 (informative; not signed). */
export const ATTEMPT_HEADER = 'cortege-webhook-attempt';

/** HMAC-SHA256 of `<t>.<body>` with `secret`, in hex. */
function digest(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body, 'utf8').digest('hex');
}

/**
 * The `Cortege-Signature` value of `body` (the exact bytes sent, as UTF-8 text) at `timestamp`
 * (unix seconds): `t=<timestamp>,v1=<hex>`, the HMAC-SHA256 of `<timestamp>.<body>` keyed with
 * `secret`.
 */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `t=${timestamp},v1=${digest(secret, timestamp, body)}`;
}

/** Why `verifySignature` refused a delivery. */
export type SignatureRefusal = 'malformed' | 'stale' | 'mismatch';

export type SignatureCheck =
  | { readonly ok: true; readonly timestamp: number }
  | { readonly ok: false; readonly reason: SignatureRefusal };

export interface VerifyOptions {
  /** One secret, or several while one is being rotated (any may match). */
  readonly secret: string | readonly string[];
  /** The `Cortege-Signature` header as received. */
  readonly header: string | undefined;
  /** The raw body as received (parse it only after it verifies). */
  readonly body: string | Buffer;
  /** How far (seconds) the signed time may be from `now`, either way: 300 unless told. */
  readonly toleranceSeconds?: number;
  /** The receiver's clock, ms since the epoch: `Date.now()` unless told. */
  readonly now?: number;
}

/**
 * Checks a delivery as a receiver must: the header is well formed, its time is within the
 * tolerance of `now` (so a captured delivery cannot be replayed later), and one of its `v1`
 * signatures is the HMAC of `<t>.<body>` under one of the secrets, compared in constant time.
 */
export function verifySignature(options: VerifyOptions): SignatureCheck {
  const { header, toleranceSeconds = 300, now = Date.now() } = options;
  if (header === undefined) return { ok: false, reason: 'malformed' };
  let timestamp: number | undefined;
  const signatures: Buffer[] = [];
  for (const part of header.split(',')) {
    const at = part.indexOf('=');
    const key = part.slice(0, at).trim();
    const value = part.slice(at + 1).trim();
    if (key === 't' && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    else if (key === 'v1' && /^[0-9a-f]{64}$/.test(value))
      signatures.push(Buffer.from(value, 'hex'));
  }
  if (timestamp === undefined || signatures.length === 0) return { ok: false, reason: 'malformed' };
  if (Math.abs(now / 1000 - timestamp) > toleranceSeconds) return { ok: false, reason: 'stale' };
  const body = typeof options.body === 'string' ? options.body : options.body.toString('utf8');
  const secrets = typeof options.secret === 'string' ? [options.secret] : options.secret;
  for (const secret of secrets) {
    const expected = Buffer.from(digest(secret, timestamp, body), 'hex');
    if (signatures.some((s) => timingSafeEqual(s, expected))) return { ok: true, timestamp };
  }
  return { ok: false, reason: 'mismatch' };
}
