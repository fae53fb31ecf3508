import { PresenceAggregator } from '@app/aggregation';
import { DEFAULT_TENSION_MODEL } from '@app/tension';
import { areaCells, MARSEILLE, presenceRecords, waitFor } from '@app/testing';
import { habilitate, startAnalystApi, type AnalystFixture } from '../test/analyst-fixture';

const DAY = Date.UTC(2026, 4, 1);
const H = 3_600_000;

/** Reads a server-sent event stream into `events` (`event:` names) until aborted. */
async function readEvents(response: Response, events: string[]): Promise<void> {
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
      const name = /^event: (.*)$/m.exec(buffer.slice(0, end))?.[1];
      if (name) events.push(name);
      buffer = buffer.slice(end + 2);
    }
  }
}

describe('the map page and its live stream', () => {
  let api: AnalystFixture;
  let token: string;

  beforeAll(async () => {
    api = await startAnalystApi([]);
    await habilitate(api, 'analyst-1', 'analyst');
    token = await api.token('analyst-1', ['analyst']);
  });
  afterAll(async () => {
    await api?.close();
  });

  const lastAudit = async () =>
    (
      await api.pool.query<{ principal: string; route: string; status: number }>(
        `SELECT principal, route, status FROM access_audit ORDER BY id DESC LIMIT 1`,
      )
    ).rows[0];

  it('serves the page and its files without data or token, audited, under a strict CSP', async () => {
    const page = await api.get('/map');
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('"issuer":"https://sso.test/realms/cortege"');
    expect(html).toContain('"clientId":"cortege-map"');
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self' https://sso.test");
    expect(await lastAudit()).toEqual({ principal: '-', route: '/map', status: 200 });

    const maplibre = await api.get('/map/maplibre-gl.js');
    expect([maplibre.status, maplibre.headers.get('content-type')]).toEqual([
      200,
      'text/javascript; charset=utf-8',
    ]);
    expect((await maplibre.text()).length).toBeGreaterThan(100_000);
    const other = await api.get('/map/..%2Fpackage.json');
    expect(other.status).toBe(404);
  });

  it('refuses the live stream without a habilitated token, and audits it', async () => {
    const anonymous = await api.get('/live');
    expect(anonymous.status).toBe(401);
    expect(await lastAudit()).toEqual({ principal: '-', route: '/live', status: 401 });
    const stranger = await api.get('/live', await api.token('stranger', ['analyst']));
    expect(stranger.status).toBe(403);
  });

  it('announces a committed change of the aggregates on the live stream', async () => {
    const abort = new AbortController();
    const response = await api.get('/live', token, { signal: abort.signal });
    expect([response.status, response.headers.get('content-type')]).toEqual([
      200,
      'text/event-stream; charset=utf-8',
    ]);
    expect(await lastAudit()).toEqual({ principal: 'analyst-1', route: '/live', status: 200 });
    const events: string[] = [];
    const reading = readEvents(response, events);
    try {
      await waitFor('the stream to listen', () => (events.includes('ready') ? true : undefined));
      const aggregator = new PresenceAggregator(api.pool, DEFAULT_TENSION_MODEL, 'live-test');
      const records = presenceRecords({
        eventId: '00000000-0000-4000-8000-0000000000aa',
        revision: 1,
        kind: 'STATIC_DEMONSTRATION',
        peopleExpected: 500,
        startAt: DAY + 10 * H,
        endAt: DAY + 11 * H,
        cells: areaCells(MARSEILLE.vieuxPort, 2, DAY + 10 * H, DAY + 11 * H),
        regionResolution: 5,
      });
      await aggregator.applyBatch(
        records.map((record, i) => ({ topic: 'live', partition: 0, offset: String(i), record })),
      );
      await waitFor('the change on the stream', () =>
        events.includes('tension') ? true : undefined,
      );
    } finally {
      abort.abort();
      await reading;
    }
  });
});
