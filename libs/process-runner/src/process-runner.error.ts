/** What went wrong in the process runner; the message names the process concerned. */
export enum ProcessRunnerErrorCode {
  /** Two specs with one name, an empty name or command, or an environment variable name `env` cannot pass. */
  InvalidSpec = 'invalid_spec',
  /** A restart policy or a timeout out of range (negative delays, a factor below 1, …). */
  InvalidOptions = 'invalid_options',
  /** A name that is not one of the runner's processes. */
  UnknownProcess = 'unknown_process',
  /** `projectApp` was given an app with no `apps/<app>/src/main.ts`. */
  UnknownApp = 'unknown_app',
  /** `start()` called twice, or after `stop()`: a runner runs once. */
  AlreadyStarted = 'already_started',
  /** A process did not answer 2xx on its health URL in time; the message carries its last output. */
  StartTimeout = 'start_timeout',
  /** `stop()` was called while `start()` or a health wait was still waiting. */
  Stopped = 'stopped',
}

/**
 * Failure of the process runner. Never retriable as such: a `StartTimeout` may pass on a
 * second run, but only the caller knows whether the app's dependencies came up meanwhile.
 */
export class ProcessRunnerError extends Error {
  readonly retriable = false;

  constructor(
    readonly code: ProcessRunnerErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ProcessRunnerError';
  }
}
