import type { INestApplication } from '@nestjs/common';
import type { AddressInfo, Server } from 'node:net';
import { Pool } from 'pg';
import { HabilitationStore, type AccessRole } from '@app/access';
import { alertOptionsOf, PresenceAggregator, settleAlerts } from '@app/aggregation';
import { loadConfig } from '@app/config';
import type { Presence } from '@app/contracts';
import { migrate } from '@app/database';
import { tensionModelOf } from '@app/tension';
import { createTestDatabase, testIssuer, type TestDatabase, type TestIssuer } from '@app/testing';
import { createAnalystApp } from '../src/analyst-api.factory';

/** The audience analysts' tokens are minted for in these tests. */
export const AUDIENCE = 'analyst-api';

/** A running analysts' API on a database of its own, with an issuer whose tokens it trusts. */
export interface AnalystFixture {
  readonly url: string;
  readonly db: TestDatabase;
  /** A pool on the test database, as the application role. */
  readonly pool: Pool;
  readonly issuer: TestIssuer;
  readonly habilitations: HabilitationStore;
  /** A token for `subject` carrying `roles`, for this API's audience unless told otherwise. */
  token(
    subject: string,
    roles: readonly string[],
    options?: { audience?: string; exp?: number },
  ): Promise<string>;
  /** `fetch` on the API with `token` as bearer. */
  get(path: string, token?: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

/**
 * Starts the analysts' API in this process on a fresh migrated database holding `records`
 * (applied by the aggregator's own code), with `env` over the defaults.
 */
export async function startAnalystApi(
  records: readonly Presence[],
  env: Readonly<Record<string, string>> = {},
): Promise<AnalystFixture> {
  const stack = loadConfig();
  const db = await createTestDatabase(stack);
  let pool: Pool | undefined;
  let app: INestApplication<Server> | undefined;
  try {
    await migrate(db.url);
    pool = new Pool({ connectionString: db.url, max: 4 });
    pool.on('error', () => undefined);
    const issuer = await testIssuer();
    const config = loadConfig(
      {
        ...issuer.env,
        DATABASE_URL: db.url,
        ANALYST_API_AUDIENCE: AUDIENCE,
        ...env,
      },
      undefined,
      { require: ['auth'] },
    );
    const alerts = alertOptionsOf(config.aggregator.alerts);
    const aggregator = new PresenceAggregator(
      pool,
      tensionModelOf(config.tension),
      'fixture',
      alerts,
    );
    for (let i = 0; i < records.length; i += 500)
      await aggregator.applyBatch(
        records.slice(i, i + 500).map((record, j) => ({
          topic: 'fixture',
          partition: 0,
          offset: String(i + j),
          record,
        })),
      );
    await settleAlerts(pool, alerts);
    app = await createAnalystApp(config, { logger: false });
    await app.listen(0, '127.0.0.1');
    const { port } = app.getHttpServer().address() as AddressInfo;
    const url = `http://127.0.0.1:${port}`;
    const openApp = app;
    const openPool = pool;
    return {
      url,
      db,
      pool,
      issuer,
      habilitations: new HabilitationStore(pool),
      token: (subject, roles, options = {}) =>
        issuer.token(
          { roles: [...roles] },
          {
            subject,
            audience: options.audience ?? AUDIENCE,
            ...(options.exp ? { exp: options.exp } : {}),
          },
        ),
      get: (path, token, init = {}) =>
        fetch(`${url}${path}`, {
          ...init,
          headers: {
            ...(token ? { authorization: `Bearer ${token}` } : {}),
            ...(init.headers ?? {}),
          },
        }),
      close: async () => {
        await openApp.close();
        await openPool.end();
        await db.drop();
      },
    };
  } catch (error) {
    await app?.close().catch(() => undefined);
    await pool?.end().catch(() => undefined);
    await db.drop().catch(() => undefined);
    throw error;
  }
}

/** Grants `role` to `subject` as the CLI bootstrap would. */
export async function habilitate(
  fixture: AnalystFixture,
  subject: string,
  role: AccessRole,
): Promise<string> {
  const granted = await fixture.habilitations.grant({
    subject,
    role,
    reason: 'test fixture',
    grantedBy: 'cli:test',
  });
  return granted.id;
}
