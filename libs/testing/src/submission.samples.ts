import { randomUUID } from 'node:crypto';
import type { Submission } from '@app/contracts';

/** Milliseconds of a UTC ISO instant. */
const at = (iso: string) => Date.parse(iso);

/**
 * One realistic submission of each Annex 1 kind, on real Marseille places, every field set.
 * Fresh event ids on each call, so tests never collide.
 */
export function sampleSubmissions(): {
  moving: Submission;
  static: Submission;
  operation: Submission;
  visit: Submission;
  cancel: Submission;
} {
  const envelope = (revision = 1) => ({
    eventId: randomUUID(),
    revision,
    action: 'UPSERT' as const,
    submittedAt: at('2026-05-01T07:12:00Z'),
    source: 'cortege-pp13',
  });
  return {
    moving: {
      ...envelope(),
      payload: {
        'cortege.MovingDemonstration': {
          subject: 'Marche intersyndicale pour les salaires',
          description: 'Cortège festif, sono sur camion',
          departureAddress: 'Quai du Port, 13002 Marseille',
          waypointAddresses: [
            'La Canebière, 13001 Marseille',
            'Boulevard de la Libération, 13001 Marseille',
          ],
          arrivalAddress: 'Place des Réformés, 13001 Marseille',
          startAt: at('2026-05-01T08:30:00Z'),
          endAt: at('2026-05-01T11:00:00Z'),
          peopleExpected: 4000,
          peopleDeclared: 3500,
          carsExpected: 3,
          carsDeclared: 2,
          organiserStatus: 'UNION',
          route: {
            coordinates: [
              { lon: 5.3698, lat: 43.2954 },
              { lon: 5.3762, lat: 43.2966 },
              { lon: 5.3806, lat: 43.2985 },
              { lon: 5.3846, lat: 43.3003 },
            ],
          },
        },
      },
    },
    static: {
      ...envelope(2),
      payload: {
        'cortege.StaticDemonstration': {
          subject: 'Rassemblement devant la Préfecture',
          description: null,
          address: 'Place Félix Baret, 13006 Marseille',
          startAt: at('2026-05-01T12:00:00Z'),
          endAt: at('2026-05-01T14:00:00Z'),
          peopleExpected: 300,
          peopleDeclared: null,
          carsExpected: 0,
          carsDeclared: null,
          organiserStatus: 'ASSOCIATION',
          footprint: {
            rings: [
              [
                { lon: 5.3791, lat: 43.2903 },
                { lon: 5.3801, lat: 43.2903 },
                { lon: 5.3801, lat: 43.2911 },
                { lon: 5.3791, lat: 43.2911 },
                { lon: 5.3791, lat: 43.2903 },
              ],
            ],
          },
        },
      },
    },
    operation: {
      ...envelope(),
      payload: {
        'cortege.ScheduledOperation': {
          subject: 'Opération de sécurisation des transports',
          description: 'Gare et abords',
          addresses: [
            'Gare Saint-Charles, 13001 Marseille',
            'Boulevard d’Athènes, 13001 Marseille',
          ],
          startAt: at('2026-05-01T06:00:00Z'),
          endAt: at('2026-05-01T10:00:00Z'),
          theme: 'PSQ_TRANSPORTS',
        },
      },
    },
    visit: {
      ...envelope(),
      payload: {
        'cortege.OfficialVisit': {
          subject: 'Visite ministérielle',
          description: null,
          addresses: ['Hôtel de Ville, Quai du Port, 13002 Marseille'],
          startAt: at('2026-05-01T09:00:00Z'),
          endAt: at('2026-05-01T10:30:00Z'),
        },
      },
    },
    cancel: { ...envelope(3), action: 'CANCEL', payload: null },
  };
}
