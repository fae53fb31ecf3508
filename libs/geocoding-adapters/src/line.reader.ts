import { createReadStream, type ReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import { GazetteerError, GazetteerErrorCode } from './gazetteer.error';

/** A text file read line by line, with how far into the file (on disk) the reading is. */
export interface LineSource {
  /** The lines, without their `\n` / `\r\n`; pulling slowly slows the reading (back-pressure). */
  readonly lines: AsyncIterable<string>;
  /** Bytes of the file read so far (compressed bytes for a `.gz`). */
  bytesRead(): number;
  /** Size of the file on disk, bytes. */
  readonly totalBytes: number;
}

/**
 * Opens `path` for reading line by line; a gzip file (`.gz`, or starting with gzip's magic
 * bytes) is decompressed on the fly. UTF-8.
 * @throws GazetteerError `unreadable` when the file cannot be opened.
 */
export async function openLines(path: string): Promise<LineSource> {
  let totalBytes: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new Error('not a regular file');
    totalBytes = info.size;
  } catch (error) {
    throw new GazetteerError(
      GazetteerErrorCode.Unreadable,
      `cannot read ${path}: ${(error as Error).message}`,
      undefined,
      { cause: error },
    );
  }
  const gzipped = path.endsWith('.gz') || (await startsWithGzipMagic(path));
  const file: ReadStream = createReadStream(path, { highWaterMark: 256 * 1024 });
  // No 'data' listener here: it would start the flow before anyone reads.
  const input = gzipped ? file.pipe(createGunzip()) : file;
  return { lines: splitLines(input, path), bytesRead: () => file.bytesRead, totalBytes };
}

async function startsWithGzipMagic(path: string): Promise<boolean> {
  const stream = createReadStream(path, { start: 0, end: 1 });
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  const head = Buffer.concat(chunks);
  return head.length === 2 && head[0] === 0x1f && head[1] === 0x8b;
}

async function* splitLines(input: NodeJS.ReadableStream, path: string): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  let rest = '';
  try {
    for await (const chunk of input) {
      rest += typeof chunk === 'string' ? chunk : decoder.write(chunk);
      let start = 0;
      for (let end = rest.indexOf('\n'); end !== -1; end = rest.indexOf('\n', start)) {
        yield rest.slice(start, end > start && rest[end - 1] === '\r' ? end - 1 : end);
        start = end + 1;
      }
      rest = rest.slice(start);
    }
  } catch (error) {
    throw new GazetteerError(
      GazetteerErrorCode.Unreadable,
      `cannot read ${path}: ${(error as Error).message}`,
      undefined,
      { cause: error },
    );
  }
  rest += decoder.end();
  if (rest.endsWith('\r')) rest = rest.slice(0, -1);
  if (rest !== '') yield rest;
}
