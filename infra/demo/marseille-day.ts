/**
 * The realistic day in Marseille that `npm run demo` publishes through the ingest API.
 *
 * Seven Cortège events on one local day (Europe/Paris), every address one the project's
 * gazetteer resolves (`libs/geocoding-adapters/data`: named places and the BAN-format extract):
 * - a union march (~2,000 expected) gathering on the Quai du Port in front of the Hôtel de Ville,
 *   along the Vieux-Port's Quai des Belges and up La Canebière to the Réformés, 10:30–13:00,
 *   placed by its geocoded addresses (no drawn route);
 * - a second march Réformés → Boulevard Garibaldi → Cours Lieutaud → Castellane → Rond-point du
 *   Prado, 12:30–15:30 (it starts before the first one ends), with its drawn route trace;
 * - a rally in front of the Préfecture with its drawn footprint, 14:00–16:00;
 * - a rally at Castellane, 13:30–15:30, cancelled in the morning;
 * - an official visit at the Hôtel de Ville, 10:00–12:00: the union march gathers at its door,
 *   so the two make a zone of tension between 10:30 and 12:00;
 * - a PSQ Transports operation at the Gare Saint-Charles, 08:00–20:00;
 * - the flea market of Les Arnavaux (theme Marché aux Puces), 07:00–13:30.
 * Then the organisers' declared counts are revised (revision 2 of both marches and the Préfecture
 * rally, revision 3 of the union march during the march) and the Castellane rally is cancelled.
 *
 * Submissions are in the JSON shape `POST /v1/submissions` takes (docs/ingest-api.md): times as
 * local ISO 8601 without offset (Europe/Paris). Free text names no one. Event ids are UUID v5 of
 * the day and the event, and every field is a function of the day: publishing the same day twice
 * gives the same (eventId, revision, content), which the ingest API answers as duplicates.
 */
import { createHash } from 'node:crypto';
import { DateTime } from 'luxon';
import {
  CORTEGE_ZONE,
  eventOf,
  parseDateTime,
  type EventKind,
  type MovingDemonstration,
  type OfficialVisit,
  type ScheduledOperation,
  type StaticDemonstration,
  type Submission,
} from '@app/contracts';

/** A local date-time in Europe/Paris, ISO 8601 without offset: `2026-05-01T10:30`. */
export type LocalDateTime = string;

/** An Annex 1 record with its `startAt` and `endAt` as local date-times, as the API takes them. */
export type WithLocalTimes<T> = {
  readonly [K in keyof T]: K extends 'startAt' | 'endAt' ? LocalDateTime : T[K];
};

/** The payload union, wrapped Avro-JSON style (`{"cortege.OfficialVisit": {...}}`). */
export type DemoPayload =
  | { readonly 'cortege.MovingDemonstration': WithLocalTimes<MovingDemonstration> }
  | { readonly 'cortege.StaticDemonstration': WithLocalTimes<StaticDemonstration> }
  | { readonly 'cortege.ScheduledOperation': WithLocalTimes<ScheduledOperation> }
  | { readonly 'cortege.OfficialVisit': WithLocalTimes<OfficialVisit> };

interface DemoEnvelope {
  readonly eventId: string;
  readonly revision: number;
  readonly submittedAt: LocalDateTime;
  readonly source: string;
}

/** One POST body: an event created or replaced… */
export interface DemoUpsert extends DemoEnvelope {
  readonly action: 'UPSERT';
  readonly payload: DemoPayload;
}

/** …or cancelled (no payload). */
export interface DemoCancel extends DemoEnvelope {
  readonly action: 'CANCEL';
}

export type DemoSubmission = DemoUpsert | DemoCancel;

/** One publication: a batch the demo POSTs at once, after the previous step. */
export interface DemoStep {
  /** What happens, for the demo's output (English, never the submissions' free text). */
  readonly title: string;
  readonly submissions: readonly DemoSubmission[];
}

/** The events of the day, by a stable name. */
export const DEMO_EVENT_KEYS = [
  'union-march',
  'second-march',
  'prefecture-rally',
  'castellane-rally',
  'official-visit',
  'psq-transports',
  'flea-market',
] as const;
export type DemoEventKey = (typeof DEMO_EVENT_KEYS)[number];

/** What the day ends with for one event, derived from the steps. */
export interface DemoEvent {
  readonly key: DemoEventKey;
  readonly eventId: string;
  readonly kind: EventKind;
  /** The highest revision published (the cancel's, for a cancelled event). */
  readonly latestRevision: number;
  readonly cancelled: boolean;
}

/** A half-open interval of UTC instants, `[startAt, endAt)` in milliseconds. */
export interface UtcInterval {
  readonly startAt: number;
  readonly endAt: number;
}

export interface MarseilleDay {
  /** The local date, `YYYY-MM-DD`. */
  readonly day: string;
  /** In publication order. */
  readonly steps: readonly DemoStep[];
  /** Every event, in order of first publication. */
  readonly events: readonly DemoEvent[];
  /** The union march Vieux-Port → La Canebière → Réformés. */
  readonly firstMarchId: string;
  /** The official visit at the Hôtel de Ville. */
  readonly officialVisitId: string;
  /**
   * Where the declared windows of the first march's latest revision and the visit's overlap,
   * UTC ms (10:30–12:00 local): a zone of tension holds both during it.
   */
  readonly marchVisitOverlap: UtcInterval;
}

/** The Préfecture's application id, as in the samples (never a person). */
export const DEMO_SOURCE = 'cortege-pp13';

/** Namespace of the demo's UUID v5 event ids (RFC 4122 §4.3); a constant of this project. */
const DEMO_NAMESPACE = '8b0f6d2e-4c1a-4e7b-9f35-2a6c0d9e7b14';

/** `YYYY-MM-DD`. */
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The event id of `key` on `day`: the UUID v5 (SHA-1, RFC 4122 §4.3) of
 * `marseille-day/<day>/<key>` in the demo's namespace. Same day and key, same id.
 */
export function demoEventId(day: string, key: DemoEventKey): string {
  const hash = createHash('sha1')
    .update(Buffer.from(DEMO_NAMESPACE.replace(/-/g, ''), 'hex'))
    .update(`marseille-day/${day}/${key}`, 'utf8')
    .digest()
    .subarray(0, 16);
  hash.writeUInt8((hash.readUInt8(6) & 0x0f) | 0x50, 6);
  hash.writeUInt8((hash.readUInt8(8) & 0x3f) | 0x80, 8);
  const hex = hash.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The kind of a payload, from its single wrapped branch. */
export function kindOfPayload(payload: DemoPayload): EventKind {
  // Only the branch's name is read: its local times need not be the contract's instants yet.
  const kinded = eventOf({ payload: payload as unknown as Submission['payload'] });
  if (kinded === null) throw new Error('a demo payload always carries an event');
  return kinded.kind;
}

/** UTC ms of a local date-time. @throws RangeError when it does not exist in Europe/Paris. */
function utcMs(local: LocalDateTime): number {
  const parsed = parseDateTime(local, CORTEGE_ZONE);
  if (!parsed.ok) throw new RangeError(parsed.reason);
  return parsed.epochMs;
}

/**
 * The demo's day on the local date `day` (`YYYY-MM-DD`, Europe/Paris): its publication steps and
 * what each event ends as. Pure and deterministic in `day`.
 *
 * @throws RangeError when `day` is not a valid `YYYY-MM-DD` date.
 */
export function marseilleDay(day: string): MarseilleDay {
  if (!DAY.test(day) || !DateTime.fromISO(day, { zone: CORTEGE_ZONE }).isValid)
    throw new RangeError(`day must be a date YYYY-MM-DD, got '${day}'`);
  const at = (time: string): LocalDateTime => `${day}T${time}`;
  const envelope = (key: DemoEventKey, revision: number, submittedAt: string): DemoEnvelope => ({
    eventId: demoEventId(day, key),
    revision,
    submittedAt: at(submittedAt),
    source: DEMO_SOURCE,
  });
  const upsert = (
    key: DemoEventKey,
    revision: number,
    submittedAt: string,
    payload: DemoPayload,
  ): DemoUpsert => ({ ...envelope(key, revision, submittedAt), action: 'UPSERT', payload });
  const cancel = (key: DemoEventKey, revision: number, submittedAt: string): DemoCancel => ({
    ...envelope(key, revision, submittedAt),
    action: 'CANCEL',
  });

  const unionMarch = (peopleDeclared: number, carsDeclared: number): DemoPayload => ({
    'cortege.MovingDemonstration': {
      subject: 'Manifestation intersyndicale pour les salaires et les services publics',
      description:
        'Rassemblement au Vieux-Port sur le quai du Port, devant l’Hôtel de Ville, puis cortège ' +
        'par le quai des Belges et La Canebière ; dispersion aux Réformés. Deux camions sono.',
      departureAddress: 'Quai du Port, devant l’Hôtel de Ville, 13002 Marseille',
      waypointAddresses: ['Quai des Belges, 13001 Marseille', 'La Canebière, 13001 Marseille'],
      arrivalAddress: 'Place des Réformés, 13001 Marseille',
      startAt: at('10:30'),
      endAt: at('13:00'),
      peopleExpected: 2000,
      peopleDeclared,
      carsExpected: 2,
      carsDeclared,
      organiserStatus: 'UNION',
      route: null,
    },
  });

  const secondMarch = (peopleDeclared: number, carsDeclared: number): DemoPayload => ({
    'cortege.MovingDemonstration': {
      subject: 'Marche pour le climat et les transports en commun',
      description:
        'Cortège familial avec vélos et poussettes, un char en queue de cortège. Départ des ' +
        'Réformés, descente de La Canebière, boulevard Garibaldi, cours Lieutaud, Castellane, ' +
        'avenue du Prado.',
      departureAddress: 'Place des Réformés, 13001 Marseille',
      waypointAddresses: [
        'Boulevard Garibaldi, 13001 Marseille',
        'Cours Lieutaud, 13006 Marseille',
        'Place Castellane, 13006 Marseille',
      ],
      arrivalAddress: 'Rond-point du Prado, 13008 Marseille',
      startAt: at('12:30'),
      endAt: at('15:30'),
      peopleExpected: 1000,
      peopleDeclared,
      carsExpected: 1,
      carsDeclared,
      organiserStatus: 'ASSOCIATION',
      // Drawn along the streets (WGS84 lon, lat), through the extract's points of each street.
      route: {
        coordinates: [
          { lon: 5.385634, lat: 43.298927 }, // Les Réformés
          { lon: 5.38178, lat: 43.29781 }, // La Canebière × boulevard Garibaldi
          { lon: 5.38217, lat: 43.2947 }, // boulevard Garibaldi × cours Lieutaud
          { lon: 5.38458, lat: 43.28776 }, // south end of cours Lieutaud
          { lon: 5.38376, lat: 43.28601 }, // place Castellane
          { lon: 5.39147, lat: 43.27258 }, // avenue du Prado
          { lon: 5.3926, lat: 43.27146 }, // Rond-point du Prado
        ],
      },
    },
  });

  const prefectureRally = (peopleDeclared: number): DemoPayload => ({
    'cortege.StaticDemonstration': {
      subject: 'Rassemblement pour un logement digne',
      description:
        'Rassemblement d’associations de locataires devant la Préfecture, prises de parole ' +
        'et remise d’une motion.',
      address: 'Préfecture des Bouches-du-Rhône, Place Félix Baret, 13006 Marseille',
      startAt: at('14:00'),
      endAt: at('16:00'),
      peopleExpected: 300,
      peopleDeclared,
      carsExpected: 0,
      carsDeclared: 0,
      organiserStatus: 'ASSOCIATION',
      // The forecourt on place Félix Baret, outer ring counterclockwise (RFC 7946), WGS84 lon, lat.
      footprint: {
        rings: [
          [
            { lon: 5.3792, lat: 43.2904 },
            { lon: 5.3802, lat: 43.2904 },
            { lon: 5.3802, lat: 43.2912 },
            { lon: 5.3792, lat: 43.2912 },
            { lon: 5.3792, lat: 43.2904 },
          ],
        ],
      },
    },
  });

  const castellaneRally: DemoPayload = {
    'cortege.StaticDemonstration': {
      subject: 'Rassemblement des commerçants contre la fermeture de la place aux livraisons',
      description: 'Collectif de commerçants du quartier, autour de la fontaine de la place.',
      address: 'Place Castellane, 13006 Marseille',
      startAt: at('13:30'),
      endAt: at('15:30'),
      peopleExpected: 600,
      peopleDeclared: 400,
      carsExpected: 0,
      carsDeclared: 0,
      organiserStatus: 'OTHER',
      footprint: null,
    },
  };

  const officialVisit: DemoPayload = {
    'cortege.OfficialVisit': {
      subject: 'Visite ministérielle : réunion de travail sur la sécurité du quotidien',
      description:
        'Arrivée par le quai du Port, périmètre de sécurité autour de l’Hôtel de Ville, ' +
        'point presse sur le parvis.',
      addresses: ['Hôtel de Ville, Quai du Port, 13002 Marseille'],
      startAt: at('10:00'),
      endAt: at('12:00'),
    },
  };

  const psqTransports: DemoPayload = {
    'cortege.ScheduledOperation': {
      subject: 'PSQ Transports : sécurisation de la gare Saint-Charles et de ses abords',
      description:
        'Patrouilles en gare et sur l’escalier monumental, contrôles aux accès du métro.',
      addresses: [
        'Gare Saint-Charles, 13001 Marseille',
        'Place des Marseillaises, 13001 Marseille',
      ],
      startAt: at('08:00'),
      endAt: at('20:00'),
      theme: 'PSQ_TRANSPORTS',
    },
  };

  const fleaMarket: DemoPayload = {
    'cortege.ScheduledOperation': {
      subject: 'Marché aux Puces des Arnavaux : sécurisation et circulation',
      description:
        'Forte affluence attendue le matin ; stationnement et circulation encadrés aux abords.',
      addresses: ['Les Arnavaux, 13014 Marseille'],
      startAt: at('07:00'),
      endAt: at('13:30'),
      theme: 'MARCHE_AUX_PUCES',
    },
  };

  const steps: DemoStep[] = [
    {
      title: 'Morning declarations: every event of the day (revision 1)',
      submissions: [
        upsert('flea-market', 1, '06:30', fleaMarket),
        upsert('psq-transports', 1, '06:35', psqTransports),
        upsert('official-visit', 1, '06:40', officialVisit),
        upsert('union-march', 1, '06:45', unionMarch(1800, 2)),
        upsert('second-march', 1, '06:50', secondMarch(800, 1)),
        upsert('prefecture-rally', 1, '06:55', prefectureRally(250)),
        upsert('castellane-rally', 1, '07:00', castellaneRally),
      ],
    },
    {
      title: 'Organisers revise their declared counts (revision 2)',
      submissions: [
        upsert('union-march', 2, '09:30', unionMarch(2400, 3)),
        upsert('second-march', 2, '09:35', secondMarch(1200, 2)),
        upsert('prefecture-rally', 2, '09:40', prefectureRally(400)),
      ],
    },
    {
      title: 'The Castellane rally is cancelled (revision 2, CANCEL)',
      submissions: [cancel('castellane-rally', 2, '10:00')],
    },
    {
      title: 'A head count of the union march on its way (revision 3)',
      submissions: [upsert('union-march', 3, '11:15', unionMarch(3000, 3))],
    },
  ];

  const keyOf = new Map(DEMO_EVENT_KEYS.map((key) => [demoEventId(day, key), key]));
  const events = new Map<string, DemoEvent>();
  const windows = new Map<string, UtcInterval>();
  for (const { submissions } of steps)
    for (const s of submissions) {
      const known = events.get(s.eventId);
      const key = keyOf.get(s.eventId) as DemoEventKey;
      if (s.action === 'CANCEL') {
        events.set(s.eventId, {
          key,
          eventId: s.eventId,
          kind: known?.kind as EventKind,
          latestRevision: s.revision,
          cancelled: true,
        });
        continue;
      }
      events.set(s.eventId, {
        key,
        eventId: s.eventId,
        kind: kindOfPayload(s.payload),
        latestRevision: s.revision,
        cancelled: false,
      });
      const event = Object.values(s.payload)[0] as { startAt: LocalDateTime; endAt: LocalDateTime };
      windows.set(s.eventId, { startAt: utcMs(event.startAt), endAt: utcMs(event.endAt) });
    }

  const firstMarchId = demoEventId(day, 'union-march');
  const officialVisitId = demoEventId(day, 'official-visit');
  const march = windows.get(firstMarchId) as UtcInterval;
  const visit = windows.get(officialVisitId) as UtcInterval;
  return {
    day,
    steps,
    events: [...events.values()],
    firstMarchId,
    officialVisitId,
    marchVisitOverlap: {
      startAt: Math.max(march.startAt, visit.startAt),
      endAt: Math.min(march.endAt, visit.endAt),
    },
  };
}
