import { Client } from 'pg';
import type { AppConfig } from '@app/config';
import { uniqueName } from './unique-name';

/** A database of its own for one test: PostGIS, pg_trgm and unaccent already in it. */
export interface TestDatabase {
  readonly name: string;
  /** `postgres://…/<name>`, for a Pool or an app's DATABASE_URL. */
  readonly url: string;
  drop(): Promise<void>;
}

/**
 * Clones the stack's template database (`cortege_template`, made by `npm run stack:up`) into a
 * fresh one named `test_<hex>`. The configured role needs CREATEDB, as the local one has.
 */
export async function createTestDatabase(
  config: AppConfig,
  template = 'cortege_template',
): Promise<TestDatabase> {
  const name = uniqueName('test').replace('-', '_');
  const admin = new Client({ connectionString: config.database.url });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
  } finally {
    await admin.end();
  }
  const url = new URL(config.database.url);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: async () => {
      const client = new Client({ connectionString: config.database.url });
      await client.connect();
      try {
        await dropDatabase(client, name);
      } finally {
        await client.end();
      }
    },
  };
}

/**
 * `DROP DATABASE … WITH (FORCE)` ends the test's own sessions, but refuses (42501) when an
 * autovacuum worker, run by the superuser, is in the database after bulk writes; a plain
 * DROP stops such workers itself, so it is tried next, a few times.
 *
 * First it waits (up to 3 s) for the sessions being closed to go: `pool.end()` resolves before
 * its clients' sockets are closed, and a session the drop terminates then raises 57P01 on a
 * client that is already ending, as an unhandled error that fails the test file.
 */
async function dropDatabase(client: Client, name: string): Promise<void> {
  for (let i = 0; i < 30; i += 1) {
    const { rows } = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity
        WHERE datname = $1 AND pid <> pg_backend_pid() AND backend_type = 'client backend'`,
      [name],
    );
    if (rows[0]?.n === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  for (let attempt = 0; ; attempt += 1) {
    try {
      await client.query(
        attempt === 0
          ? `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`
          : `DROP DATABASE IF EXISTS ${name}`,
      );
      return;
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (attempt >= 10 || (code !== '42501' && code !== '55006')) throw error;
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
  }
}

/**
 * Runs `work` with a client logged in to `databaseUrl` as a fresh login in the read-only role
 * `cortege_analyst` (as an admin gives each analyst), then ends the session and drops the login.
 */
export async function asAnalyst<T>(
  databaseUrl: string,
  work: (analyst: Client) => Promise<T>,
): Promise<T> {
  const login = uniqueName('analyst').replace('-', '_');
  const admin = new Client({ connectionString: databaseUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE ROLE ${login} LOGIN PASSWORD 'analyst' IN ROLE cortege_analyst`);
    const url = new URL(databaseUrl);
    url.username = login;
    url.password = 'analyst';
    const analyst = new Client({ connectionString: url.toString() });
    await analyst.connect();
    try {
      return await work(analyst);
    } finally {
      await analyst.end();
      // The server ends the session a moment after the client: the role cannot go before it.
      for (let i = 0; i < 50; i += 1) {
        const { rows } = await admin.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE usename = $1`,
          [login],
        );
        if (rows[0]?.n === 0) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await admin.query(`DROP ROLE ${login}`);
    }
  } finally {
    await admin.end();
  }
}
