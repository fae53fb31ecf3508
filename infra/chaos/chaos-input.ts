/**
 * The chaos run's valid input: realistic Cortège submissions of the four kinds across Marseille,
 * many days of them, with later revisions, cancels, revisions that arrive out of order and
 * re-sent duplicates, in the order they are sent to the ingest API. Deterministic for a seed.
 *
 * Every address is one the project's gazetteer extract resolves (`libs/geocoding-adapters/data`:
 * numbered addresses on its streets, its named places), so no valid event is dead-lettered
 * `geocode_not_found`; routes and footprints are drawn through the extract's own points.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import {
  CORTEGE_ZONE,
  operationThemeValues,
  organiserStatusValues,
  type EventKind,
  type Position,
  type Submission,
} from '@app/contracts';
import { REPO_ROOT } from '@app/process-runner';
import { seededRandom } from '@app/testing';

const DATA = join(REPO_ROOT, 'libs', 'geocoding-adapters', 'data');
const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

/** The Préfecture's application id, as in the samples (never a person). */
export const CHAOS_SOURCE = 'cortege-pp13';

/** Namespace of the chaos run's UUID v5 event ids (RFC 9562 §5.5); a constant of this project. */
const CHAOS_NAMESPACE = '5d1c7a3e-9b24-4f0e-8a61-3c2e7f90b1d5';

/** What the tables must hold for one event once everything settled. */
export interface ExpectedEvent {
  readonly eventId: string;
  readonly kind: EventKind;
  /** The highest revision sent (the cancel's, for a cancelled event). */
  readonly latestRevision: number;
  /** A cancelled event has no row in `event` and no presence. */
  readonly cancelled: boolean;
}

export interface ChaosInput {
  /** In the order they are sent; re-sent duplicates included. */
  readonly submissions: readonly Submission[];
  readonly events: readonly ExpectedEvent[];
  readonly stats: {
    readonly events: number;
    readonly byKind: Readonly<Record<EventKind, number>>;
    /** Submissions with a revision above 1 that are not cancels. */
    readonly revisions: number;
    readonly cancels: number;
    /** Revisions sent after a higher revision of the same event (the sanitizer drops them as stale). */
    readonly outOfOrder: number;
    /** Exact re-sends of a submission already sent (the API or the sanitizer drops them). */
    readonly resent: number;
    /** The local days the events span, `YYYY-MM-DD`. */
    readonly firstDay: string;
    readonly lastDay: string;
  };
}

export interface ChaosInputOptions {
  /** How many submissions to send, re-sends included. */
  readonly submissions: number;
  readonly seed: number;
  /** The first local day (Europe/Paris) of the events, `YYYY-MM-DD`. */
  readonly firstDay?: string;
  /** How many events a day on average (Marseille declares a few dozen a day). */
  readonly eventsPerDay?: number;
}

/** A UUID v5 (SHA-1) of `name` in the chaos namespace: same name, same id. */
export function chaosUuid(name: string): string {
  const hash = createHash('sha1')
    .update(Buffer.from(CHAOS_NAMESPACE.replace(/-/g, ''), 'hex'))
    .update(name, 'utf8')
    .digest()
    .subarray(0, 16);
  hash.writeUInt8((hash.readUInt8(6) & 0x0f) | 0x50, 6);
  hash.writeUInt8((hash.readUInt8(8) & 0x3f) | 0x80, 8);
  const hex = hash.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** One numbered address of the extract: its text and where the gazetteer puts it. */
export interface VocabularyAddress {
  readonly text: string;
  readonly position: Position;
}

/** The addresses and places the generator draws from, and the streets routes follow. */
export interface Vocabulary {
  readonly addresses: readonly VocabularyAddress[];
  readonly places: readonly VocabularyAddress[];
  /** Each street (per postcode) as the positions of its odd numbers, in numbering order. */
  readonly streets: ReadonlyArray<readonly Position[]>;
}

/** Reads the gazetteer extract into the generator's vocabulary (the project's own files). */
export function loadVocabulary(): Vocabulary {
  const rows = (file: string) =>
    readFileSync(join(DATA, file), 'utf8')
      .split('\n')
      .slice(1)
      .filter((line) => line.trim() !== '')
      .map((line) => line.split(';'));
  const addresses: VocabularyAddress[] = [];
  const odd = new Map<string, Array<{ n: number; position: Position }>>();
  for (const cols of rows('adresses-13-extract.csv')) {
    const [numero, rep, street, postcode, lon, lat] = [
      cols[2],
      cols[3],
      cols[4],
      cols[5],
      cols[12],
      cols[13],
    ] as string[];
    const position = { lon: Number(lon), lat: Number(lat) };
    const n = Number(numero);
    addresses.push({
      text: `${numero}${rep ? ` ${rep}` : ''} ${street}, ${postcode} Marseille`,
      position,
    });
    if (!rep && n % 2 === 1) {
      const key = `${street}|${postcode}`;
      odd.set(key, [...(odd.get(key) ?? []), { n, position }]);
    }
  }
  const places = rows('places.csv').map((cols) => {
    const [name, , , insee, lon, lat] = cols;
    // INSEE 132xx (arrondissement xx of Marseille) is postcode 130xx.
    return {
      text: `${name}, 130${(insee ?? '').slice(3)} Marseille`,
      position: { lon: Number(lon), lat: Number(lat) },
    };
  });
  const streets = [...odd.values()]
    .filter((points) => points.length >= 3)
    .map((points) => points.sort((a, b) => a.n - b.n).map((p) => p.position));
  return { addresses, places, streets };
}

const SUBJECTS: Record<EventKind, readonly string[]> = {
  MOVING_DEMONSTRATION: [
    'Manifestation intersyndicale pour les salaires',
    'Marche pour le climat et les transports en commun',
    'Cortège pour le logement digne',
    'Marche des fiertés',
    'Manifestation des personnels hospitaliers',
    'Marche contre la fermeture des classes',
    'Cortège des dockers du Grand Port Maritime',
    'Manifestation lycéenne',
  ],
  STATIC_DEMONSTRATION: [
    'Rassemblement pour un logement digne',
    'Rassemblement des commerçants du quartier',
    'Rassemblement de soutien aux sinistrés',
    'Rassemblement des parents d’élèves',
    'Rassemblement des chauffeurs VTC',
    'Veillée en hommage aux victimes',
  ],
  SCHEDULED_OPERATION: [
    'Sécurisation des transports en commun',
    'Opération de contrôle routier',
    'Sécurisation du marché et de ses abords',
    'Opération de lutte contre les trafics',
    'Contrôle des établissements de nuit',
  ],
  OFFICIAL_VISIT: [
    'Visite ministérielle',
    'Déplacement présidentiel',
    'Visite d’une délégation étrangère',
    'Inauguration en présence du préfet',
  ],
};

const DESCRIPTIONS: readonly (string | null)[] = [
  null,
  'Sono sur camion, service d’ordre de l’organisateur.',
  'Cortège familial, poussettes et vélos.',
  'Prises de parole puis dispersion.',
  'Périmètre de sécurité, circulation déviée aux abords.',
  'Forte affluence attendue en fin de matinée.',
];

interface Draft {
  readonly eventId: string;
  readonly kind: EventKind;
  /** Where the event's submissions sit in the send order, 0 (first) to about 1. */
  readonly keys: number[];
  readonly submissions: Submission[];
}

/**
 * The chaos run's valid submissions for `options.seed`: events spread over
 * ⌈events ÷ eventsPerDay⌉ days from `firstDay`, each sent as 1–4 revisions (a later one changes
 * counts, times or places), one in ten ending with a CANCEL; one multi-revision event in ten
 * has two revisions swapped in the send order; one submission in fifty is re-sent unchanged.
 * Pure and deterministic in its options.
 */
export function chaosInput(options: ChaosInputOptions): ChaosInput {
  const { submissions: total, seed } = options;
  if (!Number.isInteger(total) || total < 1)
    throw new RangeError(`submissions must be a positive integer, got ${total}`);
  const firstDay = DateTime.fromISO(options.firstDay ?? '2027-01-04', { zone: CORTEGE_ZONE });
  if (!firstDay.isValid) throw new RangeError(`firstDay must be YYYY-MM-DD`);
  const eventsPerDay = options.eventsPerDay ?? 30;
  const random = seededRandom(seed * 2_654_435_761 + 97);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const between = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  const vocabulary = loadVocabulary();
  const anywhere = [...vocabulary.addresses, ...vocabulary.places];

  // Plan how many submissions each event gets, so that they add up to `total` with re-sends.
  const resendEvery = 50;
  const resends = Math.floor(total / resendEvery);
  const plans: Array<{ revisions: number; cancel: boolean }> = [];
  let planned = 0;
  while (planned < total - resends) {
    const left = total - resends - planned;
    const r = random();
    let revisions = r < 0.55 ? 1 : r < 0.8 ? 2 : r < 0.92 ? 3 : 4;
    let cancel = random() < 0.1;
    if (revisions + (cancel ? 1 : 0) > left) {
      revisions = left;
      cancel = false;
    }
    plans.push({ revisions, cancel });
    planned += revisions + (cancel ? 1 : 0);
  }
  const days = Math.max(1, Math.ceil(plans.length / eventsPerDay));

  const drafts: Draft[] = plans.map((plan, index) => {
    const eventId = chaosUuid(`chaos/${seed}/event/${index}`);
    const kinds: readonly EventKind[] = [
      'MOVING_DEMONSTRATION',
      'STATIC_DEMONSTRATION',
      'SCHEDULED_OPERATION',
      'OFFICIAL_VISIT',
    ];
    const kind = kinds[Math.floor(random() * 4)] as EventKind;
    const day = firstDay.plus({ days: Math.floor(random() * days) });
    // Daytime only (07:00–20:45 local), so no start falls in a skipped or repeated hour.
    let startAt = day.set({ hour: between(7, 20), minute: 15 * between(0, 3) }).toMillis();
    let durationMin = 30 * between(2, 8);
    const declaredAt = startAt - between(2, 10) * DAY_MS;
    const subject = pick(SUBJECTS[kind]);
    const description = pick(DESCRIPTIONS);
    const status = pick(organiserStatusValues);
    const theme = pick(operationThemeValues);
    let peopleExpected = Math.round(10 ** (1.5 + random() * 2.7));
    let places = [pick(anywhere).text, pick(anywhere).text, pick(anywhere).text];
    const route = random() < 0.4 ? routeOf(pick(vocabulary.streets), random) : null;
    const footprintAt = random() < 0.3 ? pick(vocabulary.addresses).position : null;
    let waypoints = between(0, 2);

    const submissions: Submission[] = [];
    for (let revision = 1; revision <= plan.revisions; revision += 1) {
      if (revision > 1) {
        // What organisers revise: counts, the end time, now and then the start or the places.
        peopleExpected = Math.max(5, Math.round(peopleExpected * (0.6 + random() * 0.9)));
        if (random() < 0.5) durationMin += 30 * between(-1, 2);
        durationMin = Math.max(30, durationMin);
        if (random() < 0.2) startAt += 15 * MINUTE_MS * between(-2, 2);
        if (random() < 0.3)
          places = [pick(anywhere).text, places[1] as string, pick(anywhere).text];
        if (random() < 0.3) waypoints = between(0, 2);
      }
      const endAt = startAt + durationMin * MINUTE_MS;
      const declared = random() < 0.3 ? null : Math.round(peopleExpected * (0.5 + random() * 0.7));
      const cars = kind === 'MOVING_DEMONSTRATION' ? between(0, 4) : between(0, 1);
      const envelope = {
        eventId,
        revision,
        action: 'UPSERT' as const,
        submittedAt: declaredAt + (revision - 1) * between(1, 20) * 3_600_000,
        source: CHAOS_SOURCE,
      };
      const [first, second, third] = places as [string, string, string];
      switch (kind) {
        case 'MOVING_DEMONSTRATION':
          submissions.push({
            ...envelope,
            payload: {
              'cortege.MovingDemonstration': {
                subject,
                description,
                departureAddress: first,
                waypointAddresses: [second, third].slice(0, waypoints),
                arrivalAddress: pick(anywhere).text,
                startAt,
                endAt,
                peopleExpected,
                peopleDeclared: declared,
                carsExpected: cars,
                carsDeclared: random() < 0.5 ? null : cars,
                organiserStatus: status,
                route,
              },
            },
          });
          break;
        case 'STATIC_DEMONSTRATION':
          submissions.push({
            ...envelope,
            payload: {
              'cortege.StaticDemonstration': {
                subject,
                description,
                address: first,
                startAt,
                endAt,
                peopleExpected,
                peopleDeclared: declared,
                carsExpected: 0,
                carsDeclared: null,
                organiserStatus: status,
                footprint:
                  footprintAt === null
                    ? null
                    : squareAround(
                        footprintAt,
                        30 + 10 * Math.min(12, Math.floor(peopleExpected / 200)),
                      ),
              },
            },
          });
          break;
        case 'SCHEDULED_OPERATION':
          submissions.push({
            ...envelope,
            payload: {
              'cortege.ScheduledOperation': {
                subject,
                description,
                addresses: places.slice(0, 1 + waypoints),
                startAt,
                endAt: startAt + Math.max(durationMin, 120) * MINUTE_MS * 2,
                theme,
              },
            },
          });
          break;
        case 'OFFICIAL_VISIT':
          submissions.push({
            ...envelope,
            payload: {
              'cortege.OfficialVisit': {
                subject,
                description,
                addresses: places.slice(0, 1 + Math.min(1, waypoints)),
                startAt,
                endAt,
              },
            },
          });
          break;
        default: {
          const _exhaustive: never = kind;
          return _exhaustive;
        }
      }
    }
    if (plan.cancel) {
      submissions.push({
        eventId,
        revision: plan.revisions + 1,
        action: 'CANCEL',
        submittedAt: declaredAt + (plan.revisions + 1) * 24 * 3_600_000,
        source: CHAOS_SOURCE,
        payload: null,
      });
    }
    // First declarations follow the events' order; each later revision comes a while after
    // the previous one, among other events' submissions.
    const keys: number[] = [index / plans.length];
    for (let i = 1; i < submissions.length; i += 1)
      keys.push((keys[i - 1] as number) + random() * 0.08);
    return { eventId, kind, keys, submissions };
  });

  let outOfOrder = 0;
  for (const draft of drafts) {
    if (draft.keys.length >= 2 && random() < 0.1) {
      // Revision i+1 overtakes revision i: i arrives stale and is dropped by the sanitizer.
      const i = Math.floor(random() * (draft.keys.length - 1));
      const [a, b] = [draft.keys[i] as number, draft.keys[i + 1] as number];
      draft.keys[i] = b;
      draft.keys[i + 1] = a;
      outOfOrder += 1;
    }
  }
  const ordered = drafts
    .flatMap((draft) => draft.submissions.map((s, i) => ({ key: draft.keys[i] as number, s })))
    .sort((a, b) => a.key - b.key)
    .map(({ s }) => s);
  // Re-sends: a producer retrying a submission it already sent, a little later.
  const sent: Submission[] = [];
  const resendAt = new Map<number, Submission[]>();
  for (let k = 0; k < resends; k += 1) {
    const i = Math.floor((k * ordered.length) / resends);
    const later = Math.min(ordered.length - 1, i + between(1, 200));
    resendAt.set(later, [...(resendAt.get(later) ?? []), ordered[i] as Submission]);
  }
  ordered.forEach((s, i) => {
    sent.push(s);
    sent.push(...(resendAt.get(i) ?? []));
  });

  const byKind: Record<EventKind, number> = {
    MOVING_DEMONSTRATION: 0,
    STATIC_DEMONSTRATION: 0,
    SCHEDULED_OPERATION: 0,
    OFFICIAL_VISIT: 0,
  };
  const events = drafts.map((draft): ExpectedEvent => {
    byKind[draft.kind] += 1;
    const last = draft.submissions[draft.submissions.length - 1] as Submission;
    return {
      eventId: draft.eventId,
      kind: draft.kind,
      latestRevision: last.revision,
      cancelled: last.action === 'CANCEL',
    };
  });
  return {
    submissions: sent,
    events,
    stats: {
      events: events.length,
      byKind,
      revisions: ordered.filter((s) => s.revision > 1 && s.action === 'UPSERT').length,
      cancels: events.filter((e) => e.cancelled).length,
      outOfOrder,
      resent: sent.length - ordered.length,
      firstDay: firstDay.toISODate() ?? '',
      lastDay: firstDay.plus({ days: days - 1 }).toISODate() ?? '',
    },
  };
}

/** A route along a street's points: a run of 2 or more consecutive points, walked either way. */
function routeOf(street: readonly Position[], random: () => number): { coordinates: Position[] } {
  const from = Math.floor(random() * (street.length - 2));
  const to = from + 2 + Math.floor(random() * (street.length - from - 1));
  const run = street.slice(from, Math.min(street.length, to));
  return { coordinates: random() < 0.5 ? run : [...run].reverse() };
}

/** A square footprint of side 2 × `halfSideM` metres around `at`, counterclockwise and closed. */
function squareAround(at: Position, halfSideM: number): { rings: Position[][] } {
  const dLat = halfSideM / 111_320;
  const dLon = halfSideM / (111_320 * Math.cos((at.lat * Math.PI) / 180));
  const round = (x: number) => Math.round(x * 1e6) / 1e6;
  const [w, e, s, n] = [at.lon - dLon, at.lon + dLon, at.lat - dLat, at.lat + dLat].map(round) as [
    number,
    number,
    number,
    number,
  ];
  return {
    rings: [
      [
        { lon: w, lat: s },
        { lon: e, lat: s },
        { lon: e, lat: n },
        { lon: w, lat: n },
        { lon: w, lat: s },
      ],
    ],
  };
}
