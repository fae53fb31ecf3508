/**
 * Programmer errors of the tension library: a model or an input that breaks a documented
 * precondition. The model is pure, so the same call always fails the same way.
 */
export enum TensionErrorCode {
  /** A `TensionModel` with a weight, a bucket size, a threshold or a resolution out of range. */
  InvalidModel = 'invalid_model',
  /** A located event with an unknown kind, an empty id or a negative or non-finite count. */
  InvalidEvent = 'invalid_event',
  /** Two located events with the same id in one call (the caller must keep the newest revision). */
  DuplicateEvent = 'duplicate_event',
  /** A string that is not a valid H3 cell, or one coarser than a resolution to score. */
  InvalidCell = 'invalid_cell',
  /** An interval whose bounds are not finite or whose end is not after its start. */
  InvalidInterval = 'invalid_interval',
  /** A bucket length that is not a positive integer number of milliseconds. */
  InvalidBucket = 'invalid_bucket',
  /** A row names an event whose kind was not given. */
  UnknownEvent = 'unknown_event',
  /** Hotspot input: values and neighbour lists that disagree, a non-finite value, α outside (0, 1). */
  InvalidHotspotInput = 'invalid_hotspot_input',
  /** Agenda input: a day that is not `YYYY-MM-DD`, a span of days or a reference out of range. */
  InvalidAgenda = 'invalid_agenda',
}

/** Misuse of the tension library. Never retriable: the same call fails the same way. */
export class TensionError extends Error {
  readonly retriable = false;

  constructor(
    readonly code: TensionErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'TensionError';
  }
}
