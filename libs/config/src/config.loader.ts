import { accessSync, constants, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError, ConfigErrorCode, type ConfigProblem } from './config.error';
import { crossVariableProblems, environmentSchema, FILE_VARIABLES } from './config.schema';
import { toAppConfig, type AppConfig } from './app-config';

type RawEnvironment = Readonly<Record<string, string | undefined>>;

/** Sections of `AppConfig` that are optional for the platform but required by some processes. */
export type RequirableSection = 'auth';

/** What a section needs set, and why; checked only when a process requires the section. */
const REQUIREMENTS: Record<RequirableSection, (env: RawEnvironment) => ConfigProblem[]> = {
  auth: (env) =>
    isSet(env, 'AUTH_ISSUER')
      ? []
      : [
          {
            variable: 'AUTH_ISSUER',
            message:
              'required: the issuer of producers’ and analysts’ tokens (with AUTH_JWKS_URL or AUTH_PUBLIC_KEY)',
          },
        ],
};

export interface LoadConfigOptions<R extends RequirableSection> {
  /** Sections this process cannot run without; their absence is reported with every other problem. */
  readonly require?: readonly R[];
}

/** `AppConfig` with the required sections known to be present. */
export type ConfigWith<R extends RequirableSection> = AppConfig & {
  readonly [K in R]: NonNullable<AppConfig[K]>;
};

const isSet = (env: RawEnvironment, variable: string) => (env[variable] ?? '').trim() !== '';

/** Each file variable that is set must name a readable regular file (relative to `cwd`). */
function fileProblems(env: RawEnvironment, cwd: string): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const variable of FILE_VARIABLES) {
    const value = env[variable]?.trim();
    if (!value) continue;
    const path = resolve(cwd, value);
    try {
      accessSync(path, constants.R_OK);
      if (!statSync(path).isFile()) throw new Error('not a file');
    } catch {
      problems.push({ variable, message: `cannot read the file ${path}` });
    }
  }
  return problems;
}

/**
 * Builds the validated configuration. This is the only place in the project that reads
 * `process.env`; everything else receives an `AppConfig`.
 *
 * @param options.require sections the calling process needs (the ingest API: `['auth']`).
 * @throws ConfigError listing every missing or malformed variable at once.
 */
export function loadConfig<R extends RequirableSection = never>(
  env: RawEnvironment = process.env,
  cwd: string = process.cwd(),
  options: LoadConfigOptions<R> = {},
): ConfigWith<R> {
  const parsed = environmentSchema.safeParse(env);
  const problems: ConfigProblem[] = parsed.success
    ? []
    : parsed.error.issues.map((issue) => ({
        variable: issue.path.map(String).join('.') || '(environment)',
        message: issue.message,
      }));
  problems.push(...crossVariableProblems(env), ...fileProblems(env, cwd));
  for (const section of options.require ?? []) problems.push(...REQUIREMENTS[section](env));
  if (!parsed.success || problems.length > 0) {
    throw new ConfigError(ConfigErrorCode.InvalidEnvironment, problems);
  }
  // Every required section was checked above, so the narrowing holds.
  return toAppConfig(parsed.data, cwd) as ConfigWith<R>;
}
