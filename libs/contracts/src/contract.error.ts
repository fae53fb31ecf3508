/** Why a submission breaks its contract; stable strings for machines (API bodies, DLQ reasons). */
export enum ViolationCode {
  MissingField = 'missing_field',
  WrongType = 'wrong_type',
  InvalidEnum = 'invalid_enum',
  UnknownField = 'unknown_field',
  InvalidDate = 'invalid_date',
  EndBeforeStart = 'end_before_start',
  InvalidUuid = 'invalid_uuid',
  InvalidRevision = 'invalid_revision',
  MissingPayload = 'missing_payload',
  NegativeCount = 'negative_count',
  /** A coordinate that is not a finite number within its range (lon −180..180, lat −90..90). */
  OutOfRange = 'out_of_range',
  /** A text that is not Unicode: a lone UTF-16 surrogate. */
  InvalidText = 'invalid_text',
  /** An envelope `source` that is not an application identifier. */
  InvalidSource = 'invalid_source',
}

/** One broken rule, at a field path such as `payload.cortege.MovingDemonstration.endAt`. */
export interface Violation {
  readonly path: string;
  readonly code: ViolationCode;
  readonly message: string;
}

/** A submission that breaks its contract. Never retriable: the same input fails the same way. */
export class ContractError extends Error {
  readonly retriable = false;

  constructor(readonly violations: readonly Violation[]) {
    super(
      `submission breaks its contract: ${violations.map((v) => `${v.path || '(root)'}: ${v.message}`).join('; ')}`,
    );
    this.name = 'ContractError';
  }
}
