/** Why the configuration was refused. */
export enum ConfigErrorCode {
  /** One or more variables are missing or malformed; `problems` lists each. */
  InvalidEnvironment = 'invalid_environment',
}

/** One bad variable: its name and what is wrong with it, never its value if it may be secret. */
export interface ConfigProblem {
  readonly variable: string;
  readonly message: string;
}

/**
 * The configuration could not be built. Never retriable: the process must stop and say why.
 * The message lists every problem at once, so a user fixes them in one go.
 */
export class ConfigError extends Error {
  readonly retriable = false;

  constructor(
    readonly code: ConfigErrorCode,
    readonly problems: readonly ConfigProblem[],
  ) {
    super(
      `Invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((p) => `  - ${p.variable}: ${p.message}`).join('\n'),
    );
    this.name = 'ConfigError';
  }
}
