import { join } from 'node:path';
import { readAgenda, type Agenda } from '@app/aggregation';
import { importBanAddresses } from '@app/geocoding-adapters';
import { GAZETTEER_DATA, syntheticCityDay } from '@app/testing';
import { habilitate, startAnalystApi, type AnalystFixture } from '../test/analyst-fixture';
import { parseAgendaQuery } from './agenda.controller';

describe('GET /agenda: a level per arrondissement and day, from the declared events', () => {
  let api: AnalystFixture;
  let token: string;

  beforeAll(async () => {
    // Three days of events across Marseille, 1–3 May 2026; a zone threshold of 5.
    api = await startAnalystApi(syntheticCityDay(90, 4, Date.UTC(2026, 4, 1), 5, 3), {
      TENSION_ZONE_THRESHOLD: '5',
    });
    await importBanAddresses(api.pool, join(GAZETTEER_DATA, 'adresses-13-extract.csv'));
    await habilitate(api, 'viewer-7', 'prefecture-viewer');
    token = await api.token('viewer-7', ['prefecture-viewer']);
  });

  afterAll(async () => {
    await api?.close();
  });

  it('serves the agenda the tables give, at the configured zone threshold', async () => {
    const response = await api.get('/agenda?from=2026-04-30&days=5', token);
    expect(response.status).toBe(200);
    const body = (await response.json()) as Agenda;
    expect(body).toEqual(
      JSON.parse(
        JSON.stringify(await readAgenda(api.pool, { from: '2026-04-30', days: 5, reference: 5 })),
      ),
    );
    expect(body).toMatchObject({ from: '2026-04-30', days: 5, reference: 5, gazetteer: true });
    expect(body.entries).toHaveLength(5 * 16);
    const tenseDays = [...new Set(body.entries.filter((e) => e.level > 1).map((e) => e.day))];
    expect(tenseDays).toEqual(['2026-05-01', '2026-05-02', '2026-05-03']);
    expect(body.entries.some((e) => e.conflict && e.events.some((ev) => ev.inConflict))).toBe(true);
    // No free text: only ids and kinds stand behind a level.
    for (const entry of body.entries)
      for (const event of entry.events)
        expect(Object.keys(event).sort()).toEqual(['eventId', 'inConflict', 'kind']);
  });

  it('refuses a bad day, a bad span and an unknown parameter, naming it; and no token', async () => {
    for (const [query, parameter] of [
      ['from=2026-02-30', 'from'],
      ['from=tomorrow', 'from'],
      ['days=0', 'days'],
      ['days=400', 'days'],
      ['days=2.5', 'days'],
      ['weeks=2', 'weeks'],
    ] as const) {
      const response = await api.get(`/agenda?${query}`, token);
      const body = (await response.json()) as { parameter?: string };
      expect([query, response.status, body.parameter]).toEqual([query, 400, parameter]);
    }
    expect((await api.get('/agenda')).status).toBe(401);
  });

  it('defaults to 30 days from today in Marseille', () => {
    expect(parseAgendaQuery({}, '2026-12-07')).toEqual({ from: '2026-12-07', days: 30 });
  });
});
