import { spawn, spawnSync, type SpawnSyncOptions } from 'node:child_process';
import {
  closeSync,
  existsSync,
  openSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { StackError, StackErrorCode } from './stack.error';

/** True when a process with this pid exists (signal 0 probes without touching it). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The process's command line, or '' when it is gone or unreadable. */
export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

/**
 * The pid recorded in `pidFile` if that process still runs and its command line carries
 * `marker` — so a recycled pid of some other program is never mistaken for ours.
 */
export function ownedPid(pidFile: string, marker: string): number | undefined {
  if (!existsSync(pidFile)) return undefined;
  const pid = Number.parseInt(readFileSync(pidFile, 'utf8').trim(), 10);
  if (Number.isInteger(pid) && pid > 0 && isAlive(pid) && commandLine(pid).includes(marker)) {
    return pid;
  }
  rmSync(pidFile, { force: true });
  return undefined;
}

/** Starts a long-running process detached from ours, output appended to `logFile`, pid written to `pidFile`. */
export function startDetached(
  command: string,
  args: readonly string[],
  options: { logFile: string; pidFile: string; cwd?: string; env?: NodeJS.ProcessEnv },
): number {
  const out = openSync(options.logFile, 'a');
  try {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: ['ignore', out, out],
    });
    if (child.pid === undefined) {
      throw new StackError(StackErrorCode.StartFailed, `could not start ${command}`);
    }
    child.unref();
    writeFileSync(options.pidFile, `${child.pid}\n`);
    return child.pid;
  } finally {
    closeSync(out);
  }
}

/** SIGTERM, then SIGKILL after `graceMs` (milliseconds) if the process is still there. */
export async function stopProcess(pid: number, graceMs: number): Promise<void> {
  if (!isAlive(pid)) return;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return;
    await sleep(200);
  }
  if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  while (isAlive(pid)) await sleep(50);
}

/**
 * The pid of the process listening on TCP `port` (any local address), read from /proc,
 * or `undefined` when nobody listens. `null` means somebody listens but is not visible to us.
 */
export function portListener(port: number): number | null | undefined {
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      const local = cols[1];
      // State 0A is LISTEN; the port is the hex after the colon.
      if (local && cols[3] === '0A' && Number.parseInt(local.split(':')[1] ?? '', 16) === port) {
        inodes.add(cols[9] ?? '');
      }
    }
  }
  if (inodes.size === 0) return undefined;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${entry}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const target = readlinkSync(`/proc/${entry}/fd/${fd}`);
        const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
        if (inode && inodes.has(inode)) return Number(entry);
      } catch {
        // the fd closed while we looked
      }
    }
  }
  return null;
}

/** Fails with "port N is taken by pid P (cmd)" when someone else listens on a port we need. */
export function assertPortFree(port: number, service: string): void {
  const pid = portListener(port);
  if (pid === undefined) return;
  const who =
    pid === null ? 'another process' : `pid ${pid} (${commandLine(pid).slice(0, 120).trim()})`;
  throw new StackError(
    StackErrorCode.PortTaken,
    `${service}: port ${port} is taken by ${who}; stop it or choose another port (see README, "Configuration")`,
  );
}

/** Runs a command to completion; throws a StackError quoting its output when it fails. */
export function run(
  command: string,
  args: readonly string[],
  what: string,
  options: SpawnSyncOptions = {},
): string {
  const result = spawnSync(command, args, {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    ...options,
  });
  if (result.error) {
    throw new StackError(StackErrorCode.CommandFailed, `${what} failed: ${result.error.message}`);
  }
  if (result.status !== 0) {
    const output = `${String(result.stdout ?? '')}${String(result.stderr ?? '')}`
      .trim()
      .split('\n');
    throw new StackError(
      StackErrorCode.CommandFailed,
      `${what} failed (exit ${result.status}):\n${output.slice(-25).join('\n')}`,
    );
  }
  return String(result.stdout ?? '');
}

/** True when `command` can be found on the PATH. */
export function hasCommand(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

/**
 * Polls `probe` every `intervalMs` (ms) until it resolves true; fails after `timeoutMs` (ms),
 * or at once when `stillRunning` says the process died.
 */
export async function waitUntil(
  what: string,
  timeoutMs: number,
  probe: () => Promise<boolean>,
  onTimeout: () => string = () => '',
  stillRunning: () => boolean = () => true,
  intervalMs = 500,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe()) return;
    if (!stillRunning()) {
      throw new StackError(
        StackErrorCode.StartFailed,
        `${what} exited during start-up. ${onTimeout()}`.trim(),
      );
    }
    await sleep(intervalMs);
  }
  throw new StackError(
    StackErrorCode.HealthTimeout,
    `${what} was not healthy after ${Math.round(timeoutMs / 1000)} s. ${onTimeout()}`.trim(),
  );
}
