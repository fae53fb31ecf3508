import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';

/**
 * Reads JSON lines from `input`, hands each parsed value (or the parse error) to `each`, and
 * writes what it returns as one JSON line to `output`. Blank lines are skipped; numbering is
 * 1-based over all lines, so a user finds the line in the file.
 */
export async function mapJsonLines(
  input: Readable,
  output: Writable,
  each: (value: unknown, line: number) => object | Promise<object>,
  onMalformed: (message: string, line: number) => object,
): Promise<number> {
  let line = 0;
  let count = 0;
  for await (const text of createInterface({ input, crlfDelay: Infinity })) {
    line++;
    if (text.trim() === '') continue;
    let value: unknown;
    let result: object;
    try {
      value = JSON.parse(text) as unknown;
      result = await each(value, line);
    } catch (error) {
      if (!(error instanceof SyntaxError)) throw error;
      result = onMalformed('not a valid JSON value', line);
    }
    if (!output.write(`${JSON.stringify(result)}\n`))
      await new Promise((resolve) => output.once('drain', resolve));
    count++;
  }
  return count;
}

/**
 * Reads JSON lines from `input` and hands each parsed value to `each`, or `undefined` with
 * `malformed: true` for a line that is not JSON. Blank lines are skipped; lines are 1-based.
 */
export async function forEachJsonLine(
  input: Readable,
  each: (value: unknown, line: number, malformed: boolean) => void,
): Promise<void> {
  let line = 0;
  for await (const text of createInterface({ input, crlfDelay: Infinity })) {
    line++;
    if (text.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(text) as unknown;
    } catch (error) {
      if (!(error instanceof SyntaxError)) throw error;
      each(undefined, line, true);
      continue;
    }
    each(value, line, false);
  }
}
