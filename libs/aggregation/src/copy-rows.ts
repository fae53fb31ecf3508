import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** Characters per write to the COPY stream. */
const CHUNK_CHARS = 64 * 1024;

/** A value of a COPY text row: null, a number, text, or a one-dimensional array of those. */
export type CopyValue = string | number | null | readonly (string | number)[];

/** COPY's text format: backslash escapes for the characters that end a field or a row. */
const escapeText = (text: string): string =>
  text.replace(
    /[\\\t\n\r]/g,
    (c) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[c] as string,
  );

/** An array literal `{"a","b"}`, each element quoted. */
const arrayLiteral = (values: readonly (string | number)[]): string =>
  `{${values.map((v) => `"${String(v).replace(/["\\]/g, (c) => `\\${c}`)}"`).join(',')}}`;

const field = (value: CopyValue): string => {
  if (value === null) return '\\N';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return escapeText(value);
  return escapeText(arrayLiteral(value));
};

/**
 * Streams `rows` into `table (columns)` with `COPY … FROM STDIN` (text format) on `client`,
 * inside whatever transaction it has open; returns the number of rows.
 */
export async function copyRows(
  client: PoolClient,
  table: string,
  columns: readonly string[],
  rows: Iterable<readonly CopyValue[]>,
): Promise<number> {
  let count = 0;
  // Rows go out in chunks of about 64 KiB: one socket write per row cost more than the COPY.
  function* chunks(): Generator<string> {
    let chunk = '';
    for (const row of rows) {
      count += 1;
      chunk += `${row.map(field).join('\t')}\n`;
      if (chunk.length >= CHUNK_CHARS) {
        yield chunk;
        chunk = '';
      }
    }
    if (chunk.length > 0) yield chunk;
  }
  const sink = client.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN`));
  await pipeline(Readable.from(chunks()), sink);
  return count;
}
