import type { RuleViolation, Submission } from '@app/contracts';
import { validateSubmission, type SanitizationPolicy } from '@app/sanitization/rules';
import { IngestError, IngestErrorCode } from './ingest.error';
import { checkLimits, type SubmissionLimits } from './submission.limits';

/** A violation of one submission of a request (contract or rule), by its index in the request. */
export interface IndexedViolation extends RuleViolation {
  readonly index: number;
}

/**
 * More than this many violations in a request are cut, so a broken batch gets a bounded answer
 * (each submission lists at most `MAX_VIOLATIONS` of its own).
 */
const MAX_REPORTED_VIOLATIONS = 1000;

/**
 * The submissions of a request body — one object, or an array of them — checked against the
 * size limits, the contract and the sanitizer's rules under `policy` (the stage's own), all or
 * nothing, in the contract's normalised shape.
 *
 * @throws IngestError EmptyBatch (400), BatchTooLarge / TooManyPoints (413), or
 *   InvalidSubmission (400) with every violation (at most `MAX_VIOLATIONS` a submission), its
 *   submission's index, field path and code; `truncated` and `violationsOmitted` when some
 *   were left out.
 */
export function parseBatch(
  body: unknown,
  limits: SubmissionLimits,
  policy: SanitizationPolicy,
): Submission[] {
  const items: readonly unknown[] = Array.isArray(body) ? body : [body];
  if (items.length === 0)
    throw new IngestError(IngestErrorCode.EmptyBatch, 'the batch holds no submission', {}, 0);
  checkLimits(items, limits);

  const submissions: Submission[] = [];
  const violations: IndexedViolation[] = [];
  let invalid = 0;
  let omitted = 0;
  items.forEach((item, index) => {
    const result = validateSubmission(item, policy);
    if (result.ok) return void submissions.push(result.submission);
    invalid++;
    omitted += result.total - result.violations.length;
    for (const v of result.violations) violations.push({ index, ...v });
  });
  if (invalid > 0) {
    omitted += Math.max(0, violations.length - MAX_REPORTED_VIOLATIONS);
    throw new IngestError(
      IngestErrorCode.InvalidSubmission,
      `${invalid} of ${items.length} submission(s) break the contract; none was accepted`,
      {
        violations: violations
          .slice(0, MAX_REPORTED_VIOLATIONS)
          .map(({ index, path, code, message }) => ({ index, path, code, message })),
        ...(omitted > 0 ? { truncated: true, violationsOmitted: omitted } : {}),
      },
      items.length,
    );
  }
  return submissions;
}
