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
 * The client closed the connection before its body was whole. Nobody is left to answer: the
 * server logs one warning line (no stack) and closes its side.
 */
export class RequestAbortedError extends Error {
  constructor(readonly bytesRead: number) {
    super(`the client closed the connection after ${bytesRead} bytes of the body, before its end`);
    this.name = 'RequestAbortedError';
  }
}

/**
 * Reads a request body of at most `limitBytes` bytes. Refuses at once when `Content-Length`
 * says more; otherwise stops reading as soon as the count passes the limit, so an oversized
 * (chunked) body never sits in memory. What is left of the body is never read: the error's
 * answer closes the connection (`IngestExceptionFilter`).
 *
 * @throws IngestError PayloadTooLarge (413) with `limitBytes`; RequestAbortedError when the
 *   client goes away mid-body.
 */
export function readBody(request: IncomingMessage, limitBytes: number): Promise<Buffer> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limitBytes) {
    return Promise.reject(tooLarge(limitBytes));
  }
  // Gone already (while its token was checked): no event will come.
  if (request.destroyed) return Promise.reject(new RequestAbortedError(0));
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onError);
      request.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limitBytes) {
        cleanup();
        request.pause();
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
      reject(request.complete ? error : new RequestAbortedError(size));
    };
    const onClose = () => {
      cleanup();
      reject(new RequestAbortedError(size));
    };
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('error', onError);
    request.on('close', onClose);
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
