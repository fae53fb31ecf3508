import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, importSPKI } from 'jose';
import { sampleSubmissions, testIssuer } from '@app/testing';
import { startIngestApi, type RunningIngestApi } from '../test/ingest-api.harness';

/** An issuer's JWKS endpoint on loopback, as an SSO (Keycloak, …) publishes it. */
async function serveJwks(
  publicKeyPem: string,
): Promise<{ url: string; server: Server; hits: () => number }> {
  const jwk = {
    ...(await exportJWK(await importSPKI(publicKeyPem, 'RS256'))),
    alg: 'RS256',
    use: 'sig',
  };
  let hits = 0;
  const server = createServer((_req, res) => {
    hits++;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/realms/cortege/protocol/openid-connect/certs`,
    server,
    hits: () => hits,
  };
}

describe('the ingest API with the issuer’s JWKS URL (AUTH_JWKS_URL)', () => {
  let api: RunningIngestApi | undefined;
  let server: Server | undefined;
  afterAll(async () => {
    await api?.close();
    server?.close();
  });

  it('verifies tokens against the keys the URL publishes, and refuses others', async () => {
    const issuer = await testIssuer();
    const jwks = await serveJwks(issuer.publicKeyPem);
    server = jwks.server;
    // The static key is unset: the only way to the public key is the JWKS URL.
    api = await startIngestApi({ AUTH_JWKS_URL: jwks.url, AUTH_PUBLIC_KEY: '' }, { issuer });

    const accepted = await api.submit(sampleSubmissions().visit, { token: await issuer.token() });
    expect(accepted.status).toBe(202);
    expect(jwks.hits()).toBeGreaterThan(0);

    const stranger = await generateKeyPair('RS256');
    const forged = await api.submit(sampleSubmissions().visit, {
      token: await issuer.token(undefined, { key: stranger.privateKey }),
    });
    expect(forged.status).toBe(401);
    expect(await api.recordCount()).toBe(1);
  });
});
