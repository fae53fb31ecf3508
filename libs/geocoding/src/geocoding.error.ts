/** Why a geocoder could not answer. An address that resolves to nothing is `null`, never an error. */
export enum GeocodingErrorCode {
  /** The service did not answer within the configured time. Retriable. */
  Timeout = 'timeout',
  /** The service kept answering 429 after the bounded retries. Retriable. */
  RateLimited = 'rate_limited',
  /** Connection refused or reset, DNS failure, or a 5xx. Retriable. */
  Unavailable = 'unavailable',
  /** The service answered something that is not its documented format. Not retriable. */
  MalformedResponse = 'malformed_response',
  /** The service refused the request (a 4xx other than 429). Not retriable. */
  Rejected = 'rejected',
  /** The cache or the gazetteer's database failed. Retriable. */
  StoreUnavailable = 'store_unavailable',
}

const RETRIABLE: Record<GeocodingErrorCode, boolean> = {
  [GeocodingErrorCode.Timeout]: true,
  [GeocodingErrorCode.RateLimited]: true,
  [GeocodingErrorCode.Unavailable]: true,
  [GeocodingErrorCode.MalformedResponse]: false,
  [GeocodingErrorCode.Rejected]: false,
  [GeocodingErrorCode.StoreUnavailable]: true,
};

/** A geocoder failed to answer; `retriable` tells a consumer whether to back off and retry. */
export class GeocodingError extends Error {
  readonly retriable: boolean;

  constructor(
    readonly code: GeocodingErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'GeocodingError';
    this.retriable = RETRIABLE[code];
  }
}
