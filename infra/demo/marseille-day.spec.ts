import { parseSubmission } from '@app/contracts';
import {
  DEMO_EVENT_KEYS,
  demoEventId,
  marseilleDay,
  type DemoEventKey,
  type DemoPayload,
  type DemoSubmission,
  type DemoUpsert,
} from './marseille-day';

const DAY = '2026-05-01';
const UUID_V5 = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const all = (day = DAY): DemoSubmission[] =>
  marseilleDay(day).steps.flatMap((step) => [...step.submissions]);

const eventOf = (payload: DemoPayload): Record<string, unknown> =>
  Object.values(payload)[0] as Record<string, unknown>;

const withoutDeclaredCounts = (payload: DemoPayload): Record<string, unknown> => {
  const { peopleDeclared: _p, carsDeclared: _c, ...rest } = eventOf(payload);
  return rest;
};

describe('demoEventId', () => {
  it('is a UUID v5 of the day and the event, the same on every run', () => {
    // Pinned: a rerun of the demo on the same day must revise these events, never add new ones.
    // Python agrees: uuid.uuid5(uuid.UUID('8b0f6d2e-4c1a-4e7b-9f35-2a6c0d9e7b14'),
    // 'marseille-day/2026-05-01/union-march').
    expect(demoEventId(DAY, 'union-march')).toBe('2d38b32f-8c87-5e0f-8d57-ff14ede47f7c');
    expect(demoEventId(DAY, 'union-march')).toMatch(UUID_V5);
  });

  it('differs between events of a day and between days', () => {
    const ids = DEMO_EVENT_KEYS.flatMap((key) => [
      demoEventId(DAY, key),
      demoEventId('2026-05-02', key),
    ]);
    expect(new Set(ids).size).toBe(DEMO_EVENT_KEYS.length * 2);
    for (const id of ids) expect(id).toMatch(UUID_V5);
  });
});

describe('marseilleDay', () => {
  it('is deterministic in the day: the same steps, ids and content on a rerun', () => {
    expect(JSON.stringify(marseilleDay(DAY))).toBe(JSON.stringify(marseilleDay(DAY)));
    expect(marseilleDay('2026-05-02').firstMarchId).not.toBe(marseilleDay(DAY).firstMarchId);
  });

  it('passes the contract check of the ingest API, as JSON, on ordinary and DST days', () => {
    for (const day of [DAY, '2026-01-15', '2026-03-29', '2026-10-25']) {
      const body: unknown = JSON.parse(JSON.stringify(all(day)));
      for (const submission of body as unknown[])
        expect(parseSubmission(submission)).toMatchObject({ ok: true });
    }
  });

  it('writes every time as a local date-time of the day, submissions in time order', () => {
    const local = new RegExp(`^${DAY}T\\d{2}:\\d{2}$`);
    const submitted = all().map((s) => s.submittedAt);
    for (const s of all()) {
      expect(s.submittedAt).toMatch(local);
      if (s.action === 'UPSERT') {
        expect(eventOf(s.payload).startAt).toMatch(local);
        expect(eventOf(s.payload).endAt).toMatch(local);
      }
    }
    expect([...submitted].sort()).toEqual(submitted);
  });

  it('revises events with increasing revisions that change only the declared counts', () => {
    const byEvent = new Map<string, DemoSubmission[]>();
    for (const s of all()) byEvent.set(s.eventId, [...(byEvent.get(s.eventId) ?? []), s]);
    expect(byEvent.size).toBe(DEMO_EVENT_KEYS.length);
    const revised: string[] = [];
    for (const [eventId, history] of byEvent) {
      expect(history.map((s) => s.revision)).toEqual(history.map((_, i) => i + 1));
      const upserts = history.filter((s): s is DemoUpsert => s.action === 'UPSERT');
      for (const later of upserts.slice(1)) {
        const first = upserts[0] as DemoUpsert;
        expect(withoutDeclaredCounts(later.payload)).toEqual(withoutDeclaredCounts(first.payload));
        expect(eventOf(later.payload)).not.toEqual(
          eventOf((upserts[upserts.indexOf(later) - 1] as DemoUpsert).payload),
        );
        revised.push(eventId);
      }
    }
    const day = marseilleDay(DAY);
    const revisedKeys: DemoEventKey[] = ['union-march', 'second-march', 'prefecture-rally'];
    expect(new Set(revised)).toEqual(new Set(revisedKeys.map((key) => demoEventId(DAY, key))));
    expect(revised.filter((id) => id === day.firstMarchId)).toHaveLength(2);
  });

  it('cancels exactly one event, the Castellane rally, with a last, higher revision', () => {
    const day = marseilleDay(DAY);
    const cancels = all().filter((s) => s.action === 'CANCEL');
    expect(cancels).toEqual([
      {
        eventId: demoEventId(DAY, 'castellane-rally'),
        revision: 2,
        action: 'CANCEL',
        submittedAt: `${DAY}T10:00`,
        source: 'cortege-pp13',
      },
    ]);
    expect(day.events.filter((e) => e.cancelled)).toEqual([
      {
        key: 'castellane-rally',
        eventId: demoEventId(DAY, 'castellane-rally'),
        kind: 'STATIC_DEMONSTRATION',
        latestRevision: 2,
        cancelled: true,
      },
    ]);
    expect([day.firstMarchId, day.officialVisitId]).not.toContain(cancels[0]?.eventId);
  });

  it('says what each event ends as', () => {
    const day = marseilleDay(DAY);
    expect(
      day.events.map(({ key, kind, latestRevision, cancelled }) => [
        key,
        kind,
        latestRevision,
        cancelled,
      ]),
    ).toEqual([
      ['flea-market', 'SCHEDULED_OPERATION', 1, false],
      ['psq-transports', 'SCHEDULED_OPERATION', 1, false],
      ['official-visit', 'OFFICIAL_VISIT', 1, false],
      ['union-march', 'MOVING_DEMONSTRATION', 3, false],
      ['second-march', 'MOVING_DEMONSTRATION', 2, false],
      ['prefecture-rally', 'STATIC_DEMONSTRATION', 2, false],
      ['castellane-rally', 'STATIC_DEMONSTRATION', 2, true],
    ]);
    for (const e of day.events) expect(e.eventId).toBe(demoEventId(DAY, e.key));
    expect(day.firstMarchId).toBe(demoEventId(DAY, 'union-march'));
    expect(day.officialVisitId).toBe(demoEventId(DAY, 'official-visit'));
  });

  it('holds the kinds and places the brief asks for', () => {
    const latest = new Map<string, DemoUpsert>();
    for (const s of all()) if (s.action === 'UPSERT') latest.set(s.eventId, s);
    const payload = (key: DemoEventKey) =>
      (latest.get(demoEventId(DAY, key)) as DemoUpsert).payload;
    expect(payload('union-march')).toMatchObject({
      'cortege.MovingDemonstration': {
        organiserStatus: 'UNION',
        peopleExpected: 2000,
        waypointAddresses: ['Quai des Belges, 13001 Marseille', 'La Canebière, 13001 Marseille'],
        arrivalAddress: 'Place des Réformés, 13001 Marseille',
      },
    });
    expect(payload('second-march')).toMatchObject({
      'cortege.MovingDemonstration': {
        departureAddress: 'Place des Réformés, 13001 Marseille',
        waypointAddresses: expect.arrayContaining(['Place Castellane, 13006 Marseille']) as unknown,
        arrivalAddress: 'Rond-point du Prado, 13008 Marseille',
      },
    });
    expect(payload('psq-transports')).toMatchObject({
      'cortege.ScheduledOperation': { theme: 'PSQ_TRANSPORTS' },
    });
    expect(payload('flea-market')).toMatchObject({
      'cortege.ScheduledOperation': {
        theme: 'MARCHE_AUX_PUCES',
        addresses: ['Les Arnavaux, 13014 Marseille'],
      },
    });
    expect(payload('official-visit')).toMatchObject({
      'cortege.OfficialVisit': { addresses: ['Hôtel de Ville, Quai du Port, 13002 Marseille'] },
    });
  });

  it('gives the overlap of the first march and the visit, 10:30–12:00 local, DST included', () => {
    expect(marseilleDay(DAY).marchVisitOverlap).toEqual({
      startAt: Date.parse('2026-05-01T08:30:00Z'),
      endAt: Date.parse('2026-05-01T10:00:00Z'),
    });
    expect(marseilleDay('2026-01-15').marchVisitOverlap).toEqual({
      startAt: Date.parse('2026-01-15T09:30:00Z'),
      endAt: Date.parse('2026-01-15T11:00:00Z'),
    });
    expect(marseilleDay('2026-03-29').marchVisitOverlap.startAt).toBe(
      Date.parse('2026-03-29T08:30:00Z'),
    );
  });

  it('lets the second march start before the first one ends', () => {
    const window = (key: 'union-march' | 'second-march') => {
      const s = all()
        .filter((x): x is DemoUpsert => x.action === 'UPSERT')
        .find((x) => x.eventId === demoEventId(DAY, key)) as DemoUpsert;
      return eventOf(s.payload) as { startAt: string; endAt: string };
    };
    expect(window('second-march').startAt < window('union-march').endAt).toBe(true);
    expect(window('second-march').endAt > window('union-march').startAt).toBe(true);
  });

  it.each(['2026-02-30', '2026-5-1', 'tomorrow', ''])('refuses the day %j', (day) => {
    expect(() => marseilleDay(day)).toThrow(RangeError);
  });
});
