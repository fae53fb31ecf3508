import { scrubText } from '@app/sanitization';
import { AccessError } from './access.error';
import { ACCESS_ROLES, isAccessRole, type AccessRole } from './access-role';

/** Longest subject: OpenID Connect's `sub` is at most 255 ASCII characters. */
export const SUBJECT_MAX_LENGTH = 255;

/** Longest reason once scrubbed, in code points. */
export const REASON_MAX_LENGTH = 1000;

/** A token subject: printable ASCII without spaces, as OpenID Connect's `sub`. */
const SUBJECT = /^[\x21-\x7e]+$/;

/**
 * `value` as a subject: the opaque identifier of a token (`sub`), never a name or an address.
 * Anything the personal-data scrubber would replace (an e-mail address, a phone number…) is
 * refused, so is anything but 1–255 printable ASCII characters.
 * @param field the input's property name, for the message (`subject`, `grantedBy`, `revokedBy`).
 * @throws AccessError `invalid_subject`.
 */
export function checkSubject(value: unknown, field = 'subject'): string {
  if (typeof value !== 'string' || value.length > SUBJECT_MAX_LENGTH || !SUBJECT.test(value)) {
    throw new AccessError(
      'invalid_subject',
      `${field}: expected a token subject, 1 to ${SUBJECT_MAX_LENGTH} printable ASCII characters without spaces`,
      field,
    );
  }
  const kinds = Object.keys(scrubText(value).counts);
  if (kinds.length > 0) {
    throw new AccessError(
      'invalid_subject',
      `${field}: looks like personal data (${kinds.join(', ')}); give the token's opaque subject, never a name or an address`,
      field,
    );
  }
  return value;
}

/** @throws AccessError `invalid_role` when `value` is not one of `ACCESS_ROLES`. */
export function checkRole(value: unknown): AccessRole {
  if (isAccessRole(value)) return value;
  throw new AccessError(
    'invalid_role',
    `role: ${JSON.stringify(value)} is not a role; expected one of ${ACCESS_ROLES.join(', ')}`,
    'role',
  );
}

/**
 * The reason to store: an admin's free text, scrubbed of personal data by the sanitizer's
 * scrubber (`[EMAIL]`, `[NAME]`…) and trimmed.
 * @throws AccessError `invalid_reason` when it is empty, or longer than `REASON_MAX_LENGTH`.
 */
export function scrubReason(value: unknown, field = 'reason'): string {
  const text = typeof value === 'string' ? scrubText(value).text.trim() : '';
  if (text === '') {
    throw new AccessError('invalid_reason', `${field}: required, say why (it is kept)`, field);
  }
  if ([...text].length > REASON_MAX_LENGTH) {
    throw new AccessError(
      'invalid_reason',
      `${field}: longer than ${REASON_MAX_LENGTH} characters`,
      field,
    );
  }
  return text;
}

/**
 * The end of a habilitation: null (none) or a valid date after `now`.
 * @throws AccessError `invalid_until`.
 */
export function checkUntil(value: unknown, now: Date): Date | null {
  if (value === undefined || value === null) return null;
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
    throw new AccessError('invalid_until', 'validUntil: not a valid date', 'validUntil');
  }
  if (value.getTime() <= now.getTime()) {
    throw new AccessError(
      'invalid_until',
      `validUntil: ${value.toISOString()} is not in the future`,
      'validUntil',
    );
  }
  return value;
}
