// A dispatcher in a process of its own, for the crash test to kill: argv[2] is the JSON of
// { databaseUrl, target, url, secret, timeoutMs }.
import { Pool } from 'pg';
import { WebhookDispatcher } from '../src';

const { databaseUrl, target, url, secret, timeoutMs } = JSON.parse(process.argv[2] ?? '{}') as {
  databaseUrl: string;
  target: string;
  url: string;
  secret: string;
  timeoutMs: number;
};
const pool = new Pool({ connectionString: databaseUrl, max: 2 });
new WebhookDispatcher(pool, {
  targets: (name) => (name === target ? { url, secret } : undefined),
  maxAttempts: 10,
  maxAgeMs: 600_000,
  timeoutMs,
  pollMs: 50,
  backoff: { baseMs: 50, maxMs: 200 },
}).start();
