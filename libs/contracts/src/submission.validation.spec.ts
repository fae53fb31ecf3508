import { sampleSubmissions } from '@app/testing';
import { ViolationCode } from './contract.error';
import { parseSubmission } from './submission.validation';

type Json = Record<string, unknown>;
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
const moving = () => {
  const s = clone(sampleSubmissions().moving) as unknown as Json;
  return { s, e: (s.payload as Json)['cortege.MovingDemonstration'] as Json };
};
const violationsOf = (value: unknown) => {
  const result = parseSubmission(value);
  return result.ok ? [] : result.violations.map((v) => [v.path, v.code]);
};

describe('parseSubmission', () => {
  it('accepts a submission of every kind and a cancel, unchanged', () => {
    for (const sample of Object.values(sampleSubmissions())) {
      expect(parseSubmission(clone(sample))).toEqual({ ok: true, submission: sample });
    }
  });

  it('fills omitted optional fields with their defaults', () => {
    const { s, e } = moving();
    delete e.description;
    delete e.route;
    delete e.waypointAddresses;
    delete e.peopleDeclared;
    const result = parseSubmission(s);
    expect(result.ok).toBe(true);
    const event = result.ok
      ? (result.submission.payload as Json)['cortege.MovingDemonstration']
      : undefined;
    expect(event).toMatchObject({
      description: null,
      route: null,
      waypointAddresses: [],
      peopleDeclared: null,
    });
  });

  it('reads ISO date-times, local ones in Europe/Paris', () => {
    const { s, e } = moving();
    e.startAt = '2026-05-01T10:30';
    e.endAt = '2026-05-01T13:00:00+02:00';
    s.submittedAt = '2026-05-01T07:12:00Z';
    const result = parseSubmission(s);
    const event = result.ok
      ? (result.submission.payload as Json)['cortege.MovingDemonstration']
      : undefined;
    expect(event).toMatchObject({
      startAt: Date.parse('2026-05-01T08:30:00Z'),
      endAt: Date.parse('2026-05-01T11:00:00Z'),
    });
    expect(result.ok && result.submission.submittedAt).toBe(Date.parse('2026-05-01T07:12:00Z'));
  });

  it('names a missing field by its path', () => {
    const { s, e } = moving();
    delete e.arrivalAddress;
    delete s.source;
    expect(violationsOf(s)).toEqual([
      ['source', ViolationCode.MissingField],
      ['payload.cortege.MovingDemonstration.arrivalAddress', ViolationCode.MissingField],
    ]);
  });

  it('refuses a value outside an enum, and says which values are allowed', () => {
    const { s, e } = moving();
    e.organiserStatus = 'COMPANY';
    const result = parseSubmission(s);
    expect(result.ok ? [] : result.violations).toEqual([
      {
        path: 'payload.cortege.MovingDemonstration.organiserStatus',
        code: ViolationCode.InvalidEnum,
        message: '"COMPANY" is not one of UNION, ASSOCIATION, POLITICAL_PARTY, OTHER',
      },
    ]);
  });

  it('refuses wrong types: a count as text, a fractional count, a position as an array', () => {
    const { s, e } = moving();
    e.peopleExpected = 'beaucoup';
    e.carsExpected = 2.5;
    (e.route as { coordinates: unknown[] }).coordinates[1] = [5.37, 43.29];
    expect(violationsOf(s).sort()).toEqual([
      ['payload.cortege.MovingDemonstration.carsExpected', ViolationCode.WrongType],
      ['payload.cortege.MovingDemonstration.peopleExpected', ViolationCode.WrongType],
      ['payload.cortege.MovingDemonstration.route.coordinates.1', ViolationCode.WrongType],
    ]);
  });

  it('refuses an unknown field, an unknown kind and an unreadable date', () => {
    const { s, e } = moving();
    e.organiserName = 'Jean Dupont';
    e.startAt = 'demain matin';
    expect(violationsOf(s)).toEqual([
      ['payload.cortege.MovingDemonstration.organiserName', ViolationCode.UnknownField],
      ['payload.cortege.MovingDemonstration.startAt', ViolationCode.InvalidDate],
    ]);
    const other = clone(sampleSubmissions().visit) as unknown as Json;
    other.payload = { 'cortege.Concert': { subject: 'x' } };
    expect(violationsOf(other)).toEqual([['payload', ViolationCode.WrongType]]);
  });

  it('applies the rules the schema cannot say', () => {
    const { s, e } = moving();
    s.eventId = 'not-a-uuid';
    s.revision = 0;
    e.endAt = e.startAt;
    e.peopleDeclared = -5;
    expect(violationsOf(s)).toEqual([
      ['eventId', ViolationCode.InvalidUuid],
      ['revision', ViolationCode.InvalidRevision],
      ['payload.cortege.MovingDemonstration.endAt', ViolationCode.EndBeforeStart],
      ['payload.cortege.MovingDemonstration.peopleDeclared', ViolationCode.NegativeCount],
    ]);
    const upsertWithoutEvent = { ...clone(sampleSubmissions().cancel), action: 'UPSERT' };
    expect(violationsOf(upsertWithoutEvent)).toEqual([['payload', ViolationCode.MissingPayload]]);
  });

  it('refuses what is not an object', () => {
    expect(violationsOf([1, 2])).toEqual([['', ViolationCode.WrongType]]);
    expect(violationsOf('{}')).toEqual([['', ViolationCode.WrongType]]);
  });
});
