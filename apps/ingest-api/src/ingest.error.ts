/** Why the ingest API refused a request; the `error` field of every error body. */
export enum IngestErrorCode {
  MalformedJson = 'malformed_json',
  InvalidSubmission = 'invalid_submission',
  EmptyBatch = 'empty_batch',
  UnsupportedMediaType = 'unsupported_media_type',
  PayloadTooLarge = 'payload_too_large',
  BatchTooLarge = 'batch_too_large',
  TooManyPoints = 'too_many_points',
  RevisionConflict = 'revision_conflict',
  InvalidToken = 'invalid_token',
  InsufficientRole = 'insufficient_role',
  /** The producer may not write a submission's `source` (INGEST_PRODUCERS). */
  SourceNotAllowed = 'source_not_allowed',
  /** A revision or cancel of an event another producer created. */
  EventOfAnotherProducer = 'event_of_another_producer',
  /** A token that names neither a client (`azp`, `client_id`) nor a subject (`sub`). */
  UnidentifiedProducer = 'unidentified_producer',
  /** No status of this event (or revision) is known to the producer asking. */
  SubmissionNotFound = 'submission_not_found',
  /** A status path whose event id is not a UUID, or whose revision is not a positive integer. */
  InvalidStatusRequest = 'invalid_status_request',
  /** Kafka or the schema registry did not take the submissions: try again later. */
  Unavailable = 'unavailable',
}

const STATUS: Record<IngestErrorCode, number> = {
  [IngestErrorCode.MalformedJson]: 400,
  [IngestErrorCode.InvalidSubmission]: 400,
  [IngestErrorCode.EmptyBatch]: 400,
  [IngestErrorCode.UnsupportedMediaType]: 415,
  [IngestErrorCode.PayloadTooLarge]: 413,
  [IngestErrorCode.BatchTooLarge]: 413,
  [IngestErrorCode.TooManyPoints]: 413,
  [IngestErrorCode.RevisionConflict]: 409,
  [IngestErrorCode.InvalidToken]: 401,
  [IngestErrorCode.InsufficientRole]: 403,
  [IngestErrorCode.SourceNotAllowed]: 403,
  [IngestErrorCode.EventOfAnotherProducer]: 403,
  [IngestErrorCode.UnidentifiedProducer]: 403,
  [IngestErrorCode.SubmissionNotFound]: 404,
  [IngestErrorCode.InvalidStatusRequest]: 400,
  [IngestErrorCode.Unavailable]: 503,
};

/**
 * A refused request. `retriable` is true only for `Unavailable` (the same request may succeed
 * later, and nothing of it was accepted); every other code fails the same way on every retry.
 * `details` go into the error body beside `error` and `message`; `submissions` is how many
 * submissions the refused request carried, when known (for the metrics).
 */
export class IngestError extends Error {
  readonly retriable: boolean;
  readonly status: number;

  constructor(
    readonly code: IngestErrorCode,
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
    readonly submissions = 1,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'IngestError';
    this.status = STATUS[code];
    this.retriable = code === IngestErrorCode.Unavailable;
  }

  /** The JSON body of the error response. */
  body(): Record<string, unknown> {
    return { error: this.code, message: this.message, ...this.details };
  }
}
