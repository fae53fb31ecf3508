import { ViolationCode, type Position, type Submission } from '@app/contracts';
import {
  sampleMoving,
  sampleOperation,
  sampleStatic,
  sampleSubmissions,
  sampleVisit,
} from '@app/testing';
import { DEFAULT_SANITIZATION_POLICY, sanitizationPolicy } from './sanitization.policy';
import { SanitizationViolationCode as Code } from './sanitization.violation';
import {
  checkAddress,
  checkAddressList,
  checkCounts,
  checkSubmission,
  checkText,
  checkTimeWindow,
} from './submission.rules';

const POLICY = DEFAULT_SANITIZATION_POLICY;
const HOUR = 3_600_000;
const START = Date.parse('2026-05-01T08:30:00Z');
const pathsAndCodes = (violations: readonly { path: string; code: string }[]) =>
  violations.map((v) => [v.path, v.code]);
const rulesOf = (s: Submission, policy = POLICY) =>
  pathsAndCodes(checkSubmission(s, policy).violations);

describe('checkTimeWindow', () => {
  const window = (hours: number) => ({ startAt: START, endAt: START + hours * HOUR });

  it.each([0.25, 2.5, 71.99, 72])('accepts an event of %d h', (hours) => {
    expect(checkTimeWindow(window(hours), 'e', POLICY)).toEqual([]);
  });

  it('rejects an end equal to or before the start', () => {
    expect(pathsAndCodes(checkTimeWindow(window(0), 'e', POLICY))).toEqual([
      ['e.endAt', ViolationCode.EndBeforeStart],
    ]);
    expect(pathsAndCodes(checkTimeWindow(window(-1), 'e', POLICY))).toEqual([
      ['e.endAt', ViolationCode.EndBeforeStart],
    ]);
  });

  it('rejects one millisecond beyond 72 h, saying how long', () => {
    const found = checkTimeWindow({ startAt: START, endAt: START + 72 * HOUR + 1 }, 'e', POLICY);
    expect(found).toEqual([
      {
        path: 'e.endAt',
        code: Code.DurationTooLong,
        message: 'the event lasts 72.02 h, more than the 72 h allowed',
      },
    ]);
    expect(checkTimeWindow(window(80), 'e', POLICY)[0]?.message).toBe(
      'the event lasts 80 h, more than the 72 h allowed',
    );
  });

  it("follows the policy's maximum", () => {
    const policy = sanitizationPolicy({ maxDurationHours: 2 });
    expect(checkTimeWindow(window(2), 'e', policy)).toEqual([]);
    expect(pathsAndCodes(checkTimeWindow(window(2.5), 'e', policy))).toEqual([
      ['e.endAt', Code.DurationTooLong],
    ]);
  });

  it('rejects instants that are not integer milliseconds', () => {
    expect(
      pathsAndCodes(checkTimeWindow({ startAt: Number.NaN, endAt: START + 0.5 }, 'e', POLICY)),
    ).toEqual([
      ['e.startAt', ViolationCode.InvalidDate],
      ['e.endAt', ViolationCode.InvalidDate],
    ]);
  });
});

describe('checkCounts', () => {
  const counts = (c: Partial<Record<string, number | null>>) => ({
    peopleExpected: null,
    peopleDeclared: null,
    carsExpected: null,
    carsDeclared: null,
    ...c,
  });

  it('accepts unknown, zero and the maxima', () => {
    expect(checkCounts(counts({}), 'e', POLICY)).toEqual([]);
    expect(
      checkCounts(
        counts({
          peopleExpected: 0,
          peopleDeclared: 2_000_000,
          carsExpected: 100_000,
          carsDeclared: 0,
        }),
        'e',
        POLICY,
      ),
    ).toEqual([]);
  });

  it('rejects one above each maximum, per field', () => {
    const found = checkCounts(
      counts({
        peopleExpected: 2_000_001,
        peopleDeclared: 2_000_001,
        carsExpected: 100_001,
        carsDeclared: 100_001,
      }),
      'e',
      POLICY,
    );
    expect(pathsAndCodes(found)).toEqual([
      ['e.peopleExpected', Code.CountTooLarge],
      ['e.peopleDeclared', Code.CountTooLarge],
      ['e.carsExpected', Code.CountTooLarge],
      ['e.carsDeclared', Code.CountTooLarge],
    ]);
    expect(found[2]?.message).toBe('100001 is more than the 100000 allowed');
  });

  it('rejects negative and fractional counts', () => {
    expect(
      pathsAndCodes(checkCounts(counts({ peopleDeclared: -1, carsExpected: 2.5 }), 'e', POLICY)),
    ).toEqual([
      ['e.peopleDeclared', ViolationCode.NegativeCount],
      ['e.carsExpected', ViolationCode.WrongType],
    ]);
  });

  it("follows the policy's maxima, people and cars apart", () => {
    const policy = sanitizationPolicy({ maxPeople: 10, maxCars: 1 });
    expect(
      pathsAndCodes(checkCounts(counts({ peopleExpected: 10, carsDeclared: 2 }), 'e', policy)),
    ).toEqual([['e.carsDeclared', Code.CountTooLarge]]);
  });
});

describe('checkAddress and checkAddressList', () => {
  it('accepts an address up to 300 code points once trimmed, emoji and accents included', () => {
    expect(checkAddress('Place Félix Baret, 13006 Marseille', 'a', POLICY)).toEqual([]);
    expect(checkAddress(`  ${'é'.repeat(300)}  `, 'a', POLICY)).toEqual([]);
    expect(checkAddress('🚩'.repeat(300), 'a', POLICY)).toEqual([]);
  });

  it('rejects the 301st code point', () => {
    expect(checkAddress('x'.repeat(301), 'a', POLICY)).toEqual([
      {
        path: 'a',
        code: Code.AddressTooLong,
        message: 'has 301 characters, more than the 300 allowed',
      },
    ]);
  });

  it.each(['', '   ', '\t\n'])('rejects %j as empty', (address) => {
    expect(pathsAndCodes(checkAddress(address, 'a', POLICY))).toEqual([['a', Code.EmptyAddress]]);
  });

  it('needs at least one address in a list, and checks each by its index', () => {
    expect(pathsAndCodes(checkAddressList([], 'as', POLICY))).toEqual([['as', Code.NoAddress]]);
    expect(
      pathsAndCodes(checkAddressList(['Gare Saint-Charles', ' ', 'y'.repeat(301)], 'as', POLICY)),
    ).toEqual([
      ['as.1', Code.EmptyAddress],
      ['as.2', Code.AddressTooLong],
    ]);
  });
});

describe('checkText', () => {
  it('accepts null and a text at the maximum, and rejects one more', () => {
    expect(checkText(null, 't', 5)).toEqual([]);
    expect(checkText('abcdé', 't', 5)).toEqual([]);
    expect(checkText('abcdéf', 't', 5)).toEqual([
      { path: 't', code: Code.TextTooLong, message: 'has 6 characters, more than the 5 allowed' },
    ]);
  });
});

describe('checkSubmission', () => {
  it('accepts every sample as it is, with no repair', () => {
    for (const sample of Object.values(sampleSubmissions())) {
      const outcome = checkSubmission(sample, POLICY);
      expect(outcome.violations).toEqual([]);
      expect(outcome.repairs).toEqual([]);
    }
  });

  describe('envelope', () => {
    it('rejects a non-UUID event id and a revision below 1', () => {
      expect(rulesOf({ ...sampleMoving(), eventId: 'evt-1', revision: 0 })).toEqual([
        ['eventId', ViolationCode.InvalidUuid],
        ['revision', ViolationCode.InvalidRevision],
      ]);
    });

    it('rejects an UPSERT without payload', () => {
      expect(rulesOf({ ...sampleMoving(), payload: null })).toEqual([
        ['payload', ViolationCode.MissingPayload],
      ]);
    });

    it('accepts a CANCEL on its envelope alone, dropping any payload unchecked', () => {
      const broken = sampleMoving({ endAt: 0, departureAddress: '', peopleDeclared: -5 });
      const outcome = checkSubmission({ ...broken, action: 'CANCEL' }, POLICY);
      expect(outcome).toEqual({
        violations: [],
        repairs: ['payload: dropped (a CANCEL carries only the envelope)'],
        event: null,
      });
      expect(checkSubmission(sampleSubmissions().cancel, POLICY)).toEqual({
        violations: [],
        repairs: [],
        event: null,
      });
    });

    it('still checks the envelope of a CANCEL', () => {
      expect(rulesOf({ ...sampleSubmissions().cancel, eventId: 'nope' })).toEqual([
        ['eventId', ViolationCode.InvalidUuid],
      ]);
    });
  });

  describe('MovingDemonstration', () => {
    const base = 'payload.cortege.MovingDemonstration';
    const route = (coordinates: Position[]) => ({ coordinates });

    it('accepts a march without route', () => {
      expect(rulesOf(sampleMoving({ route: null }))).toEqual([]);
    });

    it('names a route position outside the area by its index', () => {
      const coordinates = [
        { lon: 5.3698, lat: 43.2954 },
        { lon: 5.3762, lat: 43.2966 },
        { lon: 5.3806, lat: 43.2985 },
        { lon: 43.3003, lat: 5.3846 },
      ];
      const outcome = checkSubmission(sampleMoving({ route: route(coordinates) }), POLICY);
      expect(pathsAndCodes(outcome.violations)).toEqual([
        [`${base}.route.coordinates.3`, Code.OutsideArea],
      ]);
      expect(outcome.event).toBeNull();
    });

    it('rejects a one-point route', () => {
      expect(rulesOf(sampleMoving({ route: route([{ lon: 5.3698, lat: 43.2954 }]) }))).toEqual([
        [`${base}.route.coordinates`, Code.RouteTooShort],
      ]);
    });

    it('checks departure, every waypoint and arrival', () => {
      expect(
        rulesOf(
          sampleMoving({
            departureAddress: ' ',
            waypointAddresses: ['La Canebière', '', 'z'.repeat(301)],
            arrivalAddress: '',
          }),
        ),
      ).toEqual([
        [`${base}.departureAddress`, Code.EmptyAddress],
        [`${base}.waypointAddresses.1`, Code.EmptyAddress],
        [`${base}.waypointAddresses.2`, Code.AddressTooLong],
        [`${base}.arrivalAddress`, Code.EmptyAddress],
      ]);
    });

    it('reports every broken rule at once', () => {
      expect(
        rulesOf(
          sampleMoving({
            endAt: START + 100 * HOUR,
            peopleExpected: 3_000_000,
            subject: 's'.repeat(501),
            description: 'd'.repeat(5001),
          }),
        ),
      ).toEqual([
        [`${base}.endAt`, Code.DurationTooLong],
        [`${base}.subject`, Code.TextTooLong],
        [`${base}.description`, Code.TextTooLong],
        [`${base}.peopleExpected`, Code.CountTooLarge],
      ]);
    });
  });

  describe('StaticDemonstration', () => {
    const base = 'payload.cortege.StaticDemonstration';
    const corner = { lon: 5.3791, lat: 43.2903 };
    const square = [
      corner,
      { lon: 5.3801, lat: 43.2903 },
      { lon: 5.3801, lat: 43.2911 },
      { lon: 5.3791, lat: 43.2911 },
      corner,
    ];

    it('returns the event with its footprint repaired, and what was repaired', () => {
      const outcome = checkSubmission(
        sampleStatic({ footprint: { rings: [square.slice(0, 4).reverse()] } }),
        POLICY,
      );
      expect(outcome.violations).toEqual([]);
      expect(outcome.repairs).toEqual([
        `${base}.footprint.rings.0: closed the ring (repeated its first position at the end)`,
        `${base}.footprint.rings.0: rewound counterclockwise (RFC 7946 outer ring)`,
      ]);
      expect(outcome.event).toMatchObject({
        kind: 'STATIC_DEMONSTRATION',
        event: { footprint: { rings: [[square[3], square[0], square[1], square[2], square[3]]] } },
      });
    });

    it('rejects a self-intersecting footprint and an empty address', () => {
      const bowtie = [square[0]!, square[2]!, square[1]!, square[3]!, square[0]!];
      expect(rulesOf(sampleStatic({ address: '', footprint: { rings: [bowtie] } }))).toEqual([
        [`${base}.address`, Code.EmptyAddress],
        [`${base}.footprint.rings.0`, Code.SelfIntersectingPolygon],
      ]);
    });

    it('accepts a rally without footprint or counts', () => {
      expect(
        rulesOf(
          sampleStatic({
            footprint: null,
            peopleExpected: null,
            peopleDeclared: null,
            carsExpected: null,
            carsDeclared: null,
          }),
        ),
      ).toEqual([]);
    });
  });

  describe('ScheduledOperation and OfficialVisit', () => {
    it('need at least one address', () => {
      expect(rulesOf(sampleOperation({ addresses: [] }))).toEqual([
        ['payload.cortege.ScheduledOperation.addresses', Code.NoAddress],
      ]);
      expect(rulesOf(sampleVisit({ addresses: [] }))).toEqual([
        ['payload.cortege.OfficialVisit.addresses', Code.NoAddress],
      ]);
    });

    it('check each address, the time window and the texts', () => {
      expect(
        rulesOf(sampleVisit({ addresses: ['Hôtel de Ville', '  '], endAt: START - HOUR })),
      ).toEqual([
        ['payload.cortege.OfficialVisit.endAt', ViolationCode.EndBeforeStart],
        ['payload.cortege.OfficialVisit.addresses.1', Code.EmptyAddress],
      ]);
      expect(rulesOf(sampleOperation({ description: 'x'.repeat(5001) }))).toEqual([
        ['payload.cortege.ScheduledOperation.description', Code.TextTooLong],
      ]);
    });
  });
});
