import { checkDeadLetters, type DeadLetterSeen } from './chaos-checks';
import type { MalformedRecord } from './malformed-records';

const record = (
  key: string,
  kind: MalformedRecord['kind'],
  expected: MalformedRecord['expected'],
): MalformedRecord => ({
  key,
  kind,
  via: 'topic',
  expected,
  body: { form: 'bytes', build: () => null },
});
const sanitizer = (reason: string) => ({ deadLetter: { reason, stage: 'sanitizer' as const } });
const letter = (key: string, reason: string, stage = 'sanitizer'): DeadLetterSeen => ({
  key,
  reason,
  stage,
  message: '',
  eventId: key,
});

describe('checkDeadLetters', () => {
  const malformed = [
    record('a', 'no_magic_byte', sanitizer('bad_magic_byte')),
    record('b', 'no_magic_byte', sanitizer('bad_magic_byte')),
    record('c', 'geocode_not_found', {
      deadLetter: { reason: 'geocode_not_found', stage: 'locator' },
    }),
    record('d', 'over_broker_limit', { refusedBy: 'broker' }),
  ];
  const copies = new Map([
    ['a', 1],
    ['b', 2],
    ['c', 2],
  ]);
  const refused = new Map([['d', 'refused_too_large']]);

  it('passes when each copy of each malformed record has one dead letter of its reason and stage', () => {
    const check = checkDeadLetters(
      malformed,
      copies,
      [
        letter('a', 'bad_magic_byte'),
        letter('b', 'bad_magic_byte'),
        letter('b', 'bad_magic_byte'),
        letter('c', 'geocode_not_found', 'locator'),
      ],
      refused,
      new Set(['e']),
    );
    expect(check.ok).toBe(true);
    expect(check.byReason).toEqual([
      {
        reason: 'geocode_not_found',
        stage: 'locator',
        expected: 1,
        found: 1,
        missing: 0,
        extra: 0,
      },
      { reason: 'bad_magic_byte', stage: 'sanitizer', expected: 3, found: 3, missing: 0, extra: 0 },
    ]);
    expect(check.oversized).toEqual({ refused_too_large: 1 });
  });

  it('counts what is missing, another reason, a second dead letter and dead letters of valid records', () => {
    const check = checkDeadLetters(
      malformed,
      copies,
      [
        letter('a', 'bad_magic_byte'),
        letter('a', 'bad_magic_byte'),
        letter('b', 'bad_magic_byte'),
        letter('c', 'unknown_schema_id', 'locator'),
        letter('e', 'unknown_schema_id', 'locator'),
      ],
      new Map([['d', 'accepted']]),
      new Set(['e']),
    );
    expect(check.ok).toBe(false);
    expect(check.byReason).toEqual([
      {
        reason: 'geocode_not_found',
        stage: 'locator',
        expected: 1,
        found: 0,
        missing: 1,
        extra: 0,
      },
      {
        reason: 'unknown_schema_id',
        stage: 'locator',
        expected: 0,
        found: 2,
        missing: 0,
        extra: 2,
      },
      { reason: 'bad_magic_byte', stage: 'sanitizer', expected: 3, found: 3, missing: 1, extra: 1 },
    ]);
    expect(check.mismatched).toEqual({
      'locator:geocode_not_found → locator:unknown_schema_id': 1,
    });
    expect(check.notMalformed).toMatchObject({
      count: 1,
      ofAcceptedEvents: 1,
      byReason: { 'locator:unknown_schema_id': 1 },
    });
    expect(check.oversized).toEqual({ accepted: 1 });
  });

  it('names the acknowledged malformed records the topic does not hold', () => {
    const check = checkDeadLetters(
      malformed,
      new Map([
        ['a', 1],
        ['c', 1],
      ]),
      [letter('a', 'bad_magic_byte'), letter('c', 'geocode_not_found', 'locator')],
      refused,
      new Set(),
    );
    expect(check.neverProduced).toEqual({ no_magic_byte: 1 });
    expect(check.byReason.every((r) => r.missing === 0 && r.extra === 0)).toBe(true);
    expect(check.ok).toBe(false);
  });
});
