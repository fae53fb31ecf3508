import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { StackConfig } from '@app/config';
import type { JavaRuntime } from './java';
import { assertPortFree, ownedPid, startDetached, stopProcess } from './process-control';

/**
 * Apicurio Registry 3.x with its default in-memory (H2) storage: schemas live as long as the
 * process. Its Confluent-compatible API is at `/apis/ccompat/v7`.
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

  start(java: JavaRuntime, appDir: string): void {
    if (this.pid() !== undefined) return;
    assertPortFree(this.stack.ports.registry, 'registry');
    assertPortFree(this.stack.ports.registryManagement, 'registry management');
    mkdirSync(this.dir, { recursive: true });
    startDetached(
      java.bin,
      [
        `-Xmx${this.stack.registryHeap}`,
        '-XX:+UseSerialGC',
        this.marker,
        '-Dquarkus.http.host=127.0.0.1',
        `-Dquarkus.http.port=${this.stack.ports.registry}`,
        // Quarkus's management interface defaults to port 9000 on every interface.
        '-Dquarkus.management.host=127.0.0.1',
        `-Dquarkus.management.port=${this.stack.ports.registryManagement}`,
        '-Dquarkus.log.console.json=false',
        // Tests and ops delete subjects; Apicurio refuses deletions unless told otherwise.
        '-Dapicurio.rest.deletion.artifact.enabled=true',
        '-Dapicurio.rest.deletion.artifact-version.enabled=true',
        '-Dapicurio.rest.deletion.group.enabled=true',
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
}
