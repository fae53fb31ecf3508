import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { AppConfig } from '@app/config';
import { composeDown, composeUp, dockerEngineAnswers } from './docker-engine';
import {
  kafkaHealth,
  postgresHealth,
  registryDatabaseHealth,
  registryHealth,
  type Health,
} from './health';
import { findJava, type JavaRuntime } from './java';
import { KafkaService } from './kafka.service';
import { resolveJavaArtifacts } from './maven';
import {
  externalRegistryStorage,
  installPostgres,
  PostgresService,
  REGISTRY_DATABASE,
} from './postgres.service';
import { waitUntil } from './process-control';
import { RegistryService, type RegistryStorage } from './registry.service';
import { StackError, StackErrorCode } from './stack.error';

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
  if (wanted.length > 0 && mode === 'local') assertOnConfiguredPorts(config, wanted);
  writeFileSync(modeFile(config), mode);
  if (wanted.length > 0 && mode === 'docker') {
    composeUp(wanted, composeEnv(config));
  } else if (wanted.length > 0) {
    await startLocal(config, wanted);
  }
  return stackStatus(config);
}

/**
 * A service of this stack folder that already runs must run on the ports asked for: one
 * started with other ports (another STACK_*_PORT, the same STACK_DIR) would be taken as
 * started, and its health waited for on the wrong port until the timeout.
 * @throws StackError `runs_on_other_ports`, naming the service, both ports and the way out.
 */
function assertOnConfiguredPorts(config: AppConfig, wanted: readonly ServiceName[]): void {
  const { stack } = config;
  const running: Array<[ServiceName, number | undefined, number]> = [
    ['kafka', new KafkaService(stack).runningPort(), stack.ports.kafka],
    ['registry', new RegistryService(stack).runningPort(), stack.ports.registry],
    ['postgres', new PostgresService(stack).runningPort(), stack.ports.postgres],
  ];
  const elsewhere = running.filter(
    ([name, actual, asked]) => wanted.includes(name) && actual !== undefined && actual !== asked,
  );
  if (elsewhere.length === 0) return;
  throw new StackError(
    StackErrorCode.RunsOnOtherPorts,
    `${elsewhere.map(([name, actual, asked]) => `${name} of ${stack.dir} runs on port ${actual}, not ${asked}`).join('; ')}: ` +
      'stop it with the ports it was started with (npm run stack:down), or give this stack its own STACK_DIR',
  );
}

async function startLocal(config: AppConfig, wanted: readonly ServiceName[]): Promise<void> {
  const { stack } = config;
  const timeout = stack.startTimeoutMs;
  const waits: Promise<void>[] = [];

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
        tailOf(kafka.logFile),
        () => kafka.pid() !== undefined,
      ),
    );
  }
  // The registry keeps its artifacts in PostgreSQL: it starts once PostgreSQL answers.
  const postgresReady = wanted.includes('postgres')
    ? startPostgres(config)
    : Promise.resolve(undefined);
  waits.push(postgresReady.then(() => undefined));
  if (artifacts && wanted.includes('registry')) {
    const java = findJava(
      'Apicurio Registry',
      21,
      stack.registryJavaHome,
      'STACK_REGISTRY_JAVA_HOME',
    );
    waits.push(
      postgresReady.then(async (postgres) => {
        const registry = new RegistryService(stack);
        if (registry.storage() === 'postgresql') {
          await waitUntil(
            'registry',
            timeout,
            async () => (await registryHealth(config.registry.url)).ok,
            tailOf(registry.logFile),
            () => registry.pid() !== undefined,
          );
          return;
        }
        const storage = await registryStorageFor(config, postgres);
        await startRegistry(
          registry,
          java,
          artifacts.registryDir,
          storage,
          config.registry.url,
          timeout,
        );
      }),
    );
  }
  // Wait for all, then report the first failure, so no start is left half-observed.
  const results = await Promise.allSettled(waits);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

const tailOf = (file: string) => () =>
  existsSync(file)
    ? `Last lines of ${file}:\n${readFileSync(file, 'utf8').split('\n').slice(-15).join('\n')}`
    : '';

/** Starts the cluster, creates what is missing in it, and waits until the application's login works. */
async function startPostgres(config: AppConfig): Promise<PostgresService> {
  const postgres = new PostgresService(config.stack);
  postgres.start();
  // A cluster found running may be in the middle of a restart by someone else.
  await waitUntil(
    'postgres accepting connections',
    config.stack.startTimeoutMs,
    () => postgres.acceptsConnections(),
    tailOf(postgres.logFile),
  );
  await postgres.bootstrap();
  await waitUntil(
    'postgres',
    config.stack.startTimeoutMs,
    async () => (await postgresHealth(config.database.url)).ok,
    tailOf(postgres.logFile),
  );
  return postgres;
}

/**
 * The registry's database: on the stack's own PostgreSQL whenever that cluster runs — even
 * when `DATABASE_URL` names one of its databases for the apps, as tests and the demo do —
 * else on the server `DATABASE_URL` names.
 */
async function registryStorageFor(
  config: AppConfig,
  started: PostgresService | undefined,
): Promise<RegistryStorage> {
  if (started) return started.registryStorage();
  const own = new PostgresService(config.stack);
  if (own.pid() !== undefined) {
    await own.bootstrap();
    return own.registryStorage();
  }
  return externalRegistryStorage(config.database.url);
}

/** How many times a registry that exits during start-up is started again. */
const REGISTRY_START_ATTEMPTS = 3;

/**
 * Starts the registry once its database accepts its login, and waits until its API answers.
 * Apicurio 3.3 exits when its first connection fails: at once on PostgreSQL's "the database
 * system is starting up / shutting down" (SQLSTATE 57P03, which it does not count as
 * transient), after a few seconds of refused connections (registry.service.ts bounds its
 * retries). A registry started while PostgreSQL restarts is therefore started again, once its
 * database answers, a few times. Measured: PostgreSQL down for the registry's first 25 s, up
 * and answering at 35 s.
 */
export async function startRegistry(
  registry: RegistryService,
  java: JavaRuntime,
  appDir: string,
  storage: RegistryStorage,
  url: string,
  timeoutMs: number,
): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    await waitUntil(
      `the registry's database (${storage.description})`,
      timeoutMs,
      async () => (await registryDatabaseHealth(storage)).ok,
    );
    await registry.start(java, appDir, storage);
    try {
      await waitUntil(
        'registry',
        timeoutMs,
        async () => (await registryHealth(url)).ok,
        tailOf(registry.logFile),
        () => registry.pid() !== undefined,
      );
      return;
    } catch (error) {
      const exited = error instanceof StackError && error.code === StackErrorCode.StartFailed;
      if (!exited || attempt >= REGISTRY_START_ATTEMPTS) throw error;
      process.stderr.write(
        `stack: the registry exited during start-up (attempt ${attempt}/${REGISTRY_START_ATTEMPTS}); starting it again once its database answers\n`,
      );
    }
  }
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
    // The registry stops before PostgreSQL, which holds its artifacts.
    await Promise.all([
      wanted.includes('kafka') ? new KafkaService(stack).stop() : undefined,
      (async () => {
        if (wanted.includes('registry')) await new RegistryService(stack).stop();
        if (wanted.includes('postgres')) await new PostgresService(stack).stop();
      })(),
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

/** Where the local registry's artifacts live, without reading any secret. */
function registryData(config: AppConfig, postgres: PostgresService): string {
  if (config.database.origin === 'local' || postgres.pid() !== undefined) {
    return `database ${REGISTRY_DATABASE} on the stack's PostgreSQL (127.0.0.1:${config.stack.ports.postgres}, ${postgres.dataDir})`;
  }
  const url = new URL(config.database.url);
  return `database ${REGISTRY_DATABASE} on the PostgreSQL of DATABASE_URL (${url.hostname}:${url.port || 5432})`;
}

function dockerData(name: ServiceName): string {
  return name === 'registry'
    ? `database ${REGISTRY_DATABASE} on the compose postgres (docker volume)`
    : 'docker volume';
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
      data: registryData(config, postgres),
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
        data: own?.data ?? (origin === 'docker' ? dockerData(name) : 'external service'),
        logFile: own?.logFile,
      };
    }),
  );
}
