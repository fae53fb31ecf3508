import { sampleSubmissions } from '@app/testing';
import { ContractError, reportViolations, ViolationCode } from './contract.error';
import { envelopeViolations, parseSubmission, preview } from './submission.validation';

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

  it('reports every violation at once: the schema’s and the rules’, one per place', () => {
    const { s, e } = moving();
    e.organiserStatus = 'COMPANY';
    e.peopleExpected = -10;
    e.endAt = e.startAt;
    expect(violationsOf(s)).toEqual([
      ['payload.cortege.MovingDemonstration.organiserStatus', ViolationCode.InvalidEnum],
      ['payload.cortege.MovingDemonstration.endAt', ViolationCode.EndBeforeStart],
      ['payload.cortege.MovingDemonstration.peopleExpected', ViolationCode.NegativeCount],
    ]);
    // A field already found wrong gets no second violation from the rules.
    const { s: t, e: f } = moving();
    t.revision = '0';
    t.eventId = 42;
    f.endAt = 'hier';
    f.carsExpected = -1;
    expect(violationsOf(t)).toEqual([
      ['eventId', ViolationCode.WrongType],
      ['revision', ViolationCode.WrongType],
      ['payload.cortege.MovingDemonstration.endAt', ViolationCode.InvalidDate],
      ['payload.cortege.MovingDemonstration.carsExpected', ViolationCode.NegativeCount],
    ]);
    const failed = parseSubmission(t);
    expect(failed.ok ? undefined : failed.shaped).toMatchObject({ source: 'cortege-pp13' });
  });

  it('refuses a position that is not finite or out of range, with the coordinate’s path', () => {
    const route = 'payload.cortege.MovingDemonstration.route.coordinates';
    const cases: Array<[string, number, string]> = [
      ['{"lon":1e309,"lat":43.29}', 0, `${route}.0.lon`],
      ['{"lon":5.37,"lat":-1e309}', 0, `${route}.0.lat`],
      ['{"lon":181,"lat":43.29}', 0, `${route}.0.lon`],
      ['{"lon":-180.000001,"lat":43.29}', 0, `${route}.0.lon`],
      ['{"lon":5.37,"lat":91}', 0, `${route}.0.lat`],
    ];
    for (const [position, at, path] of cases) {
      const { s, e } = moving();
      (e.route as { coordinates: unknown[] }).coordinates[at] = JSON.parse(position);
      expect(violationsOf(s)).toEqual([[path, ViolationCode.OutOfRange]]);
    }
    const { s, e } = moving();
    (e.route as { coordinates: unknown[] }).coordinates[0] = { lon: 180, lat: -90 };
    expect(violationsOf(s)).toEqual([]);

    const rally = clone(sampleSubmissions().static) as unknown as Json;
    const event = (rally.payload as Json)['cortege.StaticDemonstration'] as Json;
    (event.footprint as { rings: Json[][] }).rings[0]![2] = { lon: Infinity, lat: 43.29 };
    expect(violationsOf(rally)).toEqual([
      ['payload.cortege.StaticDemonstration.footprint.rings.0.2.lon', ViolationCode.OutOfRange],
    ]);
  });

  it('refuses times a JavaScript Date cannot hold, without throwing while describing them', () => {
    const { s, e } = moving();
    e.startAt = 9e15;
    e.endAt = 1;
    expect(() => parseSubmission(s)).not.toThrow();
    expect(violationsOf(s)).toEqual([
      ['payload.cortege.MovingDemonstration.startAt', ViolationCode.InvalidDate],
    ]);
    const far = moving();
    far.e.startAt = 8.7e15;
    far.e.endAt = 8.7e15 + 1;
    expect(violationsOf(far.s)).toEqual([
      ['payload.cortege.MovingDemonstration.startAt', ViolationCode.InvalidDate],
      ['payload.cortege.MovingDemonstration.endAt', ViolationCode.InvalidDate],
    ]);
    const offset = moving();
    offset.e.startAt = '2026-05-01T10:30+99:99';
    expect(violationsOf(offset.s)).toEqual([
      ['payload.cortege.MovingDemonstration.startAt', ViolationCode.InvalidDate],
    ]);
  });

  it('refuses a payload kind named like an Object.prototype member, without throwing', () => {
    for (const key of [
      'constructor',
      '__proto__',
      'toString',
      'hasOwnProperty',
      'valueOf',
      'isPrototypeOf',
      '__defineGetter__',
    ]) {
      const s = clone(sampleSubmissions().visit) as unknown as Json;
      s.payload = JSON.parse(`{"${key}": {"subject": "x"}}`) as Json;
      expect(violationsOf(s)).toEqual([['payload', ViolationCode.WrongType]]);
    }
    const { s, e } = moving();
    e.organiserStatus = 'constructor';
    s.action = 'toString';
    expect(violationsOf(s)).toEqual([
      ['action', ViolationCode.InvalidEnum],
      ['payload.cortege.MovingDemonstration.organiserStatus', ViolationCode.InvalidEnum],
    ]);
  });

  it('refuses 20,000 levels of nesting inside a typed field (an enum too) with a short message', () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 20_000; i++) deep = [deep];
    const { s: envelope } = moving();
    envelope.revision = deep;
    expect(violationsOf(envelope)).toEqual([['revision', ViolationCode.WrongType]]);
    for (const field of ['subject', 'description', 'route', 'peopleExpected', 'organiserStatus']) {
      const { s, e } = moving();
      e[field] = deep;
      const result = parseSubmission(s);
      expect(result.ok ? [] : result.violations.map((v) => [v.path, v.code])).toEqual([
        [`payload.cortege.MovingDemonstration.${field}`, ViolationCode.WrongType],
      ]);
      expect(result.ok ? 0 : result.violations[0]!.message.length).toBeLessThan(200);
    }
  });

  it('refuses a lone surrogate in any text field, naming the field', () => {
    const { s, e } = moving();
    e.subject = 'Marche \ud800 pour';
    (e.waypointAddresses as string[])[1] = 'Rue \udfff';
    expect(violationsOf(s)).toEqual([
      ['payload.cortege.MovingDemonstration.subject', ViolationCode.InvalidText],
      ['payload.cortege.MovingDemonstration.waypointAddresses.1', ViolationCode.InvalidText],
    ]);
    const paired = moving();
    paired.e.subject = 'Marche 🎺 pour';
    expect(violationsOf(paired.s)).toEqual([]);
  });

  it('writes the eventId in lower case, so one event is one key', () => {
    const { s } = moving();
    const id = s.eventId as string;
    s.eventId = id.toUpperCase();
    const result = parseSubmission(s);
    expect(result.ok && result.submission.eventId).toBe(id.toLowerCase());
  });

  it('takes an application identifier as source, never free text', () => {
    for (const good of ['cortege-pp13', 'pp13', 'cortege.pp13_v2', `a${'b'.repeat(63)}`]) {
      const { s } = moving();
      s.source = good;
      expect(violationsOf(s)).toEqual([]);
    }
    for (const bad of [
      '',
      'Cortege',
      '13pp',
      'cortège',
      'pp 13',
      'M. Dupont',
      `a${'b'.repeat(64)}`,
    ]) {
      const { s } = moving();
      s.source = bad;
      expect(violationsOf(s)).toEqual([['source', ViolationCode.InvalidSource]]);
    }
  });

  it('checks the source among the envelope rules the sanitizer applies too', () => {
    const visit = sampleSubmissions().visit;
    expect(envelopeViolations(visit)).toEqual([]);
    expect(envelopeViolations({ ...visit, source: 'Free text' }).map((v) => v.code)).toEqual([
      ViolationCode.InvalidSource,
    ]);
  });

  it('describes a value shortly, whatever its size or depth', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = { a: deep };
    expect(preview(deep)).toBe('{"a":{"a":{…}}}');
    expect(preview('x'.repeat(1_000_000)).length).toBeLessThanOrEqual(80);
    expect(preview(-Infinity)).toBe('-Infinity');
    expect(preview(undefined)).toBe('nothing');
  });

  it('refuses what is not an object', () => {
    expect(violationsOf([1, 2])).toEqual([['', ViolationCode.WrongType]]);
    expect(violationsOf('{}')).toEqual([['', ViolationCode.WrongType]]);
  });
});

describe('reportViolations and ContractError', () => {
  const many = Array.from({ length: 250 }, (_, i) => ({
    path: `payload.x.addresses.${i}`,
    code: 'empty_address',
    message: 'is empty',
  }));

  it('keeps the first 100 in order, with how many there were and a truncated marker', () => {
    const report = reportViolations(many);
    expect(report.violations).toHaveLength(100);
    expect(report.violations[99]).toBe(many[99]);
    expect(report).toMatchObject({ total: 250, truncated: true });
    expect(reportViolations(many.slice(0, 100))).toMatchObject({ total: 100, truncated: false });
    expect(reportViolations(many, 3).violations.map((v) => v.path)).toEqual([
      'payload.x.addresses.0',
      'payload.x.addresses.1',
      'payload.x.addresses.2',
    ]);
  });

  it('a ContractError says how many were found and lists ten in its message', () => {
    const { violations, total } = reportViolations(many);
    const error = new ContractError(violations, total);
    expect(error.violations).toHaveLength(100);
    expect(error).toMatchObject({ total: 250, truncated: true, retriable: false });
    expect(error.message).toMatch(/^submission breaks its contract \(250 violations\): /);
    expect(error.message).toContain('payload.x.addresses.9: empty_address: is empty; and 240 more');
    expect(error.message).not.toContain('addresses.10:');
    expect(new ContractError(violations.slice(0, 2))).toMatchObject({ total: 2, truncated: false });
  });
});
