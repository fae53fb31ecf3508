import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';

/** One non-blank line of a JSON-lines input: its parsed value, or `malformed` when not JSON. */
export interface JsonLine {
  /** 1-based over all lines, blank ones included, so a user finds the line in the file. */
  readonly line: number;
  readonly value: unknown;
  readonly malformed: boolean;
}

/** The non-blank lines of `input`, parsed as JSON, in order. */
export async function* readJsonLines(input: Readable): AsyncGenerator<JsonLine> {
  let line = 0;
  for await (const text of createInterface({ input, crlfDelay: Infinity })) {
    line++;
    if (text.trim() === '') continue;
    try {
      yield { line, value: JSON.parse(text) as unknown, malformed: false };
    } catch (error) {
      if (!(error instanceof SyntaxError)) throw error;
      yield { line, value: undefined, malformed: true };
    }
  }
}

/**
 * Reads JSON lines from `input`, hands each parsed value (or the parse error) to `each`, and
 * writes what it returns as one JSON line to `output`; returns the number of lines written.
 */
export async function mapJsonLines(
  input: Readable,
  output: Writable,
  each: (value: unknown, line: number) => object | Promise<object>,
  onMalformed: (message: string, line: number) => object,
): Promise<number> {
  let count = 0;
  for await (const { line, value, malformed } of readJsonLines(input)) {
    const result = malformed
      ? onMalformed('not a valid JSON value', line)
      : await each(value, line);
    if (!output.write(`${JSON.stringify(result)}\n`))
      await new Promise((resolve) => output.once('drain', resolve));
    count++;
  }
  return count;
}
