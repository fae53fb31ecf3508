import {
  endsAfterStart,
  envelopeViolations,
  eventOf,
  PAYLOAD_BRANCH,
  ViolationCode,
  type KindedEvent,
  type MovingDemonstration,
  type StaticDemonstration,
  type Submission,
} from '@app/contracts';
import { checkFootprint } from './footprint.rules';
import { checkRoute } from './route.rules';
import type { SanitizationPolicy } from './sanitization.policy';
import { SanitizationViolationCode, type SanitizationViolation } from './sanitization.violation';

/** What the rules found: the violations, or the event as repaired and what was repaired. */
export interface RulesOutcome {
  readonly violations: readonly SanitizationViolation[];
  /** Field path and what was repaired, one line each (`…footprint.rings.0: closed the ring …`). */
  readonly repairs: readonly string[];
  /** The event with its repairs applied; null for a CANCEL (its payload is dropped) or none. */
  readonly event: KindedEvent | null;
}

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;

/** Length in Unicode code points (what a reader counts as characters, emoji included). */
function codePoints(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/**
 * Start and end of an event (UTC epoch milliseconds): integers, the end strictly after the
 * start (`end_before_start`), and end − start at most `policy.maxDurationHours` hours
 * (`duration_too_long`), both reported at `${base}.endAt`.
 */
export function checkTimeWindow(
  event: { readonly startAt: number; readonly endAt: number },
  base: string,
  policy: SanitizationPolicy,
): SanitizationViolation[] {
  const found: SanitizationViolation[] = [];
  for (const field of ['startAt', 'endAt'] as const) {
    if (!Number.isSafeInteger(event[field]))
      found.push({
        path: `${base}.${field}`,
        code: ViolationCode.InvalidDate,
        message: `${String(event[field])} is not an integer number of UTC milliseconds`,
      });
  }
  if (found.length > 0) return found;
  const duration = event.endAt - event.startAt;
  if (!endsAfterStart(event)) {
    found.push({
      path: `${base}.endAt`,
      code: ViolationCode.EndBeforeStart,
      message: `must be after startAt (${new Date(event.startAt).toISOString()})`,
    });
  } else if (duration > policy.maxDurationHours * HOUR_MS) {
    found.push({
      path: `${base}.endAt`,
      code: SanitizationViolationCode.DurationTooLong,
      message: `the event lasts ${+(Math.ceil(duration / MINUTE_MS) / 60).toFixed(2)} h, more than the ${policy.maxDurationHours} h allowed`,
    });
  }
  return found;
}

type Counted = Pick<
  MovingDemonstration | StaticDemonstration,
  'peopleExpected' | 'peopleDeclared' | 'carsExpected' | 'carsDeclared'
>;
const COUNT_LIMITS = [
  ['peopleExpected', 'maxPeople'],
  ['peopleDeclared', 'maxPeople'],
  ['carsExpected', 'maxCars'],
  ['carsDeclared', 'maxCars'],
] as const;

/**
 * People and vehicle counts of a demonstration: null (unknown) or a whole number ≥ 0 and at
 * most `policy.maxPeople` (people fields) or `policy.maxCars` (vehicle fields), per field.
 */
export function checkCounts(
  event: Counted,
  base: string,
  policy: SanitizationPolicy,
): SanitizationViolation[] {
  const found: SanitizationViolation[] = [];
  for (const [field, limit] of COUNT_LIMITS) {
    const count = event[field];
    const path = `${base}.${field}`;
    if (count === null) continue;
    if (!Number.isInteger(count)) {
      found.push({
        path,
        code: ViolationCode.WrongType,
        message: `${count} is not a whole number`,
      });
    } else if (count < 0) {
      found.push({ path, code: ViolationCode.NegativeCount, message: 'must be ≥ 0' });
    } else if (count > policy[limit]) {
      found.push({
        path,
        code: SanitizationViolationCode.CountTooLarge,
        message: `${count} is more than the ${policy[limit]} allowed`,
      });
    }
  }
  return found;
}

/**
 * One address: not empty once trimmed (`empty_address`) and at most `policy.maxAddressLength`
 * code points once trimmed (`address_too_long`).
 */
export function checkAddress(
  address: string,
  path: string,
  policy: SanitizationPolicy,
): SanitizationViolation[] {
  if (typeof address !== 'string') return []; // not text: the contract check says so
  const trimmed = address.trim();
  if (trimmed === '')
    return [{ path, code: SanitizationViolationCode.EmptyAddress, message: 'is empty' }];
  const length = codePoints(trimmed);
  if (length > policy.maxAddressLength)
    return [
      {
        path,
        code: SanitizationViolationCode.AddressTooLong,
        message: `has ${length} characters, more than the ${policy.maxAddressLength} allowed`,
      },
    ];
  return [];
}

/** A list of addresses that must hold at least one (`no_address`), each checked by `checkAddress`. */
export function checkAddressList(
  addresses: readonly string[],
  path: string,
  policy: SanitizationPolicy,
): SanitizationViolation[] {
  if (!Array.isArray(addresses)) return []; // not a list: the contract check says so
  if (addresses.length === 0)
    return [
      { path, code: SanitizationViolationCode.NoAddress, message: 'needs at least one address' },
    ];
  return (addresses as readonly string[]).flatMap((address, i) =>
    checkAddress(address, `${path}.${i}`, policy),
  );
}

/** A free text of at most `max` code points (`text_too_long`); null passes. */
export function checkText(text: string | null, path: string, max: number): SanitizationViolation[] {
  if (typeof text !== 'string') return []; // null, or not text: the contract check says so
  const length = codePoints(text);
  return length > max
    ? [
        {
          path,
          code: SanitizationViolationCode.TextTooLong,
          message: `has ${length} characters, more than the ${max} allowed`,
        },
      ]
    : [];
}

/**
 * Every rule of the sanitizer on a submission in the contract's shape: every violation, in
 * order (the caller lists at most `MAX_VIOLATIONS`). A CANCEL needs only its envelope: any
 * payload is neither checked nor kept. Field paths start at the submission
 * (`payload.cortege.StaticDemonstration.footprint.rings.0.3`). Pure; never throws on bad data.
 * A field of the wrong type (a value that broke the contract, see `validateSubmission`) is
 * passed over by the rules that read it as text or as a list.
 */
export function checkSubmission(submission: Submission, policy: SanitizationPolicy): RulesOutcome {
  const envelope = envelopeViolations(submission);
  if (submission.action === 'CANCEL') {
    return {
      violations: envelope,
      repairs:
        submission.payload === null
          ? []
          : ['payload: dropped (a CANCEL carries only the envelope)'],
      event: null,
    };
  }
  const kinded = eventOf(submission);
  if (kinded === null) return { violations: envelope, repairs: [], event: null };

  const base = `payload.${PAYLOAD_BRANCH[kinded.kind]}`;
  const found = [
    ...envelope,
    ...checkTimeWindow(kinded.event, base, policy),
    ...checkText(kinded.event.subject, `${base}.subject`, policy.maxSubjectLength),
    ...checkText(kinded.event.description, `${base}.description`, policy.maxDescriptionLength),
  ];
  let repairs: readonly string[] = [];
  let event: KindedEvent = kinded;
  switch (kinded.kind) {
    case 'MOVING_DEMONSTRATION': {
      const e = kinded.event;
      found.push(
        ...checkCounts(e, base, policy),
        ...checkAddress(e.departureAddress, `${base}.departureAddress`, policy),
        ...(Array.isArray(e.waypointAddresses) ? (e.waypointAddresses as string[]) : []).flatMap(
          (address, i) => checkAddress(address, `${base}.waypointAddresses.${i}`, policy),
        ),
        ...checkAddress(e.arrivalAddress, `${base}.arrivalAddress`, policy),
      );
      if (Array.isArray(e.route?.coordinates))
        found.push(...checkRoute(e.route, `${base}.route`, policy));
      break;
    }
    case 'STATIC_DEMONSTRATION': {
      const e = kinded.event;
      found.push(
        ...checkCounts(e, base, policy),
        ...checkAddress(e.address, `${base}.address`, policy),
      );
      if (Array.isArray(e.footprint?.rings) && e.footprint.rings.every(Array.isArray)) {
        const checked = checkFootprint(e.footprint, `${base}.footprint`, policy);
        found.push(...checked.violations);
        repairs = checked.repairs;
        event = { kind: kinded.kind, event: { ...e, footprint: checked.footprint } };
      }
      break;
    }
    case 'SCHEDULED_OPERATION':
    case 'OFFICIAL_VISIT':
      found.push(...checkAddressList(kinded.event.addresses, `${base}.addresses`, policy));
      break;
    default: {
      const _exhaustive: never = kinded;
      return _exhaustive;
    }
  }
  return found.length > 0
    ? { violations: found, repairs: [], event: null }
    : { violations: [], repairs, event };
}
