import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { AppConfig } from '@app/config';
import { composeDown, composeUp, dockerEngineAnswers } from './docker-engine';
import { kafkaHealth, postgresHealth, registryHealth, type Health } from './health';
import { findJava } from './java';
import { KafkaService } from './kafka.service';
import { resolveJavaArtifacts } from './maven';
import { installPostgres, PostgresService } from './postgres.service';
import { waitUntil } from './process-control';
import { RegistryService } from './registry.service';

export type ServiceName = 'kafka' | 'registry' | 'postgres';
export const SERVICE_NAMES: readonly ServiceName[] = ['kafka', 'registry', 'postgres'];

/** One line of `stack:status`. */
export interface ServiceStatus {
  readonly name: ServiceName;
  /** external: given by the environment; local: this launcher's process; docker: compose. */
  readonly origin: 'external' | 'local' | 'docker';
  readonly url: string;
  readonly pid: number | undefined;
  readonly health: Health;
  readonly data: string;
  readonly logFile: string | undefined;
}

const modeFile = (config: AppConfig) => join(config.stack.dir, 'mode');

/** The services the environment does not point elsewhere, which this launcher owns. */
function ownedServices(config: AppConfig): ServiceName[] {
  return SERVICE_NAMES.filter((name) => originOf(config, name) === 'local');
}

function originOf(config: AppConfig, name: ServiceName): 'external' | 'local' {
  switch (name) {
    case 'kafka':
      return config.kafka.origin;
    case 'registry':
      return config.registry.origin;
    case 'postgres':
      return config.database.origin;
    default: {
      const _exhaustive: never = name;
      return _exhaustive;
    }
  }
}

function urlOf(config: AppConfig, name: ServiceName): string {
  switch (name) {
    case 'kafka':
      return config.kafka.brokers.join(',');
    case 'registry':
      return config.registry.url;
    case 'postgres':
      return config.database.url.replace(/:[^:@/]+@/, ':***@');
    default: {
      const _exhaustive: never = name;
      return _exhaustive;
    }
  }
}

function probe(config: AppConfig, name: ServiceName): Promise<Health> {
  switch (name) {
    case 'kafka':
      return kafkaHealth(config.kafka.brokers);
    case 'registry':
      return registryHealth(config.registry.url);
    case 'postgres':
      return postgresHealth(config.database.url);
    default: {
      const _exhaustive: never = name;
      return _exhaustive;
    }
  }
}

/** Docker when asked, or when `auto` and an engine answers; otherwise our own processes. */
function chooseMode(config: AppConfig): 'local' | 'docker' {
  if (existsSync(modeFile(config)))
    return readFileSync(modeFile(config), 'utf8').trim() as 'local' | 'docker';
  if (config.stack.mode === 'auto') return dockerEngineAnswers() ? 'docker' : 'local';
  return config.stack.mode;
}

/** The ports docker-compose.yml substitutes, as `NAME=value` words for `env`. */
function composeEnv(config: AppConfig): string[] {
  const { ports } = config.stack;
  return [
    `STACK_KAFKA_PORT=${ports.kafka}`,
    `STACK_REGISTRY_PORT=${ports.registry}`,
    `STACK_POSTGRES_PORT=${ports.postgres}`,
  ];
}

/**
 * Starts every service the environment does not provide, waits until each is healthy,
 * and returns their status. Idempotent: running services are left as they are.
 */
export async function stackUp(config: AppConfig): Promise<ServiceStatus[]> {
  const wanted = ownedServices(config);
  mkdirSync(config.stack.dir, { recursive: true });
  const mode = chooseMode(config);
  writeFileSync(modeFile(config), mode);
  if (wanted.length > 0 && mode === 'docker') {
    composeUp(wanted, composeEnv(config));
  } else if (wanted.length > 0) {
    await startLocal(config, wanted);
  }
  return stackStatus(config);
}

async function startLocal(config: AppConfig, wanted: readonly ServiceName[]): Promise<void> {
  const { stack } = config;
  const timeout = stack.startTimeoutMs;
  const waits: Promise<void>[] = [];
  const tail = (file: string) => () =>
    existsSync(file)
      ? `Last lines of ${file}:\n${readFileSync(file, 'utf8').split('\n').slice(-15).join('\n')}`
      : '';

  if (wanted.includes('postgres')) installPostgres();
  const needsJava = wanted.includes('kafka') || wanted.includes('registry');
  const artifacts = needsJava ? resolveJavaArtifacts(join(stack.dir, 'maven')) : undefined;

  if (artifacts && wanted.includes('kafka')) {
    const kafka = new KafkaService(stack);
    kafka.start(
      findJava('Kafka', 17, stack.kafkaJavaHome, 'STACK_KAFKA_JAVA_HOME'),
      artifacts.kafkaClasspath,
    );
    waits.push(
      waitUntil(
        'kafka',
        timeout,
        async () => (await kafkaHealth(config.kafka.brokers)).ok,
        tail(kafka.logFile),
        () => kafka.pid() !== undefined,
      ),
    );
  }
  if (artifacts && wanted.includes('registry')) {
    const registry = new RegistryService(stack);
    // Apicurio Registry 3.3 is compiled for Java 21.
    registry.start(
      findJava('Apicurio Registry', 21, stack.registryJavaHome, 'STACK_REGISTRY_JAVA_HOME'),
      artifacts.registryDir,
    );
    waits.push(
      waitUntil(
        'registry',
        timeout,
        async () => (await registryHealth(config.registry.url)).ok,
        tail(registry.logFile),
        () => registry.pid() !== undefined,
      ),
    );
  }
  if (wanted.includes('postgres')) {
    const postgres = new PostgresService(stack);
    postgres.start();
    waits.push(
      postgres
        .bootstrap()
        .then(() =>
          waitUntil(
            'postgres',
            timeout,
            async () => (await postgresHealth(config.database.url)).ok,
            tail(postgres.logFile),
          ),
        ),
    );
  }
  // Wait for all, then report the first failure, so no start is left half-observed.
  const results = await Promise.allSettled(waits);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

/** Stops exactly what `stackUp` started (by PID file or compose), nothing else. */
export async function stackDown(config: AppConfig): Promise<void> {
  const wanted = ownedServices(config);
  // PID files, not the mode file, say what runs: without a mode file, stop local processes.
  const mode = existsSync(modeFile(config)) ? chooseMode(config) : 'local';
  if (mode === 'docker') {
    if (wanted.length > 0) composeDown(composeEnv(config));
  } else {
    const { stack } = config;
    await Promise.all([
      wanted.includes('kafka') ? new KafkaService(stack).stop() : undefined,
      wanted.includes('registry') ? new RegistryService(stack).stop() : undefined,
      wanted.includes('postgres') ? new PostgresService(stack).stop() : undefined,
    ]);
  }
  rmSync(modeFile(config), { force: true });
}

/** Stops the stack and deletes every file it wrote: data, logs, unpacked services, the venv. */
export async function stackWipe(config: AppConfig): Promise<string[]> {
  await stackDown(config);
  const postgres = new PostgresService(config.stack);
  const removed = [config.stack.dir];
  if (!postgres.root.startsWith(config.stack.dir)) removed.push(dirname(postgres.root));
  for (const dir of removed) rmSync(dir, { recursive: true, force: true });
  return removed;
}

/** Each service: where it comes from, its URL, its pid, its health and where its data live. */
export async function stackStatus(config: AppConfig): Promise<ServiceStatus[]> {
  const { stack } = config;
  const docker = existsSync(modeFile(config)) && chooseMode(config) === 'docker';
  const kafka = new KafkaService(stack);
  const registry = new RegistryService(stack);
  const postgres = new PostgresService(stack);
  const local: Record<ServiceName, { pid: number | undefined; data: string; logFile: string }> = {
    kafka: { pid: kafka.pid(), data: kafka.dataDir, logFile: kafka.logFile },
    registry: {
      pid: registry.pid(),
      data: 'in memory (H2): schemas live as long as the process',
      logFile: registry.logFile,
    },
    postgres: {
      pid: postgres.pid(),
      data: `${postgres.dataDir} (${postgres.location})`,
      logFile: postgres.logFile,
    },
  };
  return Promise.all(
    SERVICE_NAMES.map(async (name): Promise<ServiceStatus> => {
      const origin =
        originOf(config, name) === 'external' ? 'external' : docker ? 'docker' : 'local';
      const own = origin === 'local' ? local[name] : undefined;
      return {
        name,
        origin,
        url: urlOf(config, name),
        pid: own?.pid,
        health: await probe(config, name),
        data: own?.data ?? (origin === 'docker' ? 'docker volume' : 'external service'),
        logFile: own?.logFile,
      };
    }),
  );
}
