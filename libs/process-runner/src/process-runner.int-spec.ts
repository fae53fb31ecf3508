import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, uniqueName, waitFor } from '@app/testing';
import type { ManagedProcess, ProcessExit, ProcessSpawn } from './managed-process';
import { ProcessRunner, type ProcessRunnerOptions } from './process-runner';
import { ProcessRunnerErrorCode } from './process-runner.error';
import { REPO_ROOT } from './project-app';

// The children: tiny Node scripts, each configured by its environment.
const SCRIPTS = {
  // Serves GET /health on PORT; with STATE and CRASH_RUNS, its first CRASH_RUNS runs exit 1 at once.
  'health.js': `
    const fs = require('node:fs');
    const { STATE, CRASH_RUNS, PORT } = process.env;
    if (STATE) {
      const run = Number(fs.existsSync(STATE) ? fs.readFileSync(STATE, 'utf8') : 0) + 1;
      fs.writeFileSync(STATE, String(run));
      if (run <= Number(CRASH_RUNS)) { console.error('boot crash ' + run); process.exit(1); }
    }
    require('node:http')
      .createServer((req, res) => res.writeHead(req.url === '/health' ? 200 : 404).end())
      .listen(Number(PORT), '127.0.0.1', () => console.log('listening on ' + PORT));
  `,
  // Exits with code 1 after CRASH_AFTER_MS.
  'crash.js': `
    console.log('up');
    setTimeout(() => process.exit(1), Number(process.env.CRASH_AFTER_MS));
  `,
  // Run n (counted in STATE) lives RUN_MS[n] ms then exits 3; past the list it stays up.
  'runs.js': `
    const fs = require('node:fs');
    const { STATE, RUN_MS } = process.env;
    const run = Number(fs.existsSync(STATE) ? fs.readFileSync(STATE, 'utf8') : 0);
    fs.writeFileSync(STATE, String(run + 1));
    const lifetimes = RUN_MS.split(',').map(Number);
    if (run < lifetimes.length) setTimeout(() => process.exit(3), lifetimes[run]);
    else setInterval(() => {}, 1000);
  `,
  // Ignores SIGTERM; serves /health on PORT once its handler is in place.
  'stubborn.js': `
    process.on('SIGTERM', () => console.log('ignoring SIGTERM'));
    require('node:http')
      .createServer((req, res) => res.writeHead(200).end())
      .listen(Number(process.env.PORT), '127.0.0.1');
  `,
  // Writes a head marker, 4000 x's and a sentinel, then idles without ever serving anything.
  'silent.js': `
    process.stdout.write('HEAD-MARKER\\n' + 'x'.repeat(4000) + '\\nwaiting for a database that never comes (sentinel-42)\\n');
    setInterval(() => {}, 1000);
  `,
  // Idles.
  'sleeper.js': `setInterval(() => {}, 1000);`,
  // A host that starts a runner, prints its child's pid, then dies of an uncaught exception.
  'host.js': `
    const { ProcessRunner } = require(process.argv[2]);
    const runner = new ProcessRunner([
      { name: 'sleeper', command: process.execPath, args: [process.argv[3]], env: {} },
    ]);
    void runner.start().then(() => {
      console.log('child pid ' + runner.pid('sleeper'));
      setTimeout(() => { throw new Error('host crashed'); }, 10);
    });
  `,
} as const;

type Script = keyof typeof SCRIPTS;

describe('ProcessRunner (real child processes)', () => {
  let dir: string;
  const runners: ProcessRunner[] = [];

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'process-runner-'));
    for (const [file, source] of Object.entries(SCRIPTS)) writeFileSync(join(dir, file), source);
  });
  afterEach(async () => {
    await Promise.all(runners.splice(0).map((runner) => runner.stop()));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const node = (
    name: string,
    script: Script,
    env: Record<string, string> = {},
    healthPort?: number,
  ): ManagedProcess => ({
    name,
    command: process.execPath,
    args: [join(dir, script)],
    env,
    ...(healthPort === undefined ? {} : { healthUrl: `http://127.0.0.1:${healthPort}/health` }),
  });
  const runner = (specs: ManagedProcess[], options: ProcessRunnerOptions = {}): ProcessRunner => {
    const created = new ProcessRunner(specs, options);
    runners.push(created);
    return created;
  };
  const stateFile = (): string => join(dir, uniqueName('state'));

  it('starts every process and resolves once each health URL answers 2xx', async () => {
    const [apiPort, workerPort] = [await freePort(), await freePort()];
    const lines: string[] = [];
    const platform = runner(
      [
        node('api', 'health.js', { PORT: String(apiPort) }, apiPort),
        node('worker', 'health.js', { PORT: String(workerPort) }, workerPort),
        node('idle', 'sleeper.js'),
      ],
      { log: ({ name, stream, text }) => lines.push(`[${name}] ${stream}: ${text}`) },
    );

    await platform.start();

    expect((await fetch(`http://127.0.0.1:${apiPort}/health`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${workerPort}/health`)).status).toBe(200);
    expect(isAlive(platform.pid('idle'))).toBe(true);
    expect(platform.output('api')).toBe(`listening on ${apiPort}\n`);
    expect(lines).toContain(`[worker] stdout: listening on ${workerPort}`);
    expect(platform.restartHistory()).toEqual([]);
  });

  it('restarts a process that crashes during start-up, and start() still resolves', async () => {
    const port = await freePort();
    const platform = runner(
      [node('api', 'health.js', { PORT: String(port), STATE: stateFile(), CRASH_RUNS: '2' }, port)],
      { restart: { initialDelayMs: 50 } },
    );

    await platform.start();

    expect(platform.restartHistory('api')).toEqual([
      { name: 'api', code: 1, signal: null, delayMs: 50 },
      { name: 'api', code: 1, signal: null, delayMs: 100 },
    ]);
    expect(platform.output('api')).toBe(`boot crash 1\nboot crash 2\nlistening on ${port}\n`);
  });

  it('restarts a crashing process after growing delays, capped at maxDelayMs', async () => {
    const platform = runner([node('crasher', 'crash.js', { CRASH_AFTER_MS: '0' })], {
      restart: { initialDelayMs: 100, factor: 2, maxDelayMs: 400 },
    });
    const timeline: { event: 'restart' | 'spawn'; at: number }[] = [];
    platform.on('restart', () => timeline.push({ event: 'restart', at: Date.now() }));
    platform.on('spawn', () => timeline.push({ event: 'spawn', at: Date.now() }));

    await platform.start();
    await waitFor('5 restarts', () => (platform.restarts('crasher') >= 5 ? true : undefined), {
      timeoutMs: 5_000,
      intervalMs: 20,
    });
    await platform.stop();

    const history = platform.restartHistory('crasher').slice(0, 5);
    expect(history.map((record) => record.delayMs)).toEqual([100, 200, 400, 400, 400]);
    expect(history.every((record) => record.code === 1 && record.signal === null)).toBe(true);
    // The delays are really waited: each respawn comes at least its delay after the exit.
    const gaps = timeline.flatMap((entry, i) => {
      const next = timeline[i + 1];
      return entry.event === 'restart' && next?.event === 'spawn' ? [next.at - entry.at] : [];
    });
    expect(gaps.length).toBeGreaterThanOrEqual(4);
    gaps
      .slice(0, 4)
      .forEach((gap, i) => expect(gap).toBeGreaterThanOrEqual([100, 200, 400, 400][i]! - 2));
  });

  it('brings an app killed with SIGKILL back, healthy, under a new pid', async () => {
    const port = await freePort();
    const platform = runner([node('locator', 'health.js', { PORT: String(port) }, port)], {
      restart: { initialDelayMs: 100 },
    });
    await platform.start();
    const first = platform.pid('locator');
    const respawned = once(platform, 'spawn') as Promise<[ProcessSpawn]>;

    expect(platform.kill('locator', 'SIGKILL')).toBe(true);
    const [{ pid: second }] = await respawned;
    await platform.waitUntilHealthy('locator', 5_000);

    expect(second).not.toBe(first);
    expect(platform.pid('locator')).toBe(second);
    expect(isAlive(first)).toBe(false);
    expect(platform.restartHistory()).toEqual([
      { name: 'locator', code: null, signal: 'SIGKILL', delayMs: 100 },
    ]);
    expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
  });

  it('stop() leaves no child alive, SIGKILLing after the grace one that ignores SIGTERM', async () => {
    const [politePort, stubbornPort] = [await freePort(), await freePort()];
    const platform = runner(
      [
        node('polite', 'health.js', { PORT: String(politePort) }, politePort),
        node('stubborn', 'stubborn.js', { PORT: String(stubbornPort) }, stubbornPort),
        node('idle', 'sleeper.js'),
      ],
      { stopGraceMs: 500, restart: { initialDelayMs: 10 } },
    );
    await platform.start();
    const pids = ['polite', 'stubborn', 'idle'].map((name) => platform.pid(name));
    const exits: ProcessExit[] = [];
    platform.on('exit', (exit) => exits.push(exit));
    let spawnsAfterStop = 0;
    platform.on('spawn', () => (spawnsAfterStop += 1));

    const startedAt = Date.now();
    const stopping = platform.stop();
    expect(platform.stop()).toBe(stopping);
    await stopping;

    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(500);
    expect(pids.map(isAlive)).toEqual([false, false, false]);
    expect(pids.map((pid) => typeof pid)).toEqual(['number', 'number', 'number']);
    expect(exits.map(({ name, signal }) => ({ name, signal })).sort(byName)).toEqual([
      { name: 'idle', signal: 'SIGTERM' },
      { name: 'polite', signal: 'SIGTERM' },
      { name: 'stubborn', signal: 'SIGKILL' },
    ]);
    expect(platform.output('stubborn')).toContain('ignoring SIGTERM');
    expect(platform.restartHistory()).toEqual([]);
    expect(spawnsAfterStop).toBe(0);
    expect(platform.pid('polite')).toBeUndefined();
    await expect(platform.stop()).resolves.toBeUndefined();
  });

  it('never carries out a restart that was pending when stop() began', async () => {
    const platform = runner([node('crasher', 'crash.js', { CRASH_AFTER_MS: '0' })], {
      restart: { initialDelayMs: 300 },
    });
    await platform.start();
    await once(platform, 'restart');
    let spawns = 0;
    platform.on('spawn', () => (spawns += 1));

    await platform.stop();
    // Longer than the pending delay: a timer left behind would have fired by now.
    await sleep(400);

    expect(spawns).toBe(0);
    expect(platform.pid('crasher')).toBeUndefined();
  });

  it('start() rejects naming the app, with its last output, when it never becomes healthy', async () => {
    const [port, siblingPort] = [await freePort(), await freePort()];
    const platform = runner(
      [
        node('never-healthy', 'silent.js', {}, port),
        node('sibling', 'health.js', { PORT: String(siblingPort) }, siblingPort),
      ],
      { startTimeoutMs: 1_000 },
    );
    const pids: number[] = [];
    platform.on('spawn', ({ pid }) => pids.push(pid));

    const failure = await platform.start().then(
      () => undefined,
      (error: unknown) => error,
    );

    expect(failure).toMatchObject({ code: ProcessRunnerErrorCode.StartTimeout });
    const message = (failure as Error).message;
    expect(message).toMatch(
      new RegExp(
        `^never-healthy did not answer 2xx on http://127\\.0\\.0\\.1:${port}/health within 1000 ms`,
      ),
    );
    expect(message).toContain('(sentinel-42)');
    // Only the last 3000 characters: the head marker is in the kept output, not in the error.
    expect(message).not.toContain('HEAD-MARKER');
    expect(platform.output('never-healthy')).toContain('HEAD-MARKER');
    // A failed start leaves nothing behind.
    expect(pids).toHaveLength(2);
    expect(pids.map(isAlive)).toEqual([false, false]);
  });

  it('resets the back-off once a process has run resetAfterMs', async () => {
    // Runs 1–3 crash at once, run 4 lives 600 ms (≥ resetAfterMs), run 5 crashes, run 6 stays.
    const platform = runner(
      [node('flaky', 'runs.js', { STATE: stateFile(), RUN_MS: '0,0,0,600,0' })],
      { restart: { initialDelayMs: 50, factor: 2, maxDelayMs: 10_000, resetAfterMs: 400 } },
    );
    await platform.start();

    await waitFor('5 restarts', () => (platform.restarts('flaky') >= 5 ? true : undefined), {
      timeoutMs: 5_000,
      intervalMs: 20,
    });

    expect(platform.restartHistory('flaky')).toEqual(
      [50, 100, 200, 50, 100].map((delayMs) => ({ name: 'flaky', code: 3, signal: null, delayMs })),
    );
  });

  it('SIGKILLs its children when its host dies of an uncaught exception', async () => {
    const host = execFile(
      process.execPath,
      [
        '--require',
        'tsx/cjs',
        join(dir, 'host.js'),
        join(REPO_ROOT, 'libs/process-runner/src'),
        join(dir, 'sleeper.js'),
      ],
      { cwd: REPO_ROOT },
    );
    let stdout = '';
    let stderr = '';
    host.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    host.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = (await once(host, 'exit')) as [number | null];

    const pid = Number(/child pid (\d+)/.exec(stdout)?.[1]);
    expect(stderr).toContain('host crashed');
    expect(code).toBe(1);
    expect(pid).toBeGreaterThan(0);
    try {
      // The orphan is reparented to PID 1, which on some machines never reaps it: a zombie is dead.
      await waitFor(
        `child ${pid} gone`,
        () => (isAlive(pid) && !isZombie(pid) ? undefined : true),
        {
          timeoutMs: 2_000,
          intervalMs: 20,
        },
      );
    } finally {
      if (isAlive(pid) && !isZombie(pid)) process.kill(pid, 'SIGKILL');
    }
  });
});

/** True while `pid` names a process (a zombie included); false once it is reaped (ESRCH). */
function isAlive(pid: number | undefined): boolean {
  if (pid === undefined) throw new Error('no pid');
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}

function isZombie(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('Z') ?? false;
  } catch {
    return false;
  }
}

function byName<T extends { name: string }>(a: T, b: T): number {
  return a.name.localeCompare(b.name);
}
