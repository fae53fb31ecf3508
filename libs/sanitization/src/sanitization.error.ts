/**
 * Programmer errors of the sanitization library. Business failures (a bad submission) are never
 * thrown: they come back as `{ outcome: 'rejected', violations }`.
 */
export enum SanitizationErrorCode {
  /** A `SanitizationPolicy` with a limit that is not a positive number or an empty area. */
  InvalidPolicy = 'invalid_policy',
}

/** Misuse of the library. Never retriable: the same call fails the same way. */
export class SanitizationError extends Error {
  readonly retriable = false;

  constructor(
    readonly code: SanitizationErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SanitizationError';
  }
}
