import { NotFoundException } from '@nestjs/common';
import { IngestError, IngestErrorCode } from './ingest.error';
import { toErrorResponse } from './ingest-exception.filter';

describe('toErrorResponse', () => {
  it('answers an invalid token with 401 and a Bearer challenge', () => {
    expect(toErrorResponse(new IngestError(IngestErrorCode.InvalidToken, 'expired'), 5)).toEqual({
      status: 401,
      headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' },
      body: { error: 'invalid_token', message: 'expired' },
    });
    expect(
      toErrorResponse(new IngestError(IngestErrorCode.InsufficientRole, 'no role'), 5).headers,
    ).toEqual({ 'WWW-Authenticate': 'Bearer error="insufficient_scope"' });
  });

  it('answers unavailability with 503 and Retry-After', () => {
    const error = new IngestError(IngestErrorCode.Unavailable, 'down', { retriable: true });
    expect(toErrorResponse(error, 7)).toEqual({
      status: 503,
      headers: { 'Retry-After': '7' },
      body: { error: 'unavailable', message: 'down', retriable: true },
    });
  });

  it('puts the details of a refusal in its body', () => {
    const error = new IngestError(IngestErrorCode.PayloadTooLarge, 'too big', { limitBytes: 10 });
    expect(toErrorResponse(error, 5)).toEqual({
      status: 413,
      headers: {},
      body: { error: 'payload_too_large', message: 'too big', limitBytes: 10 },
    });
  });

  it('answers an unknown route with 404 and anything unexpected with a 500 that tells nothing', () => {
    expect(toErrorResponse(new NotFoundException('Cannot GET /x'), 5)).toEqual({
      status: 404,
      headers: {},
      body: { error: 'not_found', message: 'Cannot GET /x' },
    });
    const internal = toErrorResponse(new TypeError('secret internals at db.ts:12'), 5);
    expect(internal.status).toBe(500);
    expect(JSON.stringify(internal.body)).not.toContain('secret');
  });

  it('answers a known path asked with another method with 405 and Allow', () => {
    expect(
      toErrorResponse(new NotFoundException('Cannot GET /v1/submissions'), 5, ['POST']),
    ).toEqual({
      status: 405,
      headers: { Allow: 'POST' },
      body: {
        error: 'method_not_allowed',
        message: 'this route answers POST only',
        allow: ['POST'],
      },
    });
    expect(toErrorResponse(new NotFoundException('Cannot GET /x'), 5, undefined).status).toBe(404);
  });
});
