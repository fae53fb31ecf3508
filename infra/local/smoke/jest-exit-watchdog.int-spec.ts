import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');
const JEST = join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js');
const WATCHDOG = join(ROOT, 'infra', 'local', 'jest.exit-watchdog.js');
/** Past this the child is killed, so the test never hangs on what it tests. */
const HARD_LIMIT_MS = 100_000;

interface Run {
  readonly code: number | null;
  readonly output: string;
  readonly ms: number;
}

/** A throwaway Jest project with one test file and the watchdog at its default grace (60 s). */
function project(dir: string, test: string): string {
  writeFileSync(join(dir, 'one.test.js'), test);
  const config = join(dir, 'jest.config.js');
  writeFileSync(
    config,
    `module.exports = ${JSON.stringify({
      rootDir: dir,
      testEnvironment: 'node',
      transform: {},
      testMatch: ['**/*.test.js'],
      reporters: ['default', WATCHDOG],
    })};\n`,
  );
  return config;
}

function runJest(config: string, children: ChildProcess[]): Promise<Run> {
  const started = Date.now();
  const child = spawn(process.execPath, [JEST, '--config', config, '--ci'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const limit = setTimeout(() => child.kill('SIGKILL'), HARD_LIMIT_MS);
  return new Promise((resolve) =>
    child.on('exit', (code) => {
      clearTimeout(limit);
      resolve({ code, output, ms: Date.now() - started });
    }),
  );
}

describe('the Jest exit watchdog (jest.config.js reporter)', () => {
  const dirs: string[] = [];
  const children: ChildProcess[] = [];

  afterAll(() => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('fails a run whose tests passed but which leaks an interval, within 70 s, naming open handles; a clean run exits 0', async () => {
    const leakyDir = mkdtempSync(join(tmpdir(), 'cortege-watchdog-leaky-'));
    const cleanDir = mkdtempSync(join(tmpdir(), 'cortege-watchdog-clean-'));
    dirs.push(leakyDir, cleanDir);
    const leaky = project(
      leakyDir,
      "test('leaks an interval', () => { setInterval(() => undefined, 1000); expect(1).toBe(1); });\n",
    );
    const clean = project(cleanDir, "test('closes what it opens', () => expect(1).toBe(1));\n");

    const [leaked, tidy] = await Promise.all([runJest(leaky, children), runJest(clean, children)]);

    expect(leaked.output).toMatch(/Tests:\s+1 passed, 1 total/);
    expect(leaked.code).toBe(1);
    expect(leaked.output).toContain('jest exit watchdog');
    expect(leaked.output).toContain('handles are open');
    expect(leaked.ms).toBeGreaterThanOrEqual(60_000);
    expect(leaked.ms).toBeLessThan(75_000);

    expect(tidy.output).toMatch(/Tests:\s+1 passed, 1 total/);
    expect(tidy.code).toBe(0);
    expect(tidy.output).not.toContain('jest exit watchdog');
    expect(tidy.ms).toBeLessThan(30_000);
  }, 120_000);
});
