import { ConfigError, ConfigErrorCode, type ConfigProblem } from './config.error';
import { environmentSchema } from './config.schema';
import { toAppConfig, type AppConfig } from './app-config';

/**
 * Builds the validated configuration. This is the only place in the project that reads
 * `process.env`; everything else receives an `AppConfig`.
 *
 * @throws ConfigError listing every missing or malformed variable at once.
 */
export function loadConfig(
  env: Readonly<Record<string, string | undefined>> = process.env,
  cwd: string = process.cwd(),
): AppConfig {
  const parsed = environmentSchema.safeParse(env);
  if (!parsed.success) {
    const problems: ConfigProblem[] = parsed.error.issues.map((issue) => ({
      variable: issue.path.map(String).join('.') || '(environment)',
      message: issue.message,
    }));
    throw new ConfigError(ConfigErrorCode.InvalidEnvironment, problems);
  }
  return toAppConfig(parsed.data, cwd);
}
