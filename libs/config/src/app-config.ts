import { resolve } from 'node:path';
import type { Environment } from './config.schema';

export type LogLevel = Environment['LOG_LEVEL'];

/** Where a service comes from: given by the environment, or started by infra/local. */
export type ServiceOrigin = 'external' | 'local';

/** The one configuration object of a process, built once at start by `loadConfig`. */
export interface AppConfig {
  readonly logLevel: LogLevel;
  readonly kafka: {
    readonly brokers: readonly string[];
    readonly clientId: string;
    readonly origin: ServiceOrigin;
  };
  readonly registry: {
    /** Base URL of the Confluent-compatible API (Apicurio: `…/apis/ccompat/v7`). */
    readonly url: string;
    readonly origin: ServiceOrigin;
  };
  readonly database: {
    readonly url: string;
    readonly origin: ServiceOrigin;
  };
  readonly stack: StackConfig;
}

export interface StackConfig {
  readonly mode: Environment['STACK_MODE'];
  /** Absolute path of the git-ignored folder holding the local services' files. */
  readonly dir: string;
  readonly ports: {
    readonly kafka: number;
    readonly kafkaController: number;
    readonly registry: number;
    readonly postgres: number;
  };
  readonly startTimeoutMs: number;
  readonly kafkaHeap: string;
  readonly registryHeap: string;
  readonly kafkaJavaHome: string | undefined;
  readonly registryJavaHome: string | undefined;
}

/** Credentials of the local PostgreSQL's application role; local development only. */
export const LOCAL_DATABASE = {
  user: 'cortege',
  password: 'cortege',
  database: 'cortege',
} as const;

export function toAppConfig(env: Environment, cwd: string): AppConfig {
  const stack: StackConfig = {
    mode: env.STACK_MODE,
    dir: resolve(cwd, env.STACK_DIR),
    ports: {
      kafka: env.STACK_KAFKA_PORT,
      kafkaController: env.STACK_KAFKA_CONTROLLER_PORT,
      registry: env.STACK_REGISTRY_PORT,
      postgres: env.STACK_POSTGRES_PORT,
    },
    startTimeoutMs: env.STACK_START_TIMEOUT_MS,
    kafkaHeap: env.STACK_KAFKA_HEAP,
    registryHeap: env.STACK_REGISTRY_HEAP,
    kafkaJavaHome: env.STACK_KAFKA_JAVA_HOME ?? env.JAVA_HOME,
    registryJavaHome: env.STACK_REGISTRY_JAVA_HOME,
  };
  const { user, password, database } = LOCAL_DATABASE;
  return {
    logLevel: env.LOG_LEVEL,
    kafka: {
      brokers: env.KAFKA_BROKERS ?? [`127.0.0.1:${stack.ports.kafka}`],
      clientId: env.KAFKA_CLIENT_ID,
      origin: env.KAFKA_BROKERS ? 'external' : 'local',
    },
    registry: {
      url: env.SCHEMA_REGISTRY_URL ?? `http://127.0.0.1:${stack.ports.registry}/apis/ccompat/v7`,
      origin: env.SCHEMA_REGISTRY_URL ? 'external' : 'local',
    },
    database: {
      url:
        env.DATABASE_URL ??
        `postgres://${user}:${password}@127.0.0.1:${stack.ports.postgres}/${database}`,
      origin: env.DATABASE_URL ? 'external' : 'local',
    },
    stack,
  };
}
