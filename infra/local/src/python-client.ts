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
 * Makes (once per content of `requirements`) a virtual environment `name` under the stack folder
 * with what `requirements` lists, and returns its interpreter. `what` says what is installed.
 */
export function ensurePythonEnv(
  stack: StackConfig,
  name: string,
  requirements: string,
  what: string,
): string {
  const venv = join(stack.dir, name);
  const python = join(venv, 'bin', 'python');
  const hash = createHash('sha256').update(readFileSync(requirements)).digest('hex');
  const stamp = join(venv, 'requirements.sha256');
  if (!existsSync(stamp) || readFileSync(stamp, 'utf8') !== hash) {
    if (!hasCommand('python3')) {
      throw new StackError(
        StackErrorCode.MissingTool,
        `python3 not found: ${what} needs Python 3.9+`,
      );
    }
    process.stderr.write(`stack: installing ${what} into the stack folder…\n`);
    try {
      run('python3', ['-m', 'venv', venv], 'python3 -m venv');
      run(
        join(venv, 'bin', 'pip'),
        ['install', '-q', '--disable-pip-version-check', '-r', requirements],
        `pip install (${what})`,
      );
    } catch (error) {
      throw new StackError(
        StackErrorCode.InstallFailed,
        `${(error as Error).message}\n(on Debian, python3 -m venv needs the python3-venv package)`,
      );
    }
    writeFileSync(stamp, hash);
  }
  return python;
}

/**
 * Makes (once per requirements.txt content) a virtual environment under the stack folder with
 * Confluent's Python client, and returns how to run it.
 */
export function ensurePythonClient(stack: StackConfig): PythonClient {
  const python = ensurePythonEnv(
    stack,
    'python',
    join(PYTHON_DIR, 'requirements.txt'),
    'the Python Confluent client',
  );
  return { python, consumeScript: join(PYTHON_DIR, 'avro_consume.py') };
}
