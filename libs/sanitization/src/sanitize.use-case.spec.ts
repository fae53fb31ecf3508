import {
  eventOf,
  submissionType,
  ViolationCode,
  type MovingDemonstration,
  type Submission,
} from '@app/contracts';
import {
  sampleMoving,
  sampleOperation,
  sampleStatic,
  sampleSubmissions,
  sampleVisit,
} from '@app/testing';
import { PlaceNames } from './place-names';
import { SanitizationError, SanitizationErrorCode } from './sanitization.error';
import { DEFAULT_SANITIZATION_POLICY, type SanitizationPolicy } from './sanitization.policy';
import { SanitizationViolationCode } from './sanitization.violation';
import { sanitize, type SanitizeResult } from './sanitize.use-case';

const clean = (result: SanitizeResult) => {
  if (result.outcome !== 'clean')
    throw new Error(`expected clean, got ${JSON.stringify(result.violations)}`);
  return result;
};
const eventOfClean = (result: SanitizeResult) => eventOf(clean(result).submission)?.event;

describe('sanitize', () => {
  it('passes every sample through unchanged, in the Avro shape, with nothing scrubbed', () => {
    for (const sample of Object.values(sampleSubmissions())) {
      const result = clean(sanitize(sample));
      expect(result).toEqual({
        outcome: 'clean',
        submission: sample,
        scrubCounts: {},
        repairs: [],
      });
      expect(submissionType.isValid(result.submission)).toBe(true);
    }
  });

  it('uses the default policy when given none', () => {
    expect(sanitize(sampleMoving({ peopleExpected: 2_000_001 })).outcome).toBe('rejected');
  });

  describe('scrubs every free-text field of each kind', () => {
    it('MovingDemonstration: subject, description, departure, waypoints, arrival', () => {
      const input = sampleMoving({
        subject: 'Marche organisée par M. Dupont',
        description: 'Contact 06 12 34 56 78 ou jean.dupont@gmail.com ; camion AB-123-CD',
        departureAddress: 'Quai du Port, 13002 Marseille (chez Mme Martin)',
        waypointAddresses: ['La Canebière, 13001 Marseille', 'devant le n° de @jdupont'],
        arrivalAddress: 'Place des Réformés, voir https://x.fr/p?id=123',
      });
      const result = clean(sanitize(input));
      expect(eventOfClean(result)).toMatchObject({
        subject: 'Marche organisée par [NAME]',
        description: 'Contact [PHONE] ou [EMAIL] ; camion [PLATE]',
        departureAddress: 'Quai du Port, 13002 Marseille (chez [NAME])',
        waypointAddresses: ['La Canebière, 13001 Marseille', 'devant le n° de [HANDLE]'],
        arrivalAddress: 'Place des Réformés, voir [URL]',
        route: (eventOf(input)?.event as MovingDemonstration).route,
      });
      expect(result.scrubCounts).toEqual({
        NAME: 2,
        PHONE: 1,
        EMAIL: 1,
        PLATE: 1,
        HANDLE: 1,
        URL: 1,
      });
      expect(result.submission.eventId).toBe(input.eventId);
      expect(submissionType.isValid(result.submission)).toBe(true);
    });

    it('StaticDemonstration: subject, description, address', () => {
      const result = clean(
        sanitize(
          sampleStatic({
            subject: 'Rassemblement, IBAN FR76 3000 6000 0112 3456 7890 189 pour les dons',
            description: 'NIR de Mme Benali : 2 85 05 78 006 084 36',
            address: 'Place Félix Baret, 13006 Marseille, Dr Haddad',
          }),
        ),
      );
      expect(eventOfClean(result)).toMatchObject({
        subject: 'Rassemblement, IBAN [IBAN] pour les dons',
        description: 'NIR de [NAME] : [NIR]',
        address: 'Place Félix Baret, 13006 Marseille, [NAME]',
      });
      expect(result.scrubCounts).toEqual({ IBAN: 1, NAME: 2, NIR: 1 });
    });

    it("keeps the gazetteer's places named like a person in addresses, and only there", () => {
      const policy = { ...DEFAULT_SANITIZATION_POLICY, placeNames: new PlaceNames(['David']) };
      const result = clean(
        sanitize(
          sampleMoving({
            subject: 'Rassemblement David à 14h',
            description: 'Contact : David',
            departureAddress: 'David',
            waypointAddresses: ['chez David, 12 rue Paradis'],
            arrivalAddress: 'Vieux-Port',
          }),
          policy,
        ),
      );
      expect(eventOfClean(result)).toMatchObject({
        subject: 'Rassemblement [NAME] à 14h',
        description: 'Contact : [NAME]',
        departureAddress: 'David',
        arrivalAddress: 'Vieux-Port',
      });
      expect(JSON.stringify(eventOfClean(result))).not.toContain('chez David');
      expect(eventOfClean(sanitize(sampleStatic({ address: 'David' })))).toMatchObject({
        address: '[NAME]',
      });
    });

    it('ScheduledOperation: subject, description, every address', () => {
      const result = clean(
        sanitize(
          sampleOperation({
            subject: 'Contrôle PSQ QRR',
            description: null,
            addresses: ['Gare Saint-Charles, 13001 Marseille', 'garage de M. Rossi, 1234 AB 13'],
          }),
        ),
      );
      expect(eventOfClean(result)).toMatchObject({
        subject: 'Contrôle PSQ QRR',
        description: null,
        addresses: ['Gare Saint-Charles, 13001 Marseille', 'garage de [NAME], [PLATE]'],
        theme: 'PSQ_TRANSPORTS',
      });
      expect(result.scrubCounts).toEqual({ NAME: 1, PLATE: 1 });
    });

    it('OfficialVisit: subject, description, every address, titles kept', () => {
      const result = clean(
        sanitize(
          sampleVisit({
            subject: 'Visite de Madame la Ministre',
            description: 'Accueil par M. le Préfet Dupont, presse : presse (at) interieur.gouv.fr',
            addresses: ['Hôtel de Ville, Quai du Port, 13002 Marseille'],
          }),
        ),
      );
      expect(eventOfClean(result)).toMatchObject({
        subject: 'Visite de Madame la Ministre',
        description: 'Accueil par M. le Préfet [NAME], presse : [EMAIL]',
        addresses: ['Hôtel de Ville, Quai du Port, 13002 Marseille'],
      });
      expect(result.scrubCounts).toEqual({ NAME: 1, EMAIL: 1 });
    });
  });

  it('validates lengths on the original text, before scrubbing shortens it', () => {
    const pii = 'jean.dupont@gmail.com ';
    const atMax = `${pii}${'x'.repeat(5000 - pii.length)}`;
    expect(eventOfClean(sanitize(sampleMoving({ description: atMax })))?.description).toBe(
      `[EMAIL] ${'x'.repeat(5000 - pii.length)}`,
    );
    const result = sanitize(sampleMoving({ description: `${atMax}x` }));
    expect(result).toEqual({
      outcome: 'rejected',
      violations: [
        {
          path: 'payload.cortege.MovingDemonstration.description',
          code: SanitizationViolationCode.TextTooLong,
          message: 'has 5001 characters, more than the 5000 allowed',
        },
      ],
    });
  });

  it('repairs a footprint and says so', () => {
    const square = [
      { lon: 5.3791, lat: 43.2903 },
      { lon: 5.3801, lat: 43.2903 },
      { lon: 5.3801, lat: 43.2911 },
      { lon: 5.3791, lat: 43.2911 },
    ];
    const result = clean(sanitize(sampleStatic({ footprint: { rings: [square] } })));
    expect(eventOfClean(result)).toMatchObject({ footprint: { rings: [[...square, square[0]]] } });
    expect(result.repairs).toEqual([
      'payload.cortege.StaticDemonstration.footprint.rings.0: closed the ring (repeated its first position at the end)',
    ]);
    expect(submissionType.isValid(result.submission)).toBe(true);
  });

  it('rejects with every violation and its field path, and nothing else', () => {
    const result = sanitize(
      sampleMoving({
        peopleDeclared: -3,
        route: {
          coordinates: [
            { lon: 5.3698, lat: 43.2954 },
            { lon: 2.35, lat: 48.85 },
          ],
        },
      }),
    );
    expect(result).toEqual({
      outcome: 'rejected',
      violations: [
        {
          path: 'payload.cortege.MovingDemonstration.peopleDeclared',
          code: ViolationCode.NegativeCount,
          message: 'must be ≥ 0',
        },
        expect.objectContaining({
          path: 'payload.cortege.MovingDemonstration.route.coordinates.1',
          code: SanitizationViolationCode.OutsideArea,
        }),
      ],
    });
  });

  it('passes a CANCEL on its envelope, dropping its payload', () => {
    const withPayload: Submission = { ...sampleMoving({ endAt: 0 }), action: 'CANCEL' };
    const result = clean(sanitize(withPayload));
    expect(result.submission).toEqual({ ...withPayload, payload: null });
    expect(result.repairs).toEqual(['payload: dropped (a CANCEL carries only the envelope)']);
    expect(submissionType.isValid(result.submission)).toBe(true);
  });

  it('never mutates its input', () => {
    const input = sampleStatic({
      subject: 'M. Dupont',
      footprint: {
        rings: [
          [
            { lon: 5.3791, lat: 43.2903 },
            { lon: 5.3791, lat: 43.2911 },
            { lon: 5.3801, lat: 43.2911 },
            { lon: 5.3801, lat: 43.2903 },
          ],
        ],
      },
    });
    const copy = structuredClone(input);
    expect(clean(sanitize(input)).repairs).toHaveLength(2);
    expect(input).toEqual(copy);
  });

  it('throws a SanitizationError for an invalid policy, a programmer error', () => {
    const policy: SanitizationPolicy = { ...DEFAULT_SANITIZATION_POLICY, maxPeople: -1 };
    expect(() => sanitize(sampleMoving(), policy)).toThrow(SanitizationError);
    try {
      sanitize(sampleMoving(), policy);
    } catch (error) {
      expect((error as SanitizationError).code).toBe(SanitizationErrorCode.InvalidPolicy);
    }
  });
});
