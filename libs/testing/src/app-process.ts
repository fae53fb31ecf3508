import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { waitFor } from './wait-for';

const ROOT = join(__dirname, '..', '..', '..');

/**
 * One of the project's apps running as its own process (`node --require tsx/cjs
 * apps/<name>/src/main.ts`: one process, so a SIGKILL really kills the app), as in production.
 * Its output is kept for assertions (e.g. that no personal data is ever logged).
 */
export class AppProcess {
  private child: ChildProcess | undefined;
  private exit: Promise<number | null> | undefined;
  /** Everything the process wrote on stdout and stderr, across restarts. */
  output = '';

  constructor(
    readonly app: string,
    private readonly env: Readonly<Record<string, string>>,
  ) {}

  /** The app's process id once started (`env` execs node, so it is node's own). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** The exit code once the process has exited, else null. */
  get exitCode(): number | null {
    return this.child?.exitCode ?? null;
  }

  start(): void {
    // `env NAME=value … node`: the app inherits this environment plus its own variables,
    // without this helper reading the environment (only the config module does).
    const assignments = Object.entries(this.env).map(([name, value]) => `${name}=${value}`);
    const main = join(ROOT, 'apps', this.app, 'src', 'main.ts');
    // Its own session, as a service has (the CPU is shared between sessions first); it stops
    // itself if this process dies without stopping it.
    const parent = `CORTEGE_PARENT_PID=${process.pid}`;
    const child = spawn(
      'env',
      [...assignments, parent, process.execPath, '--require', 'tsx/cjs', main],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
    );
    child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.exit = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
    this.child = child;
  }

  /** Waits until GET `http://127.0.0.1:<port>/health` answers 200. */
  async healthy(port: number, timeoutMs = 60_000): Promise<void> {
    await waitFor(
      `${this.app} healthy on :${port}`,
      async () => {
        if (this.child?.exitCode !== null && this.child?.exitCode !== undefined) {
          throw new Error(
            `${this.app} exited with ${this.child.exitCode}:\n${this.output.slice(-3000)}`,
          );
        }
        const response = await fetch(`http://127.0.0.1:${port}/health`, {
          signal: AbortSignal.timeout(5_000),
        }).catch(() => undefined);
        return response?.ok ? true : undefined;
      },
      { timeoutMs, intervalMs: 200 },
    );
  }

  /**
   * Sends `signal` and resolves with the exit code once the process is gone. A process still
   * there after `timeoutMs` is killed (SIGKILL, so nothing outlives the test) and the stop
   * fails with the end of its output: a shutdown that hangs is a finding, not a test timeout.
   */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 60_000): Promise<number | null> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null)
      return child?.exitCode ?? null;
    child.kill(signal);
    try {
      return await waitFor(`${this.app} gone after ${signal}`, () => this.exit, { timeoutMs });
    } catch (error) {
      child.kill('SIGKILL');
      await this.exit;
      throw new Error(
        `${(error as Error).message}; killed. Its output ends:\n${this.output.slice(-3000)}`,
      );
    }
  }
}
