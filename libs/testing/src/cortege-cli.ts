import { spawn } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');

/** What a `cortege` process did. */
export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * `cortege <args>` as an operator runs it (`apps/cli/bin/cortege.js`), with this process's
 * environment plus `env`, and `input` on its stdin.
 */
export function runCortege(
  env: Readonly<Record<string, string>>,
  args: readonly string[],
  input?: string,
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    // `env NAME=value … node`: no reading of this process's environment here.
    const assignments = Object.entries(env).map(([name, value]) => `${name}=${value}`);
    const child = spawn(
      'env',
      [...assignments, process.execPath, join(ROOT, 'apps', 'cli', 'bin', 'cortege.js'), ...args],
      { cwd: ROOT, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
    if (input !== undefined) child.stdin?.end(input);
  });
}
