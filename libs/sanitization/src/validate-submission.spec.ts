import { MAX_VIOLATIONS, parseSubmission, ViolationCode } from '@app/contracts';
import { sampleSubmissions } from '@app/testing';
import { sanitizationPolicy } from './sanitization.policy';
import { SanitizationViolationCode as Code } from './sanitization.violation';
import { validateSubmission } from './validate-submission';

type Json = Record<string, unknown>;
const BASE = 'payload.cortege.MovingDemonstration';
const moving = () => {
  const s = JSON.parse(JSON.stringify(sampleSubmissions().moving)) as Json;
  return { s, e: (s.payload as Json)['cortege.MovingDemonstration'] as Json };
};
const violationsOf = (value: unknown, policy = sanitizationPolicy()) => {
  const result = validateSubmission(value, policy);
  return result.ok ? [] : result.violations.map((v) => [v.path, v.code]);
};

describe('validateSubmission (the contract, then the sanitizer’s rules, at the source)', () => {
  it('accepts a valid submission of every kind as parseSubmission returns it', () => {
    for (const sample of Object.values(sampleSubmissions())) {
      expect(validateSubmission(JSON.parse(JSON.stringify(sample)))).toEqual(
        parseSubmission(JSON.parse(JSON.stringify(sample))),
      );
    }
  });

  it('an unknown enum, a negative count and an end before the start: the three, once each', () => {
    const { s, e } = moving();
    e.organiserStatus = 'COMPANY';
    e.peopleDeclared = -3;
    e.endAt = e.startAt;
    const result = validateSubmission(s);
    expect(result).toMatchObject({ ok: false, total: 3, truncated: false });
    expect(violationsOf(s)).toEqual([
      [`${BASE}.organiserStatus`, ViolationCode.InvalidEnum],
      [`${BASE}.endAt`, ViolationCode.EndBeforeStart],
      [`${BASE}.peopleDeclared`, ViolationCode.NegativeCount],
    ]);
  });

  it('adds the sanitizer’s violations to the contract’s, in one list', () => {
    const { s, e } = moving();
    e.organiserStatus = 'COMPANY';
    delete e.arrivalAddress;
    e.waypointAddresses = ['  '];
    e.route = {
      coordinates: [
        { lon: 2.35, lat: 48.85 },
        { lon: 5.37, lat: 43.29 },
      ],
    };
    expect(violationsOf(s)).toEqual([
      [`${BASE}.organiserStatus`, ViolationCode.InvalidEnum],
      [`${BASE}.arrivalAddress`, ViolationCode.MissingField],
      [`${BASE}.waypointAddresses.0`, Code.EmptyAddress],
      [`${BASE}.route.coordinates.0`, Code.OutsideArea],
    ]);
  });

  it('a submission the contract accepts: every sanitizer violation, with the policy given', () => {
    const { s, e } = moving();
    e.peopleExpected = 50;
    e.carsExpected = 200_000;
    e.endAt = (e.startAt as number) + 100 * 3_600_000;
    expect(violationsOf(s)).toEqual([
      [`${BASE}.endAt`, Code.DurationTooLong],
      [`${BASE}.carsExpected`, Code.CountTooLarge],
    ]);
    expect(violationsOf(s, sanitizationPolicy({ maxPeople: 10, maxDurationHours: 200 }))).toEqual([
      [`${BASE}.peopleExpected`, Code.CountTooLarge],
      [`${BASE}.peopleDeclared`, Code.CountTooLarge],
      [`${BASE}.carsExpected`, Code.CountTooLarge],
    ]);
  });

  it(`lists at most ${MAX_VIOLATIONS}, in order, with the total and a truncated marker`, () => {
    const { s, e } = moving();
    e.waypointAddresses = Array.from({ length: 150 }, () => '');
    e.organiserStatus = 'COMPANY';
    const result = validateSubmission(s);
    if (result.ok) throw new Error('expected a rejection');
    expect(result.total).toBe(151);
    expect(result.truncated).toBe(true);
    expect(result.violations).toHaveLength(MAX_VIOLATIONS);
    expect(result.violations[0]?.code).toBe(ViolationCode.InvalidEnum);
    expect(result.violations[MAX_VIOLATIONS - 1]?.path).toBe(`${BASE}.waypointAddresses.98`);
  });

  it('says nothing of the duration when the start could not be read', () => {
    const { s, e } = moving();
    e.startAt = 'demain matin';
    e.peopleDeclared = -1;
    expect(violationsOf(s)).toEqual([
      [`${BASE}.startAt`, ViolationCode.InvalidDate],
      [`${BASE}.peopleDeclared`, ViolationCode.NegativeCount],
    ]);
  });

  it('a coordinate out of range is one violation, not a second one for its position', () => {
    const { s, e } = moving();
    e.route = {
      coordinates: [
        { lon: 181, lat: 43.29 },
        { lon: 2.35, lat: 48.85 },
      ],
    };
    expect(violationsOf(s)).toEqual([
      [`${BASE}.route.coordinates.0.lon`, ViolationCode.OutOfRange],
      [`${BASE}.route.coordinates.1`, Code.OutsideArea],
    ]);
  });

  it('never throws on a value too broken for the rules: the contract’s violations stand', () => {
    const { s, e } = moving();
    e.route = { coordinates: [null, 'x', 3] };
    e.waypointAddresses = 'La Canebière';
    e.subject = 42;
    expect(violationsOf(s)).toEqual([
      [`${BASE}.subject`, ViolationCode.WrongType],
      [`${BASE}.route.coordinates.0`, ViolationCode.WrongType],
      [`${BASE}.route.coordinates.1`, ViolationCode.WrongType],
      [`${BASE}.route.coordinates.2`, ViolationCode.WrongType],
      [`${BASE}.waypointAddresses`, ViolationCode.WrongType],
    ]);
    for (const broken of [null, [], 'x', { payload: 7 }, { payload: { 'cortege.X': {} } }]) {
      expect(validateSubmission(broken).ok).toBe(false);
    }
  });
});
