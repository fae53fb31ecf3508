import { join } from 'node:path';
import { ProcessRunnerErrorCode } from './process-runner.error';
import { projectApp, REPO_ROOT } from './project-app';

describe('projectApp', () => {
  it("runs the app's main.ts in one Node process from the repository's root", () => {
    expect(projectApp('locator', { LOCATOR_PORT: '28091' }, 28091)).toEqual({
      name: 'locator',
      command: process.execPath,
      args: ['--require', 'tsx/cjs', join(REPO_ROOT, 'apps', 'locator', 'src', 'main.ts')],
      env: { LOCATOR_PORT: '28091' },
      cwd: REPO_ROOT,
      healthUrl: 'http://127.0.0.1:28091/health',
    });
  });

  it('has no health URL without a port', () => {
    expect(projectApp('sanitizer', {})).not.toHaveProperty('healthUrl');
  });

  it('refuses an app that does not exist', () => {
    expect(errorOf(() => projectApp('no-such-app', {}))).toMatchObject({
      code: ProcessRunnerErrorCode.UnknownApp,
    });
  });
});

/** The error `call` throws; fails the test when it throws none. */
function errorOf(call: () => unknown): unknown {
  try {
    call();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw, got none');
}
