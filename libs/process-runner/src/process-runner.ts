import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import type {
  ManagedProcess,
  ProcessExit,
  ProcessLogLine,
  ProcessSpawn,
  RestartRecord,
} from './managed-process';
import { OutputTail } from './output-tail';
import { ProcessRunnerError, ProcessRunnerErrorCode } from './process-runner.error';
import { DEFAULT_RESTART_POLICY, RestartBackoff, type RestartPolicy } from './restart-backoff';

export interface ProcessRunnerOptions {
  /** Back-off of restarts; each field defaults to `DEFAULT_RESTART_POLICY`'s. */
  restart?: Partial<RestartPolicy>;
  /** How long (ms) `stop()` waits after SIGTERM before sending SIGKILL. Default 10 000. */
  stopGraceMs?: number;
  /** How long (ms) `start()` waits for every health URL to answer 2xx. Default 120 000. */
  startTimeoutMs?: number;
  /** How many characters of each process's stdout + stderr `output()` keeps. Default 65 536. */
  outputChars?: number;
  /** Receives every line of every process, and the runner's notes about them. */
  log?: (line: ProcessLogLine) => void;
}

/** The runner's events; `restart` fires when an exit is seen, before the delay elapses. */
export interface ProcessRunnerEvents {
  spawn: [ProcessSpawn];
  exit: [ProcessExit];
  restart: [RestartRecord];
}

interface Running {
  readonly child: ChildProcess;
  readonly pid: number | undefined;
  readonly spawnedAt: number;
  readonly exited: Promise<void>;
  readonly markExited: () => void;
}

interface Slot {
  readonly spec: ManagedProcess;
  readonly backoff: RestartBackoff;
  readonly output: OutputTail;
  running?: Running;
  restartTimer?: NodeJS.Timeout;
}

type RunnerState = 'idle' | 'running' | 'stopping' | 'stopped';

const HEALTH_POLL_MS = 100;
/**
 * A /health answer waits for the process's own probes, each allowed 2.5 s: a shorter wait here
 * would take a process whose dependency is merely slow for one that does not answer.
 */
const HEALTH_REQUEST_TIMEOUT_MS = 6_000;
const START_ERROR_OUTPUT_CHARS = 3_000;
/** What `env NAME=value` accepts as a name without mistaking it for an option or the command. */
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Runs a set of processes as the platform runs in production — one OS process per app — for
 * `npm run demo` and the end-to-end tests: spawns them, waits until they are healthy, restarts
 * any that exits (crash, exit 0, kill -9) with exponential back-off, and stops them all.
 *
 * A runner runs once: `start()`, then `stop()`. Children must not outlive it: `stop()` sends
 * SIGTERM, then SIGKILL after `stopGraceMs`; and from `start()` until `stop()` resolves, a
 * `process.on('exit')` hook SIGKILLs whatever is left if the host exits without stopping
 * (`process.exit()`, an uncaught exception, the end of the event loop). That hook cannot run
 * when the host is itself SIGKILLed or ended by a signal it does not handle, so a host that
 * runs for long (the demo) should handle SIGINT/SIGTERM by awaiting `stop()`. Only the direct
 * child is signalled: the project's apps are single processes (see `projectApp`).
 */
export class ProcessRunner extends EventEmitter<ProcessRunnerEvents> {
  private readonly slots = new Map<string, Slot>();
  private readonly history: RestartRecord[] = [];
  private readonly stopGraceMs: number;
  private readonly startTimeoutMs: number;
  private readonly log: ((line: ProcessLogLine) => void) | undefined;
  private state: RunnerState = 'idle';
  private stopping: Promise<void> | undefined;

  /** 'exit' listeners run synchronously and last: SIGKILL is all there is time for. */
  private readonly killOnExit = (): void => {
    for (const slot of this.slots.values()) slot.running?.child.kill('SIGKILL');
  };

  constructor(specs: readonly ManagedProcess[], options: ProcessRunnerOptions = {}) {
    super();
    const policy: RestartPolicy = {
      initialDelayMs: options.restart?.initialDelayMs ?? DEFAULT_RESTART_POLICY.initialDelayMs,
      maxDelayMs: options.restart?.maxDelayMs ?? DEFAULT_RESTART_POLICY.maxDelayMs,
      factor: options.restart?.factor ?? DEFAULT_RESTART_POLICY.factor,
      resetAfterMs: options.restart?.resetAfterMs ?? DEFAULT_RESTART_POLICY.resetAfterMs,
    };
    this.stopGraceMs = options.stopGraceMs ?? 10_000;
    this.startTimeoutMs = options.startTimeoutMs ?? 120_000;
    this.log = options.log;
    const outputChars = options.outputChars ?? 64 * 1024;
    checkOptions(policy, this.stopGraceMs, this.startTimeoutMs, outputChars);
    for (const spec of specs) {
      checkSpec(spec, this.slots);
      this.slots.set(spec.name, {
        spec,
        backoff: new RestartBackoff(policy),
        output: new OutputTail(outputChars),
      });
    }
  }

  /**
   * Spawns every process and resolves once each one with a `healthUrl` answers 2xx. A process
   * that exits meanwhile is restarted with back-off, as later. Rejects with `StartTimeout`
   * (naming the process, with its last output) after `startTimeoutMs`, or `Stopped` when
   * `stop()` is called first; either way every process is stopped before it rejects.
   */
  async start(): Promise<void> {
    if (this.state !== 'idle') {
      throw new ProcessRunnerError(
        ProcessRunnerErrorCode.AlreadyStarted,
        `the runner is ${this.state}: a runner starts once`,
      );
    }
    this.state = 'running';
    process.on('exit', this.killOnExit);
    for (const slot of this.slots.values()) this.spawn(slot);
    try {
      await Promise.all(
        [...this.slots.keys()].map((name) => this.waitUntilHealthy(name, this.startTimeoutMs)),
      );
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  /**
   * Resolves once the process `name` (its current incarnation, after restarts) answers 2xx on
   * its health URL — at once when it has none. Rejects with `StartTimeout` after `timeoutMs`
   * (ms) and with `Stopped` when the runner is not running.
   */
  async waitUntilHealthy(name: string, timeoutMs = this.startTimeoutMs): Promise<void> {
    const slot = this.slot(name);
    const url = slot.spec.healthUrl;
    if (url === undefined) return;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.state !== 'running') {
        throw new ProcessRunnerError(
          ProcessRunnerErrorCode.Stopped,
          `${name}: the runner is ${this.state}, no longer waiting for ${url}`,
        );
      }
      if (slot.running && (await answers2xx(url))) return;
      if (Date.now() >= deadline) {
        throw new ProcessRunnerError(
          ProcessRunnerErrorCode.StartTimeout,
          `${name} did not answer 2xx on ${url} within ${timeoutMs} ms ` +
            `(${this.restarts(name)} restarts); its last output:\n` +
            slot.output.toString().slice(-START_ERROR_OUTPUT_CHARS),
        );
      }
      await sleep(HEALTH_POLL_MS);
    }
  }

  /**
   * SIGTERM to every process, SIGKILL to those still there after `stopGraceMs`; resolves when
   * all are gone. Nothing is restarted once it is called. Idempotent: every call returns the
   * same promise.
   */
  stop(): Promise<void> {
    this.stopping ??= this.stopAll();
    return this.stopping;
  }

  /** The last `outputChars` characters the process wrote on stdout and stderr, across restarts. */
  output(name: string): string {
    return this.slot(name).output.toString();
  }

  /** The pid of the process's current incarnation; undefined while it is down. */
  pid(name: string): number | undefined {
    return this.slot(name).running?.pid;
  }

  /** Sends `signal` to the process (e.g. SIGKILL in a chaos test); false when it is down. */
  kill(name: string, signal: NodeJS.Signals): boolean {
    return this.slot(name).running?.child.kill(signal) ?? false;
  }

  /** How many times the process exited while the runner was running (each led to a restart). */
  restarts(name: string): number {
    this.slot(name);
    return this.history.filter((record) => record.name === name).length;
  }

  /** Every exit that led to a restart, oldest first; only the process `name`'s when given. */
  restartHistory(name?: string): RestartRecord[] {
    if (name === undefined) return [...this.history];
    this.slot(name);
    return this.history.filter((record) => record.name === name);
  }

  private spawn(slot: Slot): void {
    const { name, command, args, env, cwd } = slot.spec;
    // `env NAME=value … command` execs the command in place: the pid is the app's own.
    const assignments = Object.entries(env).map(([variable, value]) => `${variable}=${value}`);
    // A session of its own, as a service has in production: the scheduler shares the CPU
    // between sessions first, so apps sharing this one (with whatever else runs in it) were
    // starved by the stack's services, each in its own. It stops itself if we die without
    // stopping it (CORTEGE_PARENT_PID).
    const child = spawn(
      'env',
      [...assignments, `CORTEGE_PARENT_PID=${process.pid}`, command, ...args],
      { cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
    );
    let markExited = (): void => undefined;
    const exited = new Promise<void>((resolve) => (markExited = resolve));
    const running: Running = { child, pid: child.pid, spawnedAt: Date.now(), exited, markExited };
    slot.running = running;
    for (const [stream, readable] of [
      ['stdout', child.stdout],
      ['stderr', child.stderr],
    ] as const) {
      readable.setEncoding('utf8');
      readable.on('data', (chunk: string) => slot.output.append(chunk));
      const log = this.log;
      if (log) {
        createInterface({ input: readable, crlfDelay: Infinity }).on('line', (text) =>
          log({ name, stream, text }),
        );
      }
    }
    child.on('exit', (code, signal) => this.onExit(slot, running, code, signal));
    child.on('error', (error) => {
      slot.output.append(`[process-runner] ${error.message}\n`);
      // Without a pid the spawn itself failed (e.g. no such cwd), and no 'exit' may follow.
      if (running.pid === undefined) this.onExit(slot, running, null, null);
    });
    if (running.pid !== undefined) {
      this.note(name, `spawned, pid ${running.pid}`);
      this.emit('spawn', { name, pid: running.pid });
    }
  }

  private onExit(
    slot: Slot,
    running: Running,
    code: number | null,
    signal: NodeJS.Signals | null,
  ): void {
    if (slot.running !== running) return;
    slot.running = undefined;
    const { name } = slot.spec;
    const uptimeMs = Date.now() - running.spawnedAt;
    const how = signal ? `signal ${signal}` : `code ${code}`;
    let record: RestartRecord | undefined;
    if (this.state === 'running') {
      record = { name, code, signal, delayMs: slot.backoff.next(uptimeMs) };
      this.history.push(record);
      slot.restartTimer = setTimeout(() => {
        slot.restartTimer = undefined;
        if (this.state === 'running') this.spawn(slot);
      }, record.delayMs);
      this.note(name, `exited (${how}) after ${uptimeMs} ms; restart in ${record.delayMs} ms`);
    } else {
      this.note(name, `exited (${how})`);
    }
    running.markExited();
    this.emit('exit', { name, pid: running.pid, code, signal, uptimeMs });
    if (record) this.emit('restart', record);
  }

  private async stopAll(): Promise<void> {
    this.state = 'stopping';
    const slots = [...this.slots.values()];
    for (const slot of slots) clearTimeout(slot.restartTimer);
    await Promise.all(slots.map((slot) => this.terminate(slot)));
    process.off('exit', this.killOnExit);
    this.state = 'stopped';
  }

  private async terminate(slot: Slot): Promise<void> {
    const running = slot.running;
    if (!running) return;
    running.child.kill('SIGTERM');
    if (await settlesWithin(running.exited, this.stopGraceMs)) return;
    this.note(slot.spec.name, `still running ${this.stopGraceMs} ms after SIGTERM: SIGKILL`);
    running.child.kill('SIGKILL');
    await running.exited;
  }

  private note(name: string, text: string): void {
    this.log?.({ name, stream: 'runner', text });
  }

  private slot(name: string): Slot {
    const slot = this.slots.get(name);
    if (!slot) {
      throw new ProcessRunnerError(
        ProcessRunnerErrorCode.UnknownProcess,
        `no process ${name} (the runner has ${[...this.slots.keys()].join(', ') || 'none'})`,
      );
    }
    return slot;
  }
}

/** True when a GET of `url` answers 2xx; false on any other status or on a network error. */
async function answers2xx(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(HEALTH_REQUEST_TIMEOUT_MS) });
    await response.body?.cancel();
    return response.ok;
  } catch {
    return false;
  }
}

/** True when `promise` settles within `ms` (ms); the timer is cleared either way. */
async function settlesWithin(promise: Promise<void>, ms: number): Promise<boolean> {
  const timer = new AbortController();
  try {
    return await Promise.race([
      promise.then(() => true),
      sleep(ms, false, { signal: timer.signal }),
    ]);
  } finally {
    timer.abort();
  }
}

function checkOptions(
  policy: RestartPolicy,
  stopGraceMs: number,
  startTimeoutMs: number,
  outputChars: number,
): void {
  const problems = [
    policy.initialDelayMs >= 0 ? undefined : `restart.initialDelayMs ${policy.initialDelayMs} < 0`,
    policy.maxDelayMs >= policy.initialDelayMs
      ? undefined
      : `restart.maxDelayMs ${policy.maxDelayMs} < initialDelayMs ${policy.initialDelayMs}`,
    policy.factor >= 1 ? undefined : `restart.factor ${policy.factor} < 1`,
    policy.resetAfterMs >= 0 ? undefined : `restart.resetAfterMs ${policy.resetAfterMs} < 0`,
    stopGraceMs >= 0 ? undefined : `stopGraceMs ${stopGraceMs} < 0`,
    startTimeoutMs > 0 ? undefined : `startTimeoutMs ${startTimeoutMs} ≤ 0`,
    Number.isInteger(outputChars) && outputChars > 0
      ? undefined
      : `outputChars ${outputChars} is not a positive integer`,
  ].filter((problem) => problem !== undefined);
  // NaN fails every comparison above, so it is reported too.
  if (problems.length > 0) {
    throw new ProcessRunnerError(ProcessRunnerErrorCode.InvalidOptions, problems.join('; '));
  }
}

function checkSpec(spec: ManagedProcess, taken: ReadonlyMap<string, Slot>): void {
  const invalid = (why: string): ProcessRunnerError =>
    new ProcessRunnerError(ProcessRunnerErrorCode.InvalidSpec, `process ${spec.name}: ${why}`);
  if (spec.name === '') throw invalid('empty name');
  if (taken.has(spec.name)) throw invalid('two processes have this name');
  if (spec.command === '') throw invalid('empty command');
  const badNames = Object.keys(spec.env).filter((variable) => !ENV_NAME.test(variable));
  if (badNames.length > 0)
    throw invalid(`invalid environment variable names ${badNames.join(', ')}`);
}
