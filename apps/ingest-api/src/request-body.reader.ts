import type { IncomingMessage } from 'node:http';
import { IngestError, IngestErrorCode } from './ingest.error';

const JSON_MEDIA_TYPE = /^application\/([a-z0-9.+-]*\+)?json$/i;

/**
 * Checks that a request carries JSON, uncompressed.
 * @throws IngestError UnsupportedMediaType (415) otherwise.
 */
export function assertJsonRequest(headers: IncomingMessage['headers']): void {
  const mediaType = (headers['content-type'] ?? '').split(';')[0]?.trim() ?? '';
  if (!JSON_MEDIA_TYPE.test(mediaType)) {
    throw new IngestError(
      IngestErrorCode.UnsupportedMediaType,
      `expected Content-Type: application/json, got '${mediaType || '(none)'}'`,
    );
  }
  const encoding = (headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (encoding !== 'identity') {
    throw new IngestError(
      IngestErrorCode.UnsupportedMediaType,
      `compressed bodies are not accepted (Content-Encoding: ${encoding})`,
    );
  }
}

const tooLarge = (limitBytes: number) =>
  new IngestError(IngestErrorCode.PayloadTooLarge, `the body is larger than ${limitBytes} bytes`, {
    limitBytes,
  });

/**
 * Reads a request body of at most `limitBytes` bytes. Refuses at once when `Content-Length`
 * says more; otherwise stops keeping bytes as soon as the count passes the limit, so an
 * oversized (chunked) body never sits in memory. Node discards what is left of it.
 *
 * @throws IngestError PayloadTooLarge (413) with `limitBytes`.
 */
export function readBody(request: IncomingMessage, limitBytes: number): Promise<Buffer> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limitBytes) {
    request.resume();
    return Promise.reject(tooLarge(limitBytes));
  }
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onError);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limitBytes) {
        cleanup();
        request.resume();
        reject(tooLarge(limitBytes));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('error', onError);
  });
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Parses a UTF-8 JSON body.
 * @throws IngestError MalformedJson (400) with the parser's reason.
 */
export function parseJsonBody(bytes: Buffer): unknown {
  try {
    return JSON.parse(utf8.decode(bytes)) as unknown;
  } catch (error) {
    throw new IngestError(
      IngestErrorCode.MalformedJson,
      `the body is not JSON: ${(error as Error).message}`,
    );
  }
}
