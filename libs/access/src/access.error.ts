/** Why the access library refused a call. */
export const ACCESS_ERROR_CODES = [
  /** A role that is not one of `ACCESS_ROLES`. */
  'invalid_role',
  /** A subject (or `grantedBy`, `revokedBy`) that is not an opaque token subject. */
  'invalid_subject',
  /** A reason that is empty once trimmed and scrubbed, or too long. */
  'invalid_reason',
  /** A `validUntil` that is not a valid date in the future. */
  'invalid_until',
  /** The subject already holds an active habilitation for that role. */
  'already_granted',
  /** No habilitation has that id. */
  'not_found',
  /** The habilitation was revoked before. */
  'already_revoked',
] as const;

export type AccessErrorCode = (typeof ACCESS_ERROR_CODES)[number];

/**
 * A refused grant, revoke or lookup. The message names the field and says what is expected;
 * `field` is the input's property name (`subject`, `role`, `reason`, `validUntil`, `grantedBy`,
 * `revokedBy`, `id`), undefined when the refusal is about the state, not a field.
 */
export class AccessError extends Error {
  constructor(
    readonly code: AccessErrorCode,
    message: string,
    readonly field: string | undefined = undefined,
  ) {
    super(message);
    this.name = 'AccessError';
  }
}
