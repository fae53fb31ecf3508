import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StackConfig } from '@app/config';
import { hasCommand, run } from './process-control';
import { StackError, StackErrorCode } from './stack.error';

const PYTHON_DIR = join(__dirname, '..', 'python');

/** Paths of the foreign Python client: its interpreter and the consumer script. */
export interface PythonClient {
  readonly python: string;
  readonly consumeScript: string;
}

/**
 * Makes (once per requirements.txt content) a virtual environment under the stack folder with
 * Confluent's Python client, and returns how to run it.
 */
export function ensurePythonClient(stack: StackConfig): PythonClient {
  const venv = join(stack.dir, 'python');
  const python = join(venv, 'bin', 'python');
  const requirements = join(PYTHON_DIR, 'requirements.txt');
  const hash = createHash('sha256').update(readFileSync(requirements)).digest('hex');
  const stamp = join(venv, 'requirements.sha256');
  if (!existsSync(stamp) || readFileSync(stamp, 'utf8') !== hash) {
    if (!hasCommand('python3')) {
      throw new StackError(
        StackErrorCode.MissingTool,
        'python3 not found: the foreign-client test needs Python 3.9+',
      );
    }
    process.stderr.write('stack: installing the Python Confluent client into the stack folder…\n');
    try {
      run('python3', ['-m', 'venv', venv], 'python3 -m venv');
      run(
        join(venv, 'bin', 'pip'),
        ['install', '-q', '--disable-pip-version-check', '-r', requirements],
        'pip install confluent-kafka',
      );
    } catch (error) {
      throw new StackError(
        StackErrorCode.InstallFailed,
        `${(error as Error).message}\n(on Debian, python3 -m venv needs the python3-venv package)`,
      );
    }
    writeFileSync(stamp, hash);
  }
  return { python, consumeScript: join(PYTHON_DIR, 'avro_consume.py') };
}
