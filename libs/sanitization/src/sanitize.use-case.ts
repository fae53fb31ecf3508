import { payloadOf, type KindedEvent, type Submission } from '@app/contracts';
import { addCounts, type ScrubCounts } from './pii-kind';
import {
  assertValidPolicy,
  DEFAULT_SANITIZATION_POLICY,
  type SanitizationPolicy,
} from './sanitization.policy';
import type { SanitizationViolation } from './sanitization.violation';
import { checkSubmission } from './submission.rules';
import { scrubText, type ScrubOptions } from './text-scrubber';

/** The sanitizer's verdict on one submission. */
export type SanitizeResult =
  | {
      readonly outcome: 'clean';
      /** Scrubbed and repaired, in the same Avro shape as the input; a CANCEL without payload. */
      readonly submission: Submission;
      /** How many values of each kind of personal data were replaced, all fields together. */
      readonly scrubCounts: ScrubCounts;
      /** Field path and what was repaired, one line each; empty when nothing was. */
      readonly repairs: readonly string[];
    }
  | { readonly outcome: 'rejected'; readonly violations: readonly SanitizationViolation[] };

/**
 * Every free-text field of an event scrubbed: subject, description (`scrub`) and every address
 * (`scrubAddress`).
 */
function scrubEvent(
  kinded: KindedEvent,
  scrub: (text: string) => string,
  scrubAddress: (text: string) => string,
): KindedEvent {
  const texts = <E extends { subject: string; description: string | null }>(e: E): E => ({
    ...e,
    subject: scrub(e.subject),
    description: e.description === null ? null : scrub(e.description),
  });
  switch (kinded.kind) {
    case 'MOVING_DEMONSTRATION': {
      const e = kinded.event;
      return {
        kind: kinded.kind,
        event: {
          ...texts(e),
          departureAddress: scrubAddress(e.departureAddress),
          waypointAddresses: e.waypointAddresses.map(scrubAddress),
          arrivalAddress: scrubAddress(e.arrivalAddress),
        },
      };
    }
    case 'STATIC_DEMONSTRATION': {
      const e = kinded.event;
      return { kind: kinded.kind, event: { ...texts(e), address: scrubAddress(e.address) } };
    }
    case 'SCHEDULED_OPERATION': {
      const e = kinded.event;
      return {
        kind: kinded.kind,
        event: { ...texts(e), addresses: e.addresses.map(scrubAddress) },
      };
    }
    case 'OFFICIAL_VISIT': {
      const e = kinded.event;
      return {
        kind: kinded.kind,
        event: { ...texts(e), addresses: e.addresses.map(scrubAddress) },
      };
    }
    default: {
      const _exhaustive: never = kinded;
      return _exhaustive;
    }
  }
}

/**
 * The sanitizer's use case: checks a submission in the contract's shape (as decoded from the
 * topic, or returned by `parseSubmission`) against every rule of `policy`, on the original
 * text; then repairs the trivially repairable footprint and scrubs personal data from every
 * free-text field. Either the clean submission, or every violation with its field path.
 * A CANCEL needs only a valid envelope and comes out without payload.
 * Pure: no I/O, never throws on bad data; throws `SanitizationError` for an invalid policy.
 */
export function sanitize(
  submission: Submission,
  policy: SanitizationPolicy = DEFAULT_SANITIZATION_POLICY,
): SanitizeResult {
  assertValidPolicy(policy);
  const rules = checkSubmission(submission, policy);
  if (rules.violations.length > 0) return { outcome: 'rejected', violations: rules.violations };

  const scrubCounts: ScrubCounts = {};
  const scrubWith = (options: ScrubOptions) => (text: string) => {
    const scrubbed = scrubText(text, options);
    addCounts(scrubCounts, scrubbed.counts);
    return scrubbed.text;
  };
  const scrub = scrubWith({});
  const scrubAddress = scrubWith({ placeNames: policy.placeNames });
  const clean: Submission = {
    eventId: submission.eventId,
    revision: submission.revision,
    action: submission.action,
    submittedAt: submission.submittedAt,
    source: submission.source,
    payload: rules.event === null ? null : payloadOf(scrubEvent(rules.event, scrub, scrubAddress)),
  };
  return { outcome: 'clean', submission: clean, scrubCounts, repairs: rules.repairs };
}
