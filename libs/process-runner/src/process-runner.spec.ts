import type { ManagedProcess } from './managed-process';
import { ProcessRunner } from './process-runner';
import { ProcessRunnerErrorCode } from './process-runner.error';

// Construction and look-ups only: nothing here spawns (the int-spec runs real processes).
describe('ProcessRunner (without processes)', () => {
  const spec = (name: string, env: Record<string, string> = {}): ManagedProcess => ({
    name,
    command: 'true',
    args: [],
    env,
  });

  it('lists every bad option in one error', () => {
    expect(
      errorOf(
        () =>
          new ProcessRunner([spec('a')], {
            restart: { initialDelayMs: 500, maxDelayMs: 100, factor: 0.5 },
            stopGraceMs: -1,
            startTimeoutMs: Number.NaN,
          }),
      ),
    ).toMatchObject({
      code: ProcessRunnerErrorCode.InvalidOptions,
      message:
        'restart.maxDelayMs 100 < initialDelayMs 500; restart.factor 0.5 < 1; ' +
        'stopGraceMs -1 < 0; startTimeoutMs NaN ≤ 0',
    });
  });

  it('refuses two processes with one name, and variable names `env` would misread', () => {
    expect(errorOf(() => new ProcessRunner([spec('a'), spec('a')]))).toMatchObject({
      code: ProcessRunnerErrorCode.InvalidSpec,
    });
    expect(
      errorOf(() => new ProcessRunner([spec('a', { 'A=B': '1', '-i': '1', OK_1: '1' })])),
    ).toMatchObject({
      code: ProcessRunnerErrorCode.InvalidSpec,
      message: 'process a: invalid environment variable names A=B, -i',
    });
  });

  it('names the processes it has when asked about another', () => {
    const runner = new ProcessRunner([spec('a'), spec('b')]);
    expect(errorOf(() => runner.output('c'))).toMatchObject({
      code: ProcessRunnerErrorCode.UnknownProcess,
      message: 'no process c (the runner has a, b)',
    });
    expect(runner.pid('a')).toBeUndefined();
    expect(runner.restarts('b')).toBe(0);
  });

  it('stops at once when never started, and then refuses to start', async () => {
    const runner = new ProcessRunner([spec('a')]);
    await runner.stop();
    await expect(runner.start()).rejects.toMatchObject({
      code: ProcessRunnerErrorCode.AlreadyStarted,
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
