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
 */
async function dropDatabase(client: Client, name: string): Promise<void> {
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
