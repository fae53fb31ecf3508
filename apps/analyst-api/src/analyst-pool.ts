import { Pool } from 'pg';

/** DI token of the API's PostgreSQL pool. */
export const ANALYST_POOL = Symbol('ANALYST_POOL');

/** Longest an analyst's query may run, ms: a runaway query is stopped, not left to pile up. */
export const STATEMENT_TIMEOUT_MS = 30_000;

/**
 * The API's pool: UTC sessions (times are written in UTC), a statement timeout, broken
 * connections discarded (an error listener, so a PostgreSQL restart never crashes the process).
 */
export function analystPool(url: string): Pool {
  const pool = new Pool({
    connectionString: url,
    max: 8,
    connectionTimeoutMillis: 5_000,
    options: `-c TimeZone=UTC -c statement_timeout=${STATEMENT_TIMEOUT_MS}`,
    application_name: 'cortege-analyst-api',
  });
  pool.on('error', () => undefined);
  return pool;
}
