import { request } from 'node:https';
import { Pool } from 'pg';
import { HabilitationStore } from '@app/access';
import { loadConfig } from '@app/config';
import { migrate } from '@app/database';
import {
  AppProcess,
  createTestDatabase,
  freePort,
  selfSignedCertificate,
  testIssuer,
  waitFor,
  type SelfSigned,
  type TestDatabase,
  type TestIssuer,
} from '@app/testing';

/** GET over HTTPS trusting `ca`: status and body. */
function httpsGet(
  url: string,
  ca: Buffer,
  token?: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { ca, headers: token ? { authorization: `Bearer ${token}` } : {}, timeout: 5_000 },
      (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}

describe('the analysts’ API as a process, over HTTPS', () => {
  let tls: SelfSigned | undefined;
  let db: TestDatabase;
  let issuer: TestIssuer;
  let port: number;
  let cert: Buffer;
  let app: AppProcess | undefined;

  beforeAll(async () => {
    tls = selfSignedCertificate('analyst-e2e-');
    cert = tls.cert;
    db = await createTestDatabase(loadConfig());
    await migrate(db.url);
    const pool = new Pool({ connectionString: db.url, max: 1 });
    try {
      await new HabilitationStore(pool).grant({
        subject: 'analyst-1',
        role: 'analyst',
        reason: 'e2e',
        grantedBy: 'cli:test',
      });
    } finally {
      await pool.end();
    }
    issuer = await testIssuer();
    port = await freePort();
  });

  afterAll(async () => {
    await app?.stop('SIGKILL');
    await db?.drop();
    tls?.remove();
  });

  it('serves an analyst over TLS only, and stops cleanly on SIGTERM', async () => {
    app = new AppProcess('analyst-api', {
      ...issuer.env,
      DATABASE_URL: db.url,
      ANALYST_API_PORT: String(port),
      ANALYST_API_TLS_CERT_FILE: tls?.certFile ?? '',
      ANALYST_API_TLS_KEY_FILE: tls?.keyFile ?? '',
      ANALYST_API_AUDIENCE: 'analyst-api',
    });
    app.start();
    const base = `https://127.0.0.1:${port}`;
    await waitFor(
      'the analysts’ API healthy over HTTPS',
      async () => {
        if (app?.exitCode !== null) throw new Error(`exited ${app?.exitCode}:\n${app?.output}`);
        const health = await httpsGet(`${base}/health`, cert).catch(() => undefined);
        return health?.status === 200 ? true : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 200 },
    );
    expect(app.output).toContain(`listening on https://127.0.0.1:${port}`);

    const token = await issuer.token(
      { roles: ['analyst'] },
      { subject: 'analyst-1', audience: 'analyst-api' },
    );
    const collections = await httpsGet(`${base}/collections`, cert, token);
    expect(collections.status).toBe(200);
    expect(
      (JSON.parse(collections.body) as { collections: Array<{ id: string }> }).collections.map(
        (c) => c.id,
      ),
    ).toEqual([
      'events',
      'presence',
      'tension-cells',
      'tension-days',
      'tension-zones',
      'hotspots',
      'alerts',
    ]);
    expect((await httpsGet(`${base}/collections`, cert)).status).toBe(401);
    // Plain HTTP on the TLS port gets no data.
    const plain = await fetch(`http://127.0.0.1:${port}/collections`, {
      headers: { authorization: `Bearer ${token}` },
    }).then(
      (r) => r.status,
      () => 'refused',
    );
    expect(plain === 'refused' || plain === 400).toBe(true);

    const stopped = Date.now();
    expect(await app.stop('SIGTERM')).toBe(0);
    expect(Date.now() - stopped).toBeLessThan(10_000);
  });

  it('refuses to start without an issuer, saying which variable to set', async () => {
    const bare = new AppProcess('analyst-api', {
      DATABASE_URL: db.url,
      ANALYST_API_PORT: String(port),
    });
    bare.start();
    await waitFor(
      'the process to exit',
      () => Promise.resolve(bare.exitCode !== null ? true : undefined),
      {
        timeoutMs: 30_000,
        intervalMs: 100,
      },
    );
    expect(bare.exitCode).toBe(1);
    expect(bare.output).toContain('AUTH_ISSUER');
  });
});
