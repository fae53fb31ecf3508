import { once } from 'node:events';
import { parseArgs, type ParseArgsConfig } from 'node:util';
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

/** The options of a command, as `parseArgs` takes them. */
type ParseArgsOptionsConfig = NonNullable<ParseArgsConfig['options']>;

type StrictArgs<O extends ParseArgsOptionsConfig> = {
  args: string[];
  options: O;
  allowPositionals: true;
  strict: true;
};

/** What `commandArgs` found in the arguments: the options' values and the positionals. */
export type CommandArgs<O extends ParseArgsOptionsConfig> = ReturnType<
  typeof parseArgs<StrictArgs<O>>
>;

/**
 * `argv` parsed strictly against `options` (an unknown option, or a value missing or given to
 * a flag, is refused), or the refusal's message.
 */
export function commandArgs<const O extends ParseArgsOptionsConfig>(
  argv: readonly string[],
  options: O,
): CommandArgs<O> | { readonly refused: string } {
  try {
    return parseArgs<StrictArgs<O>>({
      args: [...argv],
      options,
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    return { refused: (error as Error).message };
  }
}
