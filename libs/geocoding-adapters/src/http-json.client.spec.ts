import { retryAfterMs } from './http-json.client';

describe('retryAfterMs', () => {
  const now = Date.parse('2026-05-01T10:00:00Z');

  it('reads delta-seconds and HTTP dates, and waits 1 s when the header is absent or unreadable', () => {
    expect(retryAfterMs('1', now)).toBe(1000);
    expect(retryAfterMs('2.5', now)).toBe(2500);
    expect(retryAfterMs('Fri, 01 May 2026 10:00:03 GMT', now)).toBe(3000);
    expect(retryAfterMs('Fri, 01 May 2026 09:59:00 GMT', now)).toBe(0);
    expect(retryAfterMs(null, now)).toBe(1000);
    expect(retryAfterMs('soon', now)).toBe(1000);
  });
});
