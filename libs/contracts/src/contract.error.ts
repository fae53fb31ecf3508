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

/**
 * A broken rule as reported to producers: the contract's `Violation`, or one of a rule applied
 * after it (the sanitizer's own codes, such as `outside_area`), by field path.
 */
export interface RuleViolation {
  readonly path: string;
  readonly code: string;
  readonly message: string;
}

/**
 * At most this many violations are reported for one submission (in an API answer, a
 * `ContractError`, a dead letter, `cortege sanitize`'s output); the rest are counted only.
 */
export const MAX_VIOLATIONS = 100;

/** Every violation found, up to a limit: the first ones in the order found, and how many. */
export interface ViolationReport<V> {
  readonly violations: readonly V[];
  /** How many were found; more than `violations.length` when the list was cut. */
  readonly total: number;
  /** True when the list was cut at the limit. */
  readonly truncated: boolean;
}

/** The first `max` of `found` (in order) and how many there were. */
export function reportViolations<V>(
  found: readonly V[],
  max: number = MAX_VIOLATIONS,
): ViolationReport<V> {
  return found.length > max
    ? { violations: found.slice(0, max), total: found.length, truncated: true }
    : { violations: found, total: found.length, truncated: false };
}

/** The violations listed in a `ContractError`'s message; all of them stay in `violations`. */
const MESSAGE_VIOLATIONS = 10;

/**
 * A submission that breaks its contract (or a rule checked at the source). Never retriable:
 * the same input fails the same way. `violations` holds every violation found up to
 * `MAX_VIOLATIONS`; `total` says how many there were, `truncated` whether some were left out.
 */
export class ContractError extends Error {
  readonly retriable = false;
  readonly truncated: boolean;

  constructor(
    readonly violations: readonly RuleViolation[],
    readonly total: number = violations.length,
  ) {
    const listed = violations.slice(0, MESSAGE_VIOLATIONS);
    const more = total - listed.length;
    super(
      `submission breaks its contract (${total} violation${total === 1 ? '' : 's'}): ` +
        listed.map((v) => `${v.path || '(root)'}: ${v.code}: ${v.message}`).join('; ') +
        (more > 0 ? `; and ${more} more` : ''),
    );
    this.name = 'ContractError';
    this.truncated = total > violations.length;
  }
}
