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
