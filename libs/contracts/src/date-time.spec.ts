import { parseDateTime } from './date-time';

const utc = (iso: string) => Date.parse(iso);

describe('parseDateTime', () => {
  it('reads local time without an offset in Europe/Paris, winter (UTC+1) and summer (UTC+2)', () => {
    expect(parseDateTime('2026-01-15T14:00')).toEqual({
      ok: true,
      epochMs: utc('2026-01-15T13:00:00Z'),
    });
    expect(parseDateTime('2026-07-14T10:30:00')).toEqual({
      ok: true,
      epochMs: utc('2026-07-14T08:30:00Z'),
    });
  });

  it('keeps an explicit offset or Z as given', () => {
    expect(parseDateTime('2026-07-14T10:30:00+02:00')).toEqual({
      ok: true,
      epochMs: utc('2026-07-14T08:30:00Z'),
    });
    expect(parseDateTime('2026-07-14T08:30:00Z')).toEqual({
      ok: true,
      epochMs: utc('2026-07-14T08:30:00Z'),
    });
  });

  it('crosses the autumn change: 02:30 happens twice on 2026-10-25 and is read as the summer-time one', () => {
    expect(parseDateTime('2026-10-25T01:30')).toEqual({
      ok: true,
      epochMs: utc('2026-10-24T23:30:00Z'),
    });
    expect(parseDateTime('2026-10-25T02:30')).toEqual({
      ok: true,
      epochMs: utc('2026-10-25T00:30:00Z'),
    });
    expect(parseDateTime('2026-10-25T03:30')).toEqual({
      ok: true,
      epochMs: utc('2026-10-25T02:30:00Z'),
    });
  });

  it('refuses the local hour skipped in spring (2026-03-29 02:00–03:00)', () => {
    const result = parseDateTime('2026-03-29T02:30');
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.reason).toContain('does not exist in Europe/Paris');
    expect(parseDateTime('2026-03-29T03:00')).toEqual({
      ok: true,
      epochMs: utc('2026-03-29T01:00:00Z'),
    });
  });

  it('takes integer epoch milliseconds and refuses the rest', () => {
    expect(parseDateTime(1_780_000_000_000)).toEqual({ ok: true, epochMs: 1_780_000_000_000 });
    expect(parseDateTime(1.5).ok).toBe(false);
    expect(parseDateTime('14/07/2026').ok).toBe(false);
    expect(parseDateTime(null).ok).toBe(false);
  });

  it('refuses offsets that do not exist: beyond ±14:00, or 60 minutes and more', () => {
    for (const bad of ['+99:99', '+15:00', '-14:01', '+05:60', '+2400']) {
      const result = parseDateTime(`2026-05-01T10:30${bad}`);
      expect(result.ok).toBe(false);
      expect(result.ok ? '' : result.reason).toContain('no valid UTC offset');
    }
    expect(parseDateTime('2026-05-01T10:30+14:00')).toEqual({
      ok: true,
      epochMs: utc('2026-04-30T20:30:00Z'),
    });
    expect(parseDateTime('2026-05-01T10:30-0530')).toEqual({
      ok: true,
      epochMs: utc('2026-05-01T16:00:00Z'),
    });
  });

  it('reads a date without a time as local midnight in Europe/Paris, not as an offset', () => {
    expect(parseDateTime('2026-05-01')).toEqual({ ok: true, epochMs: utc('2026-04-30T22:00:00Z') });
  });

  it('refuses instants a JavaScript Date cannot hold, as milliseconds or as text', () => {
    expect(parseDateTime(8.64e15)).toEqual({ ok: true, epochMs: 8.64e15 });
    expect(parseDateTime(-8.64e15)).toEqual({ ok: true, epochMs: -8.64e15 });
    for (const bad of [8.64e15 + 1, -8.7e15, 9e15]) {
      const result = parseDateTime(bad);
      expect(result.ok).toBe(false);
      expect(result.ok ? '' : result.reason).toContain('outside the dates a JavaScript Date holds');
    }
    expect(parseDateTime('+275760-09-13T00:00:00.001Z').ok).toBe(false);
    expect(parseDateTime('x'.repeat(10_000)).ok).toBe(false);
  });
});
