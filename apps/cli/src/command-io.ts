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

/**
 * How `cortege <command>` refuses its arguments, on stderr, exit code 2: `usage` with the
 * command's help below the message, `badValue` with the message alone.
 */
export function argumentRefusals(command: string, help: string, io: CommandIo) {
  return {
    usage: (message: string): number => {
      io.stderr.write(`cortege ${command}: ${message}\n\n${help}\n`);
      return 2;
    },
    badValue: (message: string): number => {
      io.stderr.write(`cortege ${command}: ${message}\n`);
      return 2;
    },
  };
}
