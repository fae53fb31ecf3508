import { parseSubmission, type Submission, type Violation } from '@app/contracts';
import { IngestError, IngestErrorCode } from './ingest.error';
import { checkLimits, type SubmissionLimits } from './submission.limits';

/** A contract violation of one submission of a request, by its index in the request. */
export interface IndexedViolation extends Violation {
  readonly index: number;
}

/** More than this many violations are cut, so a broken batch gets a bounded answer. */
const MAX_REPORTED_VIOLATIONS = 1000;

/**
 * The submissions of a request body — one object, or an array of them — checked against the
 * size limits and the contract, all or nothing, in the contract's normalised shape.
 *
 * @throws IngestError EmptyBatch (400), BatchTooLarge / TooManyPoints (413), or
 *   InvalidSubmission (400) with every violation, its submission's index and field path.
 */
export function parseBatch(body: unknown, limits: SubmissionLimits): Submission[] {
  const items: readonly unknown[] = Array.isArray(body) ? body : [body];
  if (items.length === 0)
    throw new IngestError(IngestErrorCode.EmptyBatch, 'the batch holds no submission', {}, 0);
  checkLimits(items, limits);

  const submissions: Submission[] = [];
  const violations: IndexedViolation[] = [];
  items.forEach((item, index) => {
    const result = parseSubmission(item);
    if (result.ok) submissions.push(result.submission);
    else for (const v of result.violations) violations.push({ index, ...v });
  });
  if (violations.length > 0) {
    const invalid = new Set(violations.map((v) => v.index)).size;
    throw new IngestError(
      IngestErrorCode.InvalidSubmission,
      `${invalid} of ${items.length} submission(s) break the contract; none was accepted`,
      {
        violations: violations
          .slice(0, MAX_REPORTED_VIOLATIONS)
          .map(({ index, path, code, message }) => ({ index, path, code, message })),
        ...(violations.length > MAX_REPORTED_VIOLATIONS
          ? { violationsOmitted: violations.length - MAX_REPORTED_VIOLATIONS }
          : {}),
      },
      items.length,
    );
  }
  return submissions;
}
