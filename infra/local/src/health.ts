import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import type { RegistryStorage } from './registry.service';
import { StackError, StackErrorCode } from './stack.error';

/** What a health probe saw: `ok`, and one line for `stack:status`. */
export interface Health {
  readonly ok: boolean;
  readonly detail: string;
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Kafka answers a metadata request with at least one broker and a controller. */
export async function kafkaHealth(brokers: readonly string[]): Promise<Health> {
  const admin = new Kafka({
    clientId: 'cortege-stack-health',
    brokers: [...brokers],
    logLevel: logLevel.NOTHING,
    connectionTimeout: 2000,
    requestTimeout: 3000,
    retry: { retries: 0 },
  }).admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return {
      ok: cluster.brokers.length > 0 && cluster.controller !== null,
      detail: `${cluster.brokers.length} broker(s), controller ${cluster.controller}, cluster ${cluster.clusterId}`,
    };
  } catch (error) {
    return { ok: false, detail: message(error) };
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** The registry's Confluent-compatible API lists its subjects. */
export async function registryHealth(url: string): Promise<Health> {
  try {
    const response = await fetch(`${url}/subjects`, { signal: AbortSignal.timeout(3000) });
    if (!response.ok) return { ok: false, detail: `GET /subjects answered ${response.status}` };
    const subjects = (await response.json()) as unknown[];
    return { ok: true, detail: `Confluent API answers, ${subjects.length} subject(s)` };
  } catch (error) {
    return { ok: false, detail: message(error) };
  }
}

/** PostgreSQL accepts the application's credentials and PostGIS is installed in its database. */
export async function postgresHealth(url: string): Promise<Health> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    const { rows } = await client.query<{ server: string; postgis: string }>(
      `SELECT current_setting('server_version') AS server, postgis_lib_version() AS postgis`,
    );
    const row = rows[0];
    return { ok: true, detail: `PostgreSQL ${row?.server}, PostGIS ${row?.postgis}` };
  } catch (error) {
    return { ok: false, detail: message(error) };
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * SQLSTATEs that waiting does not cure: bad login or password (class 28), no such database
 * (3D000), no right to connect (42501).
 */
const REFUSALS = /^(28|3D000|42501)/;

/**
 * The registry's login is accepted in its database: what Apicurio needs before it starts.
 * @throws StackError StartFailed when PostgreSQL refuses that login for good.
 */
export async function registryDatabaseHealth(storage: RegistryStorage): Promise<Health> {
  const client = new Client({
    host: storage.host,
    port: storage.port,
    database: storage.database,
    user: storage.user,
    password: storage.password,
    connectionTimeoutMillis: 3000,
  });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return { ok: true, detail: storage.description };
  } catch (error) {
    if (REFUSALS.test((error as { code?: string }).code ?? '')) {
      throw new StackError(
        StackErrorCode.StartFailed,
        `the registry cannot use its ${storage.description}: ${message(error)}`,
      );
    }
    return { ok: false, detail: message(error) };
  } finally {
    await client.end().catch(() => undefined);
  }
}
