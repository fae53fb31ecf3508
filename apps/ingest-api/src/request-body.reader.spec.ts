import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { IngestError, IngestErrorCode } from './ingest.error';
import {
  assertJsonRequest,
  parseJsonBody,
  readBody,
  RequestAbortedError,
} from './request-body.reader';

const request = (chunks: Buffer[], headers: Record<string, string> = {}): IncomingMessage =>
  Object.assign(Readable.from(chunks), { headers }) as unknown as IncomingMessage;

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (error) {
    if (error instanceof IngestError) return `${error.status} ${error.code}`;
    throw error;
  }
  return undefined;
};

describe('readBody', () => {
  it('returns the whole body when it fits', async () => {
    const body = await readBody(request([Buffer.from('{"a":'), Buffer.from('1}')]), 7);
    expect(body.toString()).toBe('{"a":1}');
  });

  it('refuses a body whose Content-Length is over the limit without reading it', async () => {
    const chunks = [Buffer.alloc(10)];
    await expect(readBody(request(chunks, { 'content-length': '11' }), 10)).rejects.toMatchObject({
      status: 413,
      code: IngestErrorCode.PayloadTooLarge,
      details: { limitBytes: 10 },
    });
  });

  it('refuses a chunked body as soon as it passes the limit', async () => {
    const chunks = [Buffer.alloc(6), Buffer.alloc(6), Buffer.alloc(6)];
    await expect(readBody(request(chunks), 10)).rejects.toMatchObject({
      status: 413,
      details: { limitBytes: 10 },
    });
  });
  it('says the client went away when the body stops before its end', async () => {
    const stream = new Readable({ read: () => undefined });
    const reading = readBody(
      Object.assign(stream, { headers: {} }) as unknown as IncomingMessage,
      100,
    );
    stream.push(Buffer.alloc(7));
    await new Promise((resolve) => setImmediate(resolve));
    stream.destroy(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }));
    const error = await reading.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RequestAbortedError);
    expect(error).toMatchObject({ bytesRead: 7 });
  });
});

describe('assertJsonRequest', () => {
  it('accepts JSON media types, with parameters', () => {
    expect(
      codeOf(() => assertJsonRequest({ 'content-type': 'application/json; charset=utf-8' })),
    ).toBeUndefined();
    expect(
      codeOf(() => assertJsonRequest({ 'content-type': 'application/vnd.cortege+json' })),
    ).toBeUndefined();
  });

  it('refuses other media types and compressed bodies with 415', () => {
    expect(codeOf(() => assertJsonRequest({ 'content-type': 'text/plain' }))).toBe(
      '415 unsupported_media_type',
    );
    expect(codeOf(() => assertJsonRequest({}))).toBe('415 unsupported_media_type');
    expect(
      codeOf(() =>
        assertJsonRequest({ 'content-type': 'application/json', 'content-encoding': 'gzip' }),
      ),
    ).toBe('415 unsupported_media_type');
  });
});

describe('parseJsonBody', () => {
  it('parses UTF-8 JSON', () => {
    expect(parseJsonBody(Buffer.from('{"subject":"Défilé"}'))).toEqual({ subject: 'Défilé' });
  });

  it('refuses malformed JSON and invalid UTF-8 with 400 malformed_json', () => {
    expect(codeOf(() => parseJsonBody(Buffer.from('{"a":1,')))).toBe('400 malformed_json');
    expect(codeOf(() => parseJsonBody(Buffer.from([0x7b, 0xff, 0x7d])))).toBe('400 malformed_json');
    expect(codeOf(() => parseJsonBody(Buffer.alloc(0)))).toBe('400 malformed_json');
  });
});
