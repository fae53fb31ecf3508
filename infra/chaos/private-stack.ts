/**
 * A stack of its own for the chaos run's end-to-end test: Kafka, the registry and PostgreSQL
 * started by the local launcher in a temporary folder, on free ports, so that killing them
 * touches no other test and no other worktree; wiped afterwards.
 */
import { chmodSync, existsSync, mkdtempSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type AppConfig } from '@app/config';
import { PostgresService } from '../local/src/postgres.service';
import { commandLine, portListener, stopProcess } from '../local/src/process-control';
import { stackUp, stackWipe } from '../local/src/stack';

export interface PrivateStack {
  readonly config: AppConfig;
  /** Stops every service of the stack and deletes its folder. */
  down(): Promise<void>;
}

/**
 * Ports are taken below Linux's ephemeral range (32768–60999 by default): a port in it can be
 * handed to an outgoing connection, and a restarted app then fails to listen (EADDRINUSE).
 */
const PORT_RANGE = { from: 20_000, to: 32_000 } as const;

/** Whether nobody listens on `port` of 127.0.0.1 now. */
function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** `count` distinct free ports from a random place in `PORT_RANGE`. */
async function freePorts(count: number): Promise<number[]> {
  const span = PORT_RANGE.to - PORT_RANGE.from;
  const start = PORT_RANGE.from + Math.floor(Math.random() * span);
  const ports: number[] = [];
  for (let i = 0; i < span && ports.length < count; i += 1) {
    const port = PORT_RANGE.from + ((start - PORT_RANGE.from + i) % span);
    if (await portFree(port)) ports.push(port);
  }
  if (ports.length < count)
    throw new Error(`fewer than ${count} free ports in ${PORT_RANGE.from}–${PORT_RANGE.to}`);
  return ports;
}

/**
 * Starts a private stack beside `base`'s: the same Java runtimes, its own folder and ports
 * (the apps' ports too). Kafka's and Apicurio's artifacts are those `base` already resolved
 * (its `maven` folder, linked), so no Maven runs. Rejects, with the stack wiped, when a
 * service does not become healthy.
 */
export async function privateStack(base: AppConfig): Promise<PrivateStack> {
  const dir = mkdtempSync(join(tmpdir(), 'cortege-chaos-'));
  // PostgreSQL runs as the postgres user when we are root: it must be able to enter the folder.
  chmodSync(dir, 0o755);
  const resolved = join(base.stack.dir, 'maven');
  if (existsSync(resolved)) symlinkSync(resolved, join(dir, 'maven'));
  const names = [
    'STACK_KAFKA_PORT',
    'STACK_KAFKA_CONTROLLER_PORT',
    'STACK_REGISTRY_PORT',
    'STACK_REGISTRY_MANAGEMENT_PORT',
    'STACK_POSTGRES_PORT',
    'INGEST_PORT',
    'SANITIZER_PORT',
    'LOCATOR_PORT',
    'AGGREGATOR_PORT',
  ];
  const env: Record<string, string> = { STACK_MODE: 'local', STACK_DIR: dir };
  const ports = await freePorts(names.length);
  names.forEach((name, i) => (env[name] = String(ports[i])));
  if (base.stack.kafkaJavaHome) env.STACK_KAFKA_JAVA_HOME = base.stack.kafkaJavaHome;
  if (base.stack.registryJavaHome) env.STACK_REGISTRY_JAVA_HOME = base.stack.registryJavaHome;
  env.STACK_START_TIMEOUT_MS = String(base.stack.startTimeoutMs);
  const config = loadConfig(env);
  try {
    const down = (await stackUp(config)).filter((s) => !s.health.ok);
    if (down.length > 0)
      throw new Error(
        `private stack not healthy: ${down.map((s) => `${s.name} (${s.health.detail})`).join(', ')}`,
      );
  } catch (error) {
    await stackWipe(config);
    throw error;
  }
  return { config, down: () => wipe(config) };
}

/**
 * Wipes the stack, then makes sure none of its services still listens: one started twice (a
 * fault's restart racing a slow start) would outlive its PID file. Such a process is killed and
 * named on stderr, since it means a launcher bug to look into.
 */
async function wipe(config: AppConfig): Promise<void> {
  const markers = [config.stack.dir, new PostgresService(config.stack).root];
  await stackWipe(config);
  const { kafka, kafkaController, registry, registryManagement, postgres } = config.stack.ports;
  for (const port of [kafka, kafkaController, registry, registryManagement, postgres]) {
    const pid = portListener(port);
    if (typeof pid !== 'number') continue;
    const command = commandLine(pid);
    if (!markers.some((marker) => command.includes(marker))) continue;
    process.stderr.write(
      `chaos: port ${port} still served by pid ${pid} after the wipe (${command.slice(0, 120)}); killing it\n`,
    );
    await stopProcess(pid, 5_000);
  }
}
