import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { waitFor } from '@app/testing';

const HELPER = join(__dirname, 'stop-when-orphaned.ts');

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('stopWhenOrphaned', () => {
  it('makes a process started in its own session stop gracefully once its parent is killed', async () => {
    // The child: watches its parent every 50 ms and says how it stops.
    const child = `
      const { stopWhenOrphaned } = require(${JSON.stringify(HELPER)});
      stopWhenOrphaned(process.ppid, (line) => console.log('log: ' + line), 50);
      process.on('SIGTERM', () => { console.log('graceful stop'); process.exit(0); });
      let checks = 0;
      setInterval(() => { if (++checks === 5) console.log('still here after 5 checks'); }, 50);`;
    // The parent: starts the child detached, prints its pid, then waits to be killed.
    const parent = `
      const { spawn } = require('node:child_process');
      const c = spawn(process.execPath, ['--require', 'tsx/cjs', '-e', ${JSON.stringify(child)}],
        { detached: true, stdio: ['ignore', 'inherit', 'inherit'] });
      console.log('child ' + c.pid);
      setInterval(() => undefined, 1000);`;
    const supervisor = spawn(process.execPath, ['-e', parent], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    supervisor.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    supervisor.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    let childPid = 0;
    try {
      childPid = await waitFor('the child started', () => {
        const pid = /child (\d+)/.exec(output)?.[1];
        return Promise.resolve(pid ? Number(pid) : undefined);
      });
      // Still running while its parent lives.
      await waitFor('five checks', () =>
        Promise.resolve(output.includes('still here after 5 checks') ? true : undefined),
      );
      expect(alive(childPid)).toBe(true);
      supervisor.kill('SIGKILL');
      await waitFor('the orphaned child to stop', () =>
        Promise.resolve(alive(childPid) ? undefined : true),
      );
      expect(output).toMatch(
        /log: the process that started this one \(pid \d+\) is gone: stopping/,
      );
      expect(output).toContain('graceful stop');
    } finally {
      supervisor.kill('SIGKILL');
      if (childPid > 0 && alive(childPid)) process.kill(childPid, 'SIGKILL');
    }
  });
});
