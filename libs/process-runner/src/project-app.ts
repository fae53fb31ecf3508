import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ManagedProcess } from './managed-process';
import { ProcessRunnerError, ProcessRunnerErrorCode } from './process-runner.error';

/** The repository's root, where `apps/` and `node_modules/tsx` are. */
export const REPO_ROOT = join(__dirname, '..', '..', '..');

/**
 * The spec of one of the project's apps (`apps/<app>/src/main.ts`) run as in production: one
 * Node process (`node --require tsx/cjs main.ts`, no npm or tsx wrapper in between, so a
 * SIGKILL really kills the app), from the repository's root. With a `port`, ready means
 * `http://127.0.0.1:<port>/health` answers 2xx; the app itself learns its port from `env`
 * (e.g. `LOCATOR_PORT`), which this helper does not set. Throws `UnknownApp` when there is no
 * such app.
 */
export function projectApp(
  app: string,
  env: Readonly<Record<string, string>>,
  port?: number,
): ManagedProcess {
  const main = join(REPO_ROOT, 'apps', app, 'src', 'main.ts');
  if (!existsSync(main)) {
    throw new ProcessRunnerError(
      ProcessRunnerErrorCode.UnknownApp,
      `no app ${app}: ${main} does not exist`,
    );
  }
  return {
    name: app,
    command: process.execPath,
    args: ['--require', 'tsx/cjs', main],
    env,
    cwd: REPO_ROOT,
    ...(port === undefined ? {} : { healthUrl: `http://127.0.0.1:${port}/health` }),
  };
}
