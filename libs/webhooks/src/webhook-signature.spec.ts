import { createHmac } from 'node:crypto';
import { backoffDelayMs, isRetriableStatus, retryAfterMs } from './webhook-backoff';
import { signWebhook, verifySignature } from './webhook-signature';

const body = '{"eventId":"5f0c…","status":"rejected"}';
const now = Date.UTC(2026, 11, 7, 5, 0, 0);
const t = Math.floor(now / 1000);

describe('webhook signatures', () => {
  it('signs <t>.<body> with HMAC-SHA256 in the Stripe layout', () => {
    const hex = createHmac('sha256', 'whsec').update(`${t}.${body}`).digest('hex');
    expect(signWebhook('whsec', t, body)).toBe(`t=${t},v1=${hex}`);
  });

  it('verifies its own signature, and any of several secrets while one is rotated', () => {
    const header = signWebhook('new', t, body);
    expect(verifySignature({ secret: 'new', header, body, now })).toEqual({
      ok: true,
      timestamp: t,
    });
    expect(
      verifySignature({ secret: ['old', 'new'], header, body: Buffer.from(body), now }),
    ).toEqual({ ok: true, timestamp: t });
  });

  it('refuses another secret, another body, a stale or future time, and malformed headers', () => {
    const header = signWebhook('whsec', t, body);
    expect(verifySignature({ secret: 'other', header, body, now })).toEqual({
      ok: false,
      reason: 'mismatch',
    });
    expect(verifySignature({ secret: 'whsec', header, body: `${body} `, now })).toEqual({
      ok: false,
      reason: 'mismatch',
    });
    expect(verifySignature({ secret: 'whsec', header, body, now: now + 301_000 })).toEqual({
      ok: false,
      reason: 'stale',
    });
    expect(
      verifySignature({ secret: 'whsec', header, body, now: now - 61_000, toleranceSeconds: 60 }),
    ).toEqual({ ok: false, reason: 'stale' });
    for (const bad of [undefined, '', `t=${t}`, 'v1=00', `t=x,v1=${'0'.repeat(64)}`])
      expect(verifySignature({ secret: 'whsec', header: bad, body, now })).toEqual({
        ok: false,
        reason: 'malformed',
      });
  });
});

describe('webhook back-off', () => {
  const policy = { baseMs: 1_000, maxMs: 60_000 };

  it('doubles from the base up to the ceiling, jittered between half and all of it', () => {
    expect([1, 2, 3, 4].map((n) => backoffDelayMs(policy, n, () => 0.999999))).toEqual([
      1_000, 2_000, 4_000, 8_000,
    ]);
    expect(backoffDelayMs(policy, 3, () => 0)).toBe(2_000);
    expect(backoffDelayMs(policy, 30, () => 0.999999)).toBe(60_000);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect(retryAfterMs('120', now)).toBe(120_000);
    expect(retryAfterMs(new Date(now + 30_000).toUTCString(), now)).toBe(30_000);
    expect(retryAfterMs(new Date(now - 30_000).toUTCString(), now)).toBe(0);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs(null, now)).toBeUndefined();
  });

  it('retries 408, 429 and 5xx, not another 4xx', () => {
    expect([408, 429, 500, 503].map(isRetriableStatus)).toEqual([true, true, true, true]);
    expect([400, 401, 404, 410].map(isRetriableStatus)).toEqual([false, false, false, false]);
  });
});
