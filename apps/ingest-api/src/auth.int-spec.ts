import { generateKeyPair } from 'jose';
import { sampleSubmissions } from '@app/testing';
import { startIngestApi, type RunningIngestApi } from '../test/ingest-api.harness';

describe('the ingest API lets only producers submit', () => {
  let api: RunningIngestApi;
  beforeAll(async () => {
    api = await startIngestApi();
  });
  afterAll(async () => api?.close());

  it('refuses no token, a forged, an expired and a foreign token with 401 and a Bearer challenge', async () => {
    const stranger = await generateKeyPair('RS256');
    const tokens: Record<string, string | null> = {
      none: null,
      notBearer: null,
      badSignature: await api.issuer.token(undefined, { key: stranger.privateKey }),
      expired: await api.issuer.token(undefined, { exp: Math.floor(Date.now() / 1000) - 120 }),
      wrongIssuer: await api.issuer.token(undefined, { issuer: 'https://other-sso.test' }),
    };
    for (const [name, token] of Object.entries(tokens)) {
      const response = await api.submit(sampleSubmissions().visit, {
        token,
        ...(name === 'notBearer' ? { headers: { Authorization: 'Basic cHJvZHVjZXI6cHc=' } } : {}),
      });
      expect([name, response.status, response.headers['www-authenticate']]).toEqual([
        name,
        401,
        'Bearer error="invalid_token"',
      ]);
      expect(response.json().error).toBe('invalid_token');
    }
    expect(await api.recordCount()).toBe(0);
  });

  it('refuses a valid token without the producer role with 403', async () => {
    const analyst = await api.issuer.token({ roles: ['analyst'], realm_access: { roles: ['x'] } });
    const response = await api.submit(sampleSubmissions().visit, { token: analyst });
    expect(response.status).toBe(403);
    expect(response.json()).toEqual({
      error: 'insufficient_role',
      message: "the token lacks the 'producer' role",
    });
    expect(await api.recordCount()).toBe(0);
  });

  it('accepts the producer role from Keycloak’s realm_access', async () => {
    const keycloak = await api.issuer.token({ realm_access: { roles: ['producer'] } });
    expect((await api.submit(sampleSubmissions().visit, { token: keycloak })).status).toBe(202);
    expect(await api.recordCount()).toBe(1);
  });

  it('checks the token before reading the body', async () => {
    const response = await api.submit('{ not even json', { token: null });
    expect(response.status).toBe(401);
  });

  it('opens /health, /metrics and /openapi.json without a token', async () => {
    for (const path of ['/health', '/metrics', '/openapi.json']) {
      expect([path, (await api.get(path)).status]).toEqual([path, 200]);
    }
  });
});
