import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StackConfig } from '@app/config';
import type { JavaRuntime } from './java';
import {
  assertPortFree,
  commandLine,
  ownedPid,
  startDetached,
  stopProcess,
} from './process-control';

/** The PostgreSQL database Apicurio keeps its artifacts in, and the login it uses there. */
export interface RegistryStorage {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user: string;
  /** Secret: written only to the registry's 0600 configuration file, never on a command line. */
  readonly password: string;
  /** Where the data live, for `stack:status` ("database cortege_registry on …"). */
  readonly description: string;
}

/** On the command line of a registry that keeps its artifacts in PostgreSQL. */
const SQL_STORAGE_MARKER = '-Dcortege.registry.storage=postgresql';

/**
 * Apicurio Registry 3.x with its SQL storage on PostgreSQL: schema ids are written into every
 * Kafka record, so they must outlive the process. Its Confluent-compatible API is at
 * `/apis/ccompat/v7`. Its settings, the database password among them, go into
 * `config/application.properties` under its working folder (Quarkus reads that file), so no
 * secret shows in `ps`.
 */
export class RegistryService {
  readonly name = 'registry';
  readonly dir: string;
  readonly logFile: string;
  private readonly pidFile: string;
  private readonly marker: string;

  constructor(private readonly stack: StackConfig) {
    this.dir = join(stack.dir, 'registry');
    this.logFile = join(this.dir, 'registry.log');
    this.pidFile = join(this.dir, 'registry.pid');
    this.marker = `-Dcortege.stack.dir=${stack.dir}`;
  }

  pid(): number | undefined {
    return ownedPid(this.pidFile, this.marker);
  }

  /** The port the running registry was started on (its last written configuration), if it runs. */
  runningPort(): number | undefined {
    if (this.pid() === undefined) return undefined;
    const file = join(this.dir, 'config', 'application.properties');
    const match = existsSync(file)
      ? /^quarkus\.http\.port=(\d+)/m.exec(readFileSync(file, 'utf8'))
      : null;
    return match ? Number(match[1]) : undefined;
  }

  /** The storage of the registry this launcher runs, or undefined when none runs. */
  storage(): 'postgresql' | 'memory' | undefined {
    const pid = this.pid();
    if (pid === undefined) return undefined;
    return commandLine(pid).includes(SQL_STORAGE_MARKER) ? 'postgresql' : 'memory';
  }

  /**
   * Starts the registry unless it already runs. One started by an older launcher with the
   * in-memory storage is stopped first: what it holds is lost at its next stop anyway.
   */
  async start(java: JavaRuntime, appDir: string, storage: RegistryStorage): Promise<void> {
    const running = this.pid();
    if (this.storage() === 'postgresql') return;
    if (running !== undefined) {
      process.stderr.write('stack: the registry runs with in-memory storage: restarting it\n');
      await stopProcess(running, 15_000);
    }
    assertPortFree(this.stack.ports.registry, 'registry');
    assertPortFree(this.stack.ports.registryManagement, 'registry management');
    mkdirSync(join(this.dir, 'config'), { recursive: true });
    this.writeConfig(storage);
    startDetached(
      java.bin,
      [
        `-Xmx${this.stack.registryHeap}`,
        '-XX:+UseSerialGC',
        this.marker,
        SQL_STORAGE_MARKER,
        '-jar',
        join(appDir, 'quarkus-run.jar'),
      ],
      { logFile: this.logFile, pidFile: this.pidFile, cwd: this.dir },
    );
  }

  async stop(): Promise<void> {
    const pid = this.pid();
    if (pid !== undefined) await stopProcess(pid, 15_000);
  }

  private writeConfig(storage: RegistryStorage): void {
    const file = join(this.dir, 'config', 'application.properties');
    writeFileSync(
      file,
      [
        '# Written by infra/local at each start; edit infra/local/src/registry.service.ts instead.',
        'quarkus.http.host=127.0.0.1',
        `quarkus.http.port=${this.stack.ports.registry}`,
        // Quarkus's management interface defaults to port 9000 on every interface.
        'quarkus.management.host=127.0.0.1',
        `quarkus.management.port=${this.stack.ports.registryManagement}`,
        'quarkus.log.console.json=false',
        // Tests and ops delete subjects; Apicurio refuses deletions unless told otherwise.
        'apicurio.rest.deletion.artifact.enabled=true',
        'apicurio.rest.deletion.artifact-version.enabled=true',
        'apicurio.rest.deletion.group.enabled=true',
        'apicurio.storage.kind=sql',
        'apicurio.storage.sql.kind=postgresql',
        `apicurio.datasource.url=jdbc:postgresql://${storage.host}:${storage.port}/${storage.database}`,
        `apicurio.datasource.username=${storage.user}`,
        `apicurio.datasource.password=${storage.password}`,
        // Apicurio's default pool holds 20 connections from the start; a local stack needs few.
        'apicurio.datasource.jdbc.initial-size=2',
        'apicurio.datasource.jdbc.min-size=2',
        'apicurio.datasource.jdbc.max-size=10',
        // A connection broken by a PostgreSQL restart is found before use instead of failing
        // a request with a 500 (the pool recovers either way; measured by hand: 2 of 34
        // requests sent right after 4 restarts failed without it, none of 48 after 6 with it).
        'quarkus.datasource.postgresql.jdbc.validate-on-borrow=true',
        // Apicurio retries a refused connection inside every request, by default 10 times over
        // ≈ 2.5 min: a request during a PostgreSQL outage hung that long (seen: > 2 min). Here
        // it answers 500, retriable for the apps, within ≈ 12 s (measured 8.5–11.5 s); at start
        // the launcher itself waits for the database, and starts the registry again if it exits.
        'apicurio.storage.connection.retry.max-attempts=4',
        'apicurio.storage.connection.retry.initial-delay-ms=500',
        'apicurio.storage.connection.retry.max-delay-ms=2000',
        '',
      ].join('\n'),
      { mode: 0o600 },
    );
    // writeFileSync's mode applies only when it creates the file.
    chmodSync(file, 0o600);
  }
}
