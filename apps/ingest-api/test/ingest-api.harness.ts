import type { INestApplication, LoggerService } from '@nestjs/common';
import type { Admin, Kafka } from 'kafkajs';
import type { AddressInfo, Server } from 'node:net';
import { loadConfig, type AppConfig } from '@app/config';
import { SUBMISSION_SCHEMA, type Submission } from '@app/contracts';
import { AvroSerde, RegistryClient } from '@app/schema-registry';
import {
  approveInitialContract,
  createTopic,
  readTopic,
  testKafka,
  uniqueName,
  waitFor,
} from '@app/testing';
import { createIngestApp } from '../src/ingest-api.factory';
import { request, type HttpRequestOptions, type HttpResponse } from './http-client';
import { testIssuer, type TestIssuer } from '@app/testing';

/** A record of the app's topic, decoded. */
export interface PublishedRecord {
  readonly key: string;
  readonly value: Submission;
  readonly headers: Record<string, string>;
}

/** The ingest API running in this process on a free port, with its own topic and issuer. */
export interface RunningIngestApi {
  readonly url: string;
  readonly topic: string;
  readonly issuer: TestIssuer;
  readonly config: AppConfig;
  /** POST /v1/submissions as JSON with a producer token (unless `token` or headers say otherwise). */
  submit(
    body: unknown,
    options?: { token?: string | null } & HttpRequestOptions,
  ): Promise<HttpResponse>;
  get(path: string, headers?: Record<string, string>): Promise<HttpResponse>;
  /** How many records the topic holds (sum of its partitions' high watermarks). */
  recordCount(): Promise<number>;
  /** Every record of the topic, decoded through the registry. */
  records(): Promise<PublishedRecord[]>;
  close(): Promise<void>;
}

/** One line the app logged, with its level. */
export interface LoggedLine {
  readonly level: 'log' | 'error' | 'warn' | 'debug' | 'verbose' | 'fatal';
  readonly text: string;
}

/** A Nest logger that keeps every line (warnings and errors), for tests that check the logs. */
export class CapturingLogger implements LoggerService {
  readonly lines: LoggedLine[] = [];
  private keep(level: LoggedLine['level'], parts: unknown[]): void {
    this.lines.push({
      level,
      text: parts.map((p) => (typeof p === 'string' ? p : JSON.stringify(p))).join(' '),
    });
  }
  log(...parts: unknown[]): void {
    this.keep('log', parts);
  }
  error(...parts: unknown[]): void {
    this.keep('error', parts);
  }
  warn(...parts: unknown[]): void {
    this.keep('warn', parts);
  }
  debug(...parts: unknown[]): void {
    this.keep('debug', parts);
  }
  verbose(...parts: unknown[]): void {
    this.keep('verbose', parts);
  }
  fatal(...parts: unknown[]): void {
    this.keep('fatal', parts);
  }
}

/** The stack this test run uses (the environment's, else the local one). */
export const stackConfig = loadConfig();

/**
 * Starts the ingest API in-process against the real stack. `env` overrides its variables
 * (limits, or dead endpoints); `healthy: false` skips waiting for /health (for those);
 * `logger` receives what the app logs (a `CapturingLogger` to check it).
 */
export async function startIngestApi(
  env: Record<string, string> = {},
  {
    healthy = true,
    issuer: given,
    logger,
  }: { healthy?: boolean; issuer?: TestIssuer; logger?: LoggerService } = {},
): Promise<RunningIngestApi> {
  const issuer = given ?? (await testIssuer());
  const topic = uniqueName('test.ingest');
  const kafka: Kafka = testKafka(stackConfig);
  const admin: Admin = kafka.admin();
  await admin.connect();
  await createTopic(admin, topic, 2);
  // The API registers nothing: the contract's version is approved first, as on a new platform.
  await approveInitialContract({
    databaseUrl: stackConfig.database.url,
    registryUrl: stackConfig.registry.url,
    topic,
  });

  const own = loadConfig({ ...issuer.env, INGEST_TOPIC: topic, LOG_LEVEL: 'warn', ...env }, '.', {
    require: ['auth'],
  });
  // The stack's endpoints and Kafka security come from the environment, unless `env` names them.
  const config = {
    ...own,
    kafka: env.KAFKA_BROKERS ? own.kafka : stackConfig.kafka,
    registry: env.SCHEMA_REGISTRY_URL ? own.registry : stackConfig.registry,
    database: env.DATABASE_URL ? own.database : stackConfig.database,
  };
  const app: INestApplication<Server> = await createIngestApp(config, {
    logger: logger ?? ['error', 'warn'],
  });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;

  if (healthy) {
    await waitFor(
      'the ingest API to be healthy',
      async () => ((await request(`${url}/health`)).status === 200 ? true : undefined),
      // A loaded machine's broker may take tens of seconds to accept a new client.
      { timeoutMs: 60_000 },
    );
  }

  let serde: AvroSerde<Submission> | undefined;
  const recordCount = async () =>
    (await admin.fetchTopicOffsets(topic)).reduce((n, p) => n + Number(p.high), 0);

  return {
    url,
    topic,
    issuer,
    config,
    async submit(body, { token, headers, ...options } = {}) {
      const bearer = token === undefined ? await issuer.token() : token;
      return request(`${url}/v1/submissions`, {
        method: 'POST',
        body: typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body),
        ...options,
        headers: {
          'Content-Type': 'application/json',
          ...(bearer === null ? {} : { Authorization: `Bearer ${bearer}` }),
          ...headers,
        },
      });
    },
    get: (path, headers = {}) => request(`${url}${path}`, { headers }),
    recordCount,
    async records() {
      serde ??= await AvroSerde.register<Submission>(
        new RegistryClient(stackConfig.registry.url),
        topic,
        SUBMISSION_SCHEMA,
      );
      const decoder = serde;
      const count = await recordCount();
      const consumed = await readTopic(kafka, topic, count);
      return Promise.all(
        consumed.map(async ({ message }) => ({
          key: String(message.key),
          value: await decoder.decode(message.value),
          headers: Object.fromEntries(
            Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]),
          ),
        })),
      );
    },
    async close() {
      await app.close();
      await admin.disconnect();
    },
  };
}
