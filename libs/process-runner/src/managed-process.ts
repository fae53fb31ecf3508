/** One process the runner keeps alive. */
export interface ManagedProcess {
  /** Unique within a runner; names the process in logs, errors and every per-process call. */
  name: string;
  /** The executable, looked up in PATH like a shell would. */
  command: string;
  args: readonly string[];
  /**
   * Variables added to the runner's own environment (passed as `env NAME=value … command`, so
   * the runner never reads the environment itself: only `@app/config` does).
   */
  env: Readonly<Record<string, string>>;
  /** Working directory; the runner's own when absent. */
  cwd?: string;
  /** Ready when an HTTP GET of this URL answers 2xx; ready as soon as spawned when absent. */
  healthUrl?: string;
}

/** One line a process (or the runner, about a process) wrote, for a prefixed console log. */
export interface ProcessLogLine {
  name: string;
  /** `runner` lines are the runner's own notes: spawns, exits, scheduled restarts. */
  stream: 'stdout' | 'stderr' | 'runner';
  /** The line, without its end-of-line. */
  text: string;
}

/** A process that was spawned. */
export interface ProcessSpawn {
  name: string;
  pid: number;
}

/** A process that exited, for whatever reason (crash, kill, stop). */
export interface ProcessExit {
  name: string;
  /** Undefined when the spawn itself failed (e.g. no such cwd). */
  pid: number | undefined;
  /** Exit code, or null when a signal ended it. */
  code: number | null;
  signal: NodeJS.Signals | null;
  /** How long (ms) it ran. */
  uptimeMs: number;
}

/** An exit while the runner was running, and the delay (ms) chosen before spawning again. */
export interface RestartRecord {
  name: string;
  code: number | null;
  signal: NodeJS.Signals | null;
  delayMs: number;
}
