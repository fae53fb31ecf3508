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
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}
