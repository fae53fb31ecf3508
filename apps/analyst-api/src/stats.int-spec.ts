import { cellToLatLng } from 'h3-js';
import type { Presence } from '@app/contracts';
import { syntheticCityDay } from '@app/testing';
import { habilitate, startAnalystApi, type AnalystFixture } from '../test/analyst-fixture';

/**
 * Demonstrations get an organiser status: 3 political parties, 7 others, the rest unions and
 * associations, so that small groups exist. Each event is placed at its first cell (the
 * builder places every event at the Vieux-Port).
 */
function realistic(records: readonly Presence[]): Presence[] {
  const demonstrations = [
    ...new Set(
      records
        .filter((r) => r.kind === 'MOVING_DEMONSTRATION' || r.kind === 'STATIC_DEMONSTRATION')
        .map((r) => r.eventId),
    ),
  ].sort();
  const status = new Map(
    demonstrations.map((id, i) => [
      id,
      i < 3 ? 'POLITICAL_PARTY' : i < 10 ? 'OTHER' : i % 2 === 0 ? 'UNION' : 'ASSOCIATION',
    ]),
  );
  return records.map((r) => {
    const first = r.cells[0]?.cell;
    const [lat, lng] = first ? cellToLatLng(first) : [0, 0];
    return {
      ...r,
      organiserStatus: (status.get(r.eventId) as Presence['organiserStatus']) ?? null,
      geometry:
        r.geometry && first
          ? JSON.stringify({ type: 'Point', coordinates: [lng, lat] })
          : r.geometry,
    };
  });
}

interface Stats {
  groupBy: string[];
  minGroupSize?: number;
  suppressedGroups: number;
  groups: Array<Record<string, string | number | boolean | null>>;
}

describe('breakdowns of events, with small groups by organiser status suppressed', () => {
  let api: AnalystFixture;
  let token: string;

  beforeAll(async () => {
    api = await startAnalystApi(realistic(syntheticCityDay(160, 9, Date.UTC(2026, 4, 1), 5, 3)));
    await habilitate(api, 'viewer-1', 'prefecture-viewer');
    token = await api.token('viewer-1', ['prefecture-viewer']);
  });

  afterAll(async () => {
    await api?.close();
  });

  const stats = async (query: string): Promise<Stats> => {
    const response = await api.get(`/stats?${query}`, token);
    expect([query, response.status]).toEqual([query, 200]);
    return (await response.json()) as Stats;
  };

  it('counts events and people per day and kind as SQL does', async () => {
    const { rows } = await api.pool.query<{
      day: string;
      kind: string;
      events: number;
      people: string;
    }>(
      `SELECT to_char((start_at AT TIME ZONE 'Europe/Paris')::date, 'YYYY-MM-DD') AS day, kind,
              count(*)::int AS events, sum(coalesce(people, 0)) AS people
         FROM event GROUP BY 1, 2 ORDER BY 1, 2`,
    );
    const got = await stats('groupBy=day,kind');
    expect(got.suppressedGroups).toBe(0);
    expect(got.groups).toEqual(
      rows.map((r) => ({ day: r.day, kind: r.kind, events: r.events, people: Number(r.people) })),
    );
  });

  it('suppresses every group of fewer than 5 events by organiser status, and no larger one alone', async () => {
    const { rows } = await api.pool.query<{ status: string | null; events: number }>(
      `SELECT organiser_status AS status, count(*)::int AS events FROM event
        GROUP BY 1 ORDER BY 1 NULLS LAST`,
    );
    const got = await stats('groupBy=organiserStatus');
    expect(got.minGroupSize).toBe(5);
    const small = rows.filter((r) => r.events < 5);
    expect(small.length).toBeGreaterThan(0);
    for (const row of rows) {
      const group = got.groups.find((g) => g.organiserStatus === row.status);
      if (row.events < 5) expect(group).toEqual({ organiserStatus: row.status, suppressed: true });
      else if (!group?.suppressed) expect(group).toMatchObject({ events: row.events });
    }
    // Nothing in the answer carries the count of a suppressed group.
    for (const group of got.groups.filter((g) => g.suppressed)) {
      expect(group.events).toBeUndefined();
      expect(group.people).toBeUndefined();
    }
    // By day and status, the same rule holds in every day.
    const byDay = await stats('groupBy=day,organiserStatus');
    const { rows: perDay } = await api.pool.query<{
      day: string;
      status: string | null;
      events: number;
    }>(
      `SELECT to_char((start_at AT TIME ZONE 'Europe/Paris')::date, 'YYYY-MM-DD') AS day,
              organiser_status AS status, count(*)::int AS events
         FROM event GROUP BY 1, 2`,
    );
    for (const row of perDay.filter((r) => r.events < 5))
      expect(byDay.groups).toContainEqual({
        day: row.day,
        organiserStatus: row.status,
        suppressed: true,
      });
  });

  it('names the arrondissement of each event from the gazetteer', async () => {
    // One address of the 1st (Vieux-Port) and one of the 6th (Castellane): the nearest wins.
    await api.pool.query(`
      INSERT INTO gazetteer_address (id, numero, nom_voie, nom_voie_norm, nom_voie_core, code_postal, code_insee, geom)
      VALUES ('13201_0001_00001', 1, 'Quai du Port', 'quai du port', 'port', '13002', '13201', ST_SetSRID(ST_MakePoint(5.3697, 43.2966), 4326)),
             ('13206_0001_00001', 1, 'Place Castellane', 'place castellane', 'castellane', '13006', '13206', ST_SetSRID(ST_MakePoint(5.3834, 43.2856), 4326))`);
    const got = await stats('groupBy=arrondissement');
    const named = got.groups.filter((g) => g.arrondissement !== null).map((g) => g.arrondissement);
    expect(named).toEqual([1, 6]);
    const total = got.groups.reduce((n, g) => n + (g.events as number), 0);
    expect(total).toBe(
      Number((await api.pool.query<{ n: string }>('SELECT count(*) AS n FROM event')).rows[0]?.n),
    );
  });

  it.each([
    ['groupBy=colour', 'groupBy'],
    ['groupBy=day,day', 'groupBy'],
    ['datetime=tomorrow', 'datetime'],
    ['kind=PARADE', 'kind'],
    ['limit=5', 'limit'],
  ])('refuses %s with 400 naming %s', async (query, parameter) => {
    const response = await api.get(`/stats?${query}`, token);
    expect([response.status, ((await response.json()) as { parameter: string }).parameter]).toEqual(
      [400, parameter],
    );
  });
});
