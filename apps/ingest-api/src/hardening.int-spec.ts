import { connect, type Socket } from 'node:net';
import { ViolationCode } from '@app/contracts';
import { sampleSubmissions, waitFor } from '@app/testing';
import { CapturingLogger, startIngestApi, type RunningIngestApi } from '../test/ingest-api.harness';
import { request } from '../test/http-client';

type Json = Record<string, unknown>;
const json = <T>(v: T): Json => JSON.parse(JSON.stringify(v)) as Json;
const MOVING = 'payload.cortege.MovingDemonstration';

/** A sample march whose body text is changed by `edit` (the raw JSON, so 1e309 stays 1e309). */
const movingText = (edit: (text: string) => string, eventId?: string): string => {
  const s = json(sampleSubmissions().moving);
  if (eventId) s.eventId = eventId;
  return edit(JSON.stringify(s));
};
const violationsOf = (body: Json) =>
  (body.violations as Json[]).map((v) => [v.index, v.path, v.code]);

/** What a raw socket saw: the bytes it received, how many it sent, and when it was closed. */
interface RawExchange {
  readonly received: string;
  readonly sentBytes: number;
  readonly closedAfterMs: number;
}

/**
 * Sends `head` on a raw socket, then streams `chunk` as fast as the server takes it, until the
 * server closes the connection or `giveUpMs` passes (then the socket is destroyed here).
 */
function streamUntilClosed(url: string, head: string, giveUpMs: number): Promise<RawExchange> {
  const { hostname, port } = new URL(url);
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  return new Promise((resolve) => {
    const started = Date.now();
    const socket: Socket = connect(Number(port), hostname);
    const received: Buffer[] = [];
    let sentBytes = 0;
    let closed = false;
    const pump = () => {
      while (!closed && socket.writable) {
        sentBytes += chunk.length;
        if (!socket.write(chunk)) return;
      }
    };
    const giveUp = setTimeout(() => socket.destroy(), giveUpMs);
    socket.on('data', (data: Buffer) => received.push(data));
    socket.on('drain', pump);
    socket.on('error', () => undefined); // EPIPE/ECONNRESET once the server cut it: expected
    socket.on('close', () => {
      closed = true;
      clearTimeout(giveUp);
      resolve({
        received: Buffer.concat(received).toString('utf8'),
        sentBytes,
        closedAfterMs: Date.now() - started,
      });
    });
    socket.on('connect', () => {
      socket.write(head);
      pump();
    });
  });
}

describe('the ingest API refuses hostile input cleanly (issue #17, hardening)', () => {
  let api: RunningIngestApi;
  const logger = new CapturingLogger();
  beforeAll(async () => {
    api = await startIngestApi({}, { logger });
  });
  afterAll(async () => api?.close());

  /** Each case publishes nothing and logs no error (a client's error is never a stack trace). */
  let before: number;
  beforeEach(async () => {
    before = await api.recordCount();
    logger.lines.length = 0;
  });
  const expectNothingPublishedNorLogged = async () => {
    expect(await api.recordCount()).toBe(before);
    expect(logger.lines.filter((l) => l.level === 'error' || l.level === 'fatal')).toEqual([]);
    expect(logger.lines.filter((l) => /\n\s+at /.test(l.text))).toEqual([]);
  };

  it('positions not finite or out of range: 400 with the coordinate path; -Infinity is not a duplicate of 5.37', async () => {
    const cases: Array<[string, string]> = [
      ['{"lon":1e309,"lat":43.2954}', 'lon'],
      ['{"lon":-1e309,"lat":43.2954}', 'lon'],
      ['{"lon":181,"lat":43.2954}', 'lon'],
      ['{"lon":5.3698,"lat":91}', 'lat'],
    ];
    for (const [position, coordinate] of cases) {
      const body = movingText((t) => t.replace('{"lon":5.3698,"lat":43.2954}', position));
      expect(body).toContain(position);
      const response = await api.submit(body);
      expect(response.status).toBe(400);
      expect(violationsOf(response.json())).toEqual([
        [0, `${MOVING}.route.coordinates.0.${coordinate}`, ViolationCode.OutOfRange],
      ]);
    }
    await expectNothingPublishedNorLogged();
  });

  it('times a JavaScript Date cannot hold and offsets that do not exist: 400 invalid_date, never 500', async () => {
    const moving = json(sampleSubmissions().moving);
    const event = (moving.payload as Record<string, Json>)['cortege.MovingDemonstration']!;
    const cases: Array<[unknown, unknown, string[]]> = [
      [9e15, 1, ['startAt']],
      [8.7e15, 8.7e15 + 1, ['startAt', 'endAt']],
      ['2026-05-01T10:30+99:99', '2026-05-01T13:00', ['startAt']],
      ['2026-05-01T10:30+14:01', '2026-05-01T13:00', ['startAt']],
    ];
    for (const [startAt, endAt, fields] of cases) {
      const response = await api.submit({
        ...moving,
        payload: { 'cortege.MovingDemonstration': { ...event, startAt, endAt } },
      });
      expect(response.status).toBe(400);
      expect(violationsOf(response.json())).toEqual(
        fields.map((f) => [0, `${MOVING}.${f}`, ViolationCode.InvalidDate]),
      );
    }
    await expectNothingPublishedNorLogged();
  });

  it('a payload kind named like an Object.prototype member: 400, never 500', async () => {
    const { visit } = sampleSubmissions();
    for (const key of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf']) {
      const body = JSON.stringify({ ...visit, payload: null }).replace(
        '"payload":null',
        `"payload":{"${key}":{"subject":"x"}}`,
      );
      const response = await api.submit(body);
      expect(response.status).toBe(400);
      expect(violationsOf(response.json())).toEqual([[0, 'payload', ViolationCode.WrongType]]);
    }
    const enumKey = movingText((t) =>
      t.replace('"organiserStatus":"UNION"', '"organiserStatus":"constructor"'),
    );
    const response = await api.submit(enumKey);
    expect(response.status).toBe(400);
    expect(violationsOf(response.json())).toEqual([
      [0, `${MOVING}.organiserStatus`, ViolationCode.InvalidEnum],
    ]);
    await expectNothingPublishedNorLogged();
  });

  it('5,000 levels of nesting inside a typed field: 400 with a short message, no stack overflow', async () => {
    const deep = `${'['.repeat(5000)}"x"${']'.repeat(5000)}`;
    for (const field of ['subject', 'description', 'route', 'peopleExpected']) {
      const moving = json(sampleSubmissions().moving);
      (moving.payload as Record<string, Json>)['cortege.MovingDemonstration']![field] = '#deep#';
      const response = await api.submit(JSON.stringify(moving).replace('"#deep#"', deep));
      expect(response.status).toBe(400);
      expect(violationsOf(response.json())).toEqual([
        [0, `${MOVING}.${field}`, ViolationCode.WrongType],
      ]);
      expect(response.text.length).toBeLessThan(1000);
    }
    await expectNothingPublishedNorLogged();
  });

  it('a lone surrogate in a text field: 400 invalid_text naming the field', async () => {
    const body = movingText((t) => t.replace('"subject":"', '"subject":"\\ud83d '));
    const response = await api.submit(body);
    expect(response.status).toBe(400);
    expect(violationsOf(response.json())).toEqual([
      [0, `${MOVING}.subject`, ViolationCode.InvalidText],
    ]);
    await expectNothingPublishedNorLogged();
  });

  it('a source that is not an application identifier: 400 invalid_source', async () => {
    for (const source of ['Préfecture des Bouches-du-Rhône', 'CORTEGE', '']) {
      const response = await api.submit({ ...sampleSubmissions().visit, source });
      expect(response.status).toBe(400);
      expect(violationsOf(response.json())).toEqual([[0, 'source', ViolationCode.InvalidSource]]);
    }
    await expectNothingPublishedNorLogged();
  });

  it('an eventId in upper case is the same event: written in lower case, then a duplicate', async () => {
    const { operation } = sampleSubmissions();
    const upper = await api.submit({ ...operation, eventId: operation.eventId.toUpperCase() });
    expect(upper.status).toBe(202);
    expect(upper.json()).toEqual({
      accepted: [{ eventId: operation.eventId, revision: 1, duplicate: false }],
    });
    const lower = await api.submit(operation);
    expect(lower.json()).toEqual({
      accepted: [{ eventId: operation.eventId, revision: 1, duplicate: true }],
    });
    expect(await api.recordCount()).toBe(before + 1);
    const keys = (await api.records()).filter((r) => r.key.toLowerCase() === operation.eventId);
    expect(keys.map((r) => [r.key, r.value.eventId])).toEqual([
      [operation.eventId, operation.eventId],
    ]);
  });

  it('every answer says nosniff and no-store', async () => {
    const answers = [
      await api.submit(sampleSubmissions().cancel), // 202
      await api.submit('{'), // 400
      await api.submit({}, { token: null }), // 401
      await api.get('/health'),
      await api.get('/openapi.json'),
      await api.get('/metrics'),
      await api.get('/nowhere'), // 404
      await api.get('/v1/submissions'), // 405
    ];
    expect(answers.map((a) => a.status)).toEqual([202, 400, 401, 200, 200, 200, 404, 405]);
    for (const answer of answers) {
      expect(answer.headers['x-content-type-options']).toBe('nosniff');
      expect(answer.headers['cache-control']).toBe('no-store');
    }
  });

  it('a known route asked with another method: 405 with Allow', async () => {
    const cases: Array<[string, string, string]> = [
      ['GET', '/v1/submissions', 'POST'],
      ['PUT', '/v1/submissions', 'POST'],
      ['DELETE', '/v1/submissions/', 'POST'],
      ['POST', '/health', 'GET, HEAD'],
      ['DELETE', '/metrics', 'GET, HEAD'],
      ['PATCH', '/openapi.json', 'GET, HEAD'],
    ];
    for (const [method, path, allow] of cases) {
      const response = await request(`${api.url}${path}`, { method, headers: {} });
      expect([method, path, response.status, response.headers.allow]).toEqual([
        method,
        path,
        405,
        allow,
      ]);
      expect(response.json()).toMatchObject({ error: 'method_not_allowed' });
    }
    expect((await request(`${api.url}/v2/submissions`, { method: 'GET' })).status).toBe(404);
    await expectNothingPublishedNorLogged();
  });

  it('an unauthenticated socket streaming a huge body gets 401 and is cut at once, reading no more', async () => {
    const { hostname, port } = new URL(api.url);
    const head =
      `POST /v1/submissions HTTP/1.1\r\nHost: ${hostname}:${port}\r\n` +
      'Content-Type: application/json\r\nContent-Length: 8000000000\r\n\r\n';
    const exchange = await streamUntilClosed(api.url, head, 20_000);
    expect(exchange.received).toMatch(/^HTTP\/1\.1 401 /);
    expect(exchange.received).toMatch(/\r\nconnection: close\r\n/i);
    // Cut, not drained: before, one such socket streamed 7 GB in 15 s.
    expect(exchange.closedAfterMs).toBeLessThan(5_000);
    expect(exchange.sentBytes).toBeLessThan(64 * 1024 * 1024);
    await expect(api.get('/health')).resolves.toMatchObject({ status: 200 });
  });

  it('a body over the limit, declared or chunked, gets 413 and the connection is closed', async () => {
    const { hostname, port } = new URL(api.url);
    const token = await api.issuer.token();
    const base =
      `POST /v1/submissions HTTP/1.1\r\nHost: ${hostname}:${port}\r\n` +
      `Authorization: Bearer ${token}\r\nContent-Type: application/json\r\n`;
    const declared = await streamUntilClosed(
      api.url,
      `${base}Content-Length: 8000000000\r\n\r\n`,
      20_000,
    );
    expect(declared.received).toMatch(/^HTTP\/1\.1 413 /);
    expect(declared.received).toMatch(/\r\nconnection: close\r\n/i);
    expect(declared.closedAfterMs).toBeLessThan(5_000);
    expect(declared.sentBytes).toBeLessThan(64 * 1024 * 1024);

    // Chunked: no length declared; the raw stream is one endless chunk of 8 GB.
    const chunked = await streamUntilClosed(
      api.url,
      `${base}Transfer-Encoding: chunked\r\n\r\n1DCD65000\r\n`,
      20_000,
    );
    expect(chunked.received).toMatch(/^HTTP\/1\.1 413 /);
    expect(chunked.received).toMatch(/\r\nconnection: close\r\n/i);
    expect(chunked.closedAfterMs).toBeLessThan(5_000);
    expect(chunked.sentBytes).toBeLessThan(64 * 1024 * 1024);
    await expectNothingPublishedNorLogged();
  });

  it('a client aborting mid-body is one warning line, without a stack', async () => {
    const { hostname, port } = new URL(api.url);
    const token = await api.issuer.token();
    const socket = connect(Number(port), hostname);
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    socket.write(
      `POST /v1/submissions HTTP/1.1\r\nHost: ${hostname}:${port}\r\n` +
        `Authorization: Bearer ${token}\r\nContent-Type: application/json\r\n` +
        'Content-Length: 1000\r\n\r\n{"eventId":',
    );
    // The body has begun once the server is reading it; then the client goes away.
    await waitFor('the server to read the start of the body', () =>
      socket.bytesWritten > 0 ? true : undefined,
    );
    socket.destroy();
    const line = await waitFor('the warning', () => logger.lines.find((l) => l.level === 'warn'));
    expect(line.text).toMatch(/closed the connection after \d+ bytes of the body/);
    expect(line.text).not.toMatch(/\n/);
    expect(logger.lines).toEqual([line]);
    await expectNothingPublishedNorLogged();
  });
});
