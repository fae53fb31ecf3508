import { AuditLog } from '@app/access';
import { syntheticCityDay } from '@app/testing';
import { habilitate, startAnalystApi, type AnalystFixture } from '../test/analyst-fixture';

const READ_ROUTES = [
  '/',
  '/conformance',
  '/collections',
  '/collections/events',
  '/collections/events/items?limit=5',
  '/collections/presence/items?limit=5',
  '/collections/tension-cells/items?resolution=9&limit=5',
  '/collections/tension-zones/items?limit=5',
  '/tiles/tension-cells/12/2109/1500.mvt',
  '/stats?groupBy=kind',
  '/openapi.json',
];
const ADMIN_ROUTES = ['/admin/habilitations'];

describe('who may read and manage, route by route', () => {
  let api: AnalystFixture;
  const tokens: Record<string, string | undefined> = {};

  beforeAll(async () => {
    api = await startAnalystApi(syntheticCityDay(40, 3));
    await habilitate(api, 'analyst-1', 'analyst');
    await habilitate(api, 'viewer-1', 'prefecture-viewer');
    await habilitate(api, 'admin-1', 'admin');
    const revoked = await habilitate(api, 'analyst-revoked', 'analyst');
    await api.habilitations.revoke(revoked, { revokedBy: 'cli:test', reason: 'left the service' });
    const past = Math.floor(Date.now() / 1000) - 120;
    Object.assign(tokens, {
      none: undefined,
      expired: await api.token('analyst-1', ['analyst'], { exp: past }),
      wrongAudience: await api.token('analyst-1', ['analyst'], { audience: 'ingest-api' }),
      notHabilitated: await api.token('analyst-2', ['analyst']),
      revoked: await api.token('analyst-revoked', ['analyst']),
      // Habilitated as an analyst, but the token does not say it is one.
      roleMissing: await api.token('analyst-1', ['producer']),
      analyst: await api.token('analyst-1', ['analyst']),
      viewer: await api.token('viewer-1', ['prefecture-viewer']),
      admin: await api.token('admin-1', ['admin']),
      // Claims admin, habilitated as an analyst only.
      analystClaimingAdmin: await api.token('analyst-1', ['analyst', 'admin']),
    });
  });

  afterAll(async () => {
    await api?.close();
  });

  const expected: Record<string, { read: number; admin: number }> = {
    none: { read: 401, admin: 401 },
    expired: { read: 401, admin: 401 },
    wrongAudience: { read: 401, admin: 401 },
    notHabilitated: { read: 403, admin: 403 },
    revoked: { read: 403, admin: 403 },
    roleMissing: { read: 403, admin: 403 },
    analyst: { read: 200, admin: 403 },
    viewer: { read: 200, admin: 403 },
    admin: { read: 403, admin: 200 },
    analystClaimingAdmin: { read: 200, admin: 403 },
  };

  it('answers every route as due for every kind of caller', async () => {
    const got: Record<string, Record<string, number>> = {};
    const want: Record<string, Record<string, number>> = {};
    for (const [who, due] of Object.entries(expected)) {
      got[who] = {};
      want[who] = {};
      for (const route of [...READ_ROUTES, ...ADMIN_ROUTES]) {
        const response = await api.get(route, tokens[who]);
        await response.arrayBuffer();
        // A tile of a busy part of the city is never empty here; 200 it is.
        got[who][route] = response.status;
        want[who][route] = ADMIN_ROUTES.includes(route) ? due.admin : due.read;
      }
    }
    expect(got).toEqual(want);
  });

  it('says why, in an OGC exception body, with the WWW-Authenticate challenge', async () => {
    const missing = await api.get('/collections');
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    expect(await missing.json()).toEqual({
      code: 'InvalidToken',
      description: 'an Authorization: Bearer <token> header is required',
    });
    const wrong = await api.get('/collections', tokens.wrongAudience);
    expect(((await wrong.json()) as { description: string }).description).toContain('"aud" claim');
    const refused = await api.get('/collections', tokens.notHabilitated);
    expect(refused.headers.get('www-authenticate')).toBe('Bearer error="insufficient_scope"');
    expect(await refused.json()).toEqual({
      code: 'Forbidden',
      description: 'no active habilitation for the role analyst: an admin grants it',
    });
  });

  it('lets only an admin grant and revoke, and a revocation takes effect at the next request', async () => {
    const newcomer = await api.token('analyst-3', ['analyst']);
    expect((await api.get('/collections', newcomer)).status).toBe(403);
    const post = (token: string | undefined, path: string, body: unknown) =>
      api.get(path, token, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const grant = {
      subject: 'analyst-3',
      role: 'analyst',
      reason: 'habilitated by the DSPT, decision 2026-114',
    };
    expect((await post(tokens.analyst, '/admin/habilitations', grant)).status).toBe(403);
    expect((await post(tokens.viewer, '/admin/habilitations', grant)).status).toBe(403);
    const granted = await post(tokens.admin, '/admin/habilitations', grant);
    expect(granted.status).toBe(201);
    const habilitation = (await granted.json()) as {
      id: string;
      grantedBy: string;
      active: boolean;
    };
    expect(habilitation).toMatchObject({ grantedBy: 'admin-1', active: true });
    expect((await api.get('/collections', newcomer)).status).toBe(200);
    expect((await post(tokens.admin, '/admin/habilitations', grant)).status).toBe(409);

    const revoke = { reason: 'end of mission' };
    expect(
      (await post(tokens.analyst, `/admin/habilitations/${habilitation.id}/revoke`, revoke)).status,
    ).toBe(403);
    expect(
      (await post(tokens.admin, `/admin/habilitations/${habilitation.id}/revoke`, revoke)).status,
    ).toBe(200);
    expect((await api.get('/collections', newcomer)).status).toBe(403);
    expect(
      (await post(tokens.admin, `/admin/habilitations/${habilitation.id}/revoke`, revoke)).status,
    ).toBe(409);
    expect((await post(tokens.admin, '/admin/habilitations/999999/revoke', revoke)).status).toBe(
      404,
    );
  });

  it('refuses a bad grant naming the field', async () => {
    const post = (body: string, type = 'application/json') =>
      api.get('/admin/habilitations', tokens.admin, {
        method: 'POST',
        headers: { 'content-type': type },
        body,
      });
    const cases = {
      role: JSON.stringify({ subject: 's', role: 'superuser', reason: 'r' }),
      subject: JSON.stringify({ role: 'analyst', reason: 'r' }),
      reason: JSON.stringify({ subject: 's', role: 'analyst' }),
      validUntil: JSON.stringify({
        subject: 's',
        role: 'analyst',
        reason: 'r',
        validUntil: 'soon',
      }),
      colour: JSON.stringify({ subject: 's', role: 'analyst', reason: 'r', colour: 'red' }),
      body: '{"subject": ',
    };
    for (const [field, body] of Object.entries(cases)) {
      const response = await post(body);
      const answer = (await response.json()) as { parameter?: string };
      expect([field, response.status, answer.parameter]).toEqual([field, 400, field]);
    }
    expect((await post('subject=s', 'application/x-www-form-urlencoded')).status).toBe(415);
  });

  it('audits every request, allowed or refused, in a chain that verifies', async () => {
    const audit = new AuditLog(api.pool);
    const count = async () =>
      Number(
        (await api.pool.query<{ n: string }>('SELECT count(*) AS n FROM access_audit')).rows[0]?.n,
      );
    const before = await count();
    const calls: Array<[string, string | undefined, number]> = [
      ['/collections/events/items?limit=3', tokens.analyst, 200],
      ['/collections/events/items?limit=3', tokens.viewer, 200],
      ['/collections/events/items?limit=3', undefined, 401],
      ['/collections/events/items?limit=3', tokens.notHabilitated, 403],
      ['/collections/events/items?bbox=oops', tokens.analyst, 400],
      ['/no/such/route', tokens.analyst, 404],
    ];
    for (const [path, token, status] of calls) {
      const response = await api.get(path, token);
      await response.arrayBuffer();
      expect([path, response.status]).toEqual([path, status]);
    }
    expect(await count()).toBe(before + calls.length);
    const { rows } = await api.pool.query<{
      principal: string;
      role: string;
      route: string;
      params: string;
      status: number;
      rows: number;
    }>(
      `SELECT principal, role, route, params, status, rows FROM access_audit ORDER BY id DESC LIMIT $1`,
      [calls.length],
    );
    expect(rows.reverse().map((r) => [r.principal, r.role, r.route, r.status, r.rows])).toEqual([
      ['analyst-1', 'analyst', '/collections/{collectionId}/items', 200, 3],
      ['viewer-1', 'prefecture-viewer', '/collections/{collectionId}/items', 200, 3],
      ['-', '-', '/collections/{collectionId}/items', 401, 0],
      ['analyst-2', '-', '/collections/{collectionId}/items', 403, 0],
      ['analyst-1', 'analyst', '/collections/{collectionId}/items', 400, 0],
      // No route, no guard: the token of a request to nowhere is not read.
      ['-', '-', '(no route)', 404, 0],
    ]);
    expect(JSON.parse(rows[0]?.params ?? '{}')).toEqual({ collectionId: 'events', limit: '3' });
    await expect(audit.verify()).resolves.toMatchObject({ ok: true });
  });
});
