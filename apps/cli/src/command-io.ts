import { once } from 'node:events';
import type { Writable } from 'node:stream';

/** Where a command writes: stdout for its results, stderr for messages. */
export interface CommandIo {
  readonly stdout: Writable;
  readonly stderr: Pick<Writable, 'write'>;
}

export const PROCESS_IO: CommandIo = { stdout: process.stdout, stderr: process.stderr };

/** Writes `line` and a newline to `output`, waiting when its buffer is full. */
export async function writeLine(output: Writable, line: string): Promise<void> {
  if (!output.write(`${line}\n`)) await once(output, 'drain');
}
