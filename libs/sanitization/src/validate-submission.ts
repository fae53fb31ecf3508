import {
  parseSubmission,
  reportViolations,
  type Submission,
  type ViolationReport,
} from '@app/contracts';
import { DEFAULT_SANITIZATION_POLICY, type SanitizationPolicy } from './sanitization.policy';
import { SanitizationViolationCode, type SanitizationViolation } from './sanitization.violation';
import { checkSubmission } from './submission.rules';

/** A submission checked at its source: valid, or every violation (up to `MAX_VIOLATIONS`). */
export type SubmissionValidation =
  | { readonly ok: true; readonly submission: Submission }
  | ({ readonly ok: false } & ViolationReport<SanitizationViolation>);

/** Whether `path` is `at` or lies inside it (`a.b` covers `a.b` and `a.b.c`, not `a.bc`). */
const within = (path: string, at: string) => at === '' || path === at || path.startsWith(`${at}.`);

/**
 * The sanitizer's rules on a value that broke the contract, as far as it could be read. The
 * rules are written for the contract's shape; where the value is too broken for one of them
 * (a field missing that they read), the contract's violations stand alone.
 */
function rulesOnBroken(shaped: unknown, policy: SanitizationPolicy): SanitizationViolation[] {
  if (typeof shaped !== 'object' || shaped === null) return [];
  const { payload } = shaped as { payload?: unknown };
  if (payload !== null && (typeof payload !== 'object' || Array.isArray(payload))) return [];
  try {
    return [...checkSubmission(shaped as Submission, policy).violations];
  } catch {
    return [];
  }
}

/**
 * Every check a submission gets before it may enter the pipeline: the contract
 * (`parseSubmission`), then the sanitizer's rules with the same `policy` as the sanitizer stage
 * (`checkSubmission`) — so that a producer learns every fault at once, from the ingest API's
 * 400, the SDK's `ContractError` or `cortege sanitize`. One violation per place: a rule's
 * violation at or inside a path the contract already reported is left out. At most
 * `MAX_VIOLATIONS` are listed; `total` counts them all. Pure; never throws on bad data.
 */
export function validateSubmission(
  value: unknown,
  policy: SanitizationPolicy = DEFAULT_SANITIZATION_POLICY,
): SubmissionValidation {
  const parsed = parseSubmission(value);
  if (parsed.ok) {
    const { violations } = checkSubmission(parsed.submission, policy);
    return violations.length === 0
      ? parsed
      : { ok: false, ...reportViolations<SanitizationViolation>(violations) };
  }
  const found: SanitizationViolation[] = [...parsed.violations];
  for (const v of rulesOnBroken(parsed.shaped, policy)) {
    // The time window is reported at endAt but reads startAt too: an unreadable startAt (its
    // placeholder is 0) says nothing of the event's duration.
    const start = v.path.endsWith('.endAt') ? `${v.path.slice(0, -'endAt'.length)}startAt` : '';
    if (start !== '' && parsed.violations.some((f) => f.path === start)) continue;
    // A position's rule is about its coordinates: one the contract found wrong says it all.
    const positional =
      v.code === SanitizationViolationCode.InvalidCoordinate ||
      v.code === SanitizationViolationCode.OutsideArea;
    if (positional && parsed.violations.some((f) => within(f.path, v.path))) continue;
    if (!found.some((f) => within(v.path, f.path))) found.push(v);
  }
  return { ok: false, ...reportViolations(found) };
}
