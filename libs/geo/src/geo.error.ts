/**
 * Programmer errors of the geo library: a call that breaks a documented precondition. Business
 * outcomes (an address that did not resolve) are never thrown: they come back as a
 * `geocodeQuality: 'none'` result.
 */
export enum GeoErrorCode {
  /** An H3 resolution that is not an integer in 0–15, or a parent finer than its child. */
  InvalidResolution = 'invalid_resolution',
  /** A position whose lon is not finite in −180..180 or lat not finite in −90..90. */
  InvalidCoordinate = 'invalid_coordinate',
  /** A line or polygon with no position, or a ring with none. */
  InvalidGeometry = 'invalid_geometry',
  /** A radius, a count or a density that is negative, zero where it must not be, or not finite. */
  InvalidQuantity = 'invalid_quantity',
  /** A string that is not a valid H3 cell index. */
  InvalidCell = 'invalid_cell',
  /** A `LocatorModel` with a parameter out of range. */
  InvalidModel = 'invalid_model',
  /** Geocoded places not aligned with the event's addresses (wrong count). */
  PlacesMismatch = 'places_mismatch',
  /** An event whose end is not after its start (the contract forbids it upstream). */
  InvalidInterval = 'invalid_interval',
  /** h3-js could not produce a cover even after the fallbacks (e.g. output too large). */
  CoverFailed = 'cover_failed',
}

/** Misuse of the geo library. Never retriable: the same call fails the same way. */
export class GeoError extends Error {
  readonly retriable = false;

  constructor(
    readonly code: GeoErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'GeoError';
  }
}
