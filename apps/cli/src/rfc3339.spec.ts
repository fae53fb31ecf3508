import { parseRfc3339 } from './rfc3339';

describe('RFC 3339 date-times of the command line', () => {
  it('reads a date-time with Z or an offset, fractions included', () => {
    expect(parseRfc3339('2026-05-01T00:00:00Z', '--since')).toEqual({
      ok: true,
      date: new Date('2026-05-01T00:00:00.000Z'),
    });
    expect(parseRfc3339('2026-05-01T02:00:00.25+02:00', '--since')).toEqual({
      ok: true,
      date: new Date('2026-05-01T00:00:00.250Z'),
    });
    expect(parseRfc3339('2026-05-01 00:00:00z', '--since')).toEqual({
      ok: true,
      date: new Date('2026-05-01T00:00:00.000Z'),
    });
  });

  it('refuses a time without an offset, a date alone, a day that does not exist', () => {
    for (const text of [
      '2026-05-01T00:00:00',
      '2026-05-01',
      '2026-02-30T00:00:00Z',
      '2026-05-01T25:00:00Z',
      'yesterday',
      '',
    ]) {
      expect(parseRfc3339(text, '--since')).toEqual({
        ok: false,
        message: `--since: ${JSON.stringify(text)} is not an RFC 3339 date-time with an offset, e.g. 2026-05-01T00:00:00Z or 2026-05-01T02:00:00+02:00`,
      });
    }
  });
});
