import type { IHeaders, KafkaMessage } from 'kafkajs';
import {
  deadLetter,
  DLQ_HEADERS,
  DLQ_MAX_MESSAGE_LENGTH,
  DLQ_MAX_VIOLATIONS,
  DLQ_MAX_VIOLATIONS_BYTES,
} from './dead-letter';

const message = (headers: IHeaders): KafkaMessage => ({
  key: Buffer.from('event-1'),
  value: Buffer.from([1, 2, 3]),
  headers,
  offset: '42',
  timestamp: '0',
  attributes: 0,
});

describe('deadLetter', () => {
  const now = new Date('2026-05-01T10:00:00Z');
  const source = { topic: 'cortege.submissions.v1', partition: 3 };

  it('keeps the original key, bytes and headers, and adds the reason', () => {
    const letter = deadLetter(
      'dlq',
      message({ source: 'pp13' }),
      source,
      {
        code: 'end_before_start',
        message: 'payload.x.endAt: must be after startAt',
        stage: 'sanitizer',
        violations: [{ path: 'payload.x.endAt', code: 'end_before_start' }],
      },
      now,
    );
    expect(letter).toEqual({
      topic: 'dlq',
      key: Buffer.from('event-1'),
      value: Buffer.from([1, 2, 3]),
      headers: {
        source: 'pp13',
        [DLQ_HEADERS.reason]: 'end_before_start',
        [DLQ_HEADERS.message]: 'payload.x.endAt: must be after startAt',
        [DLQ_HEADERS.stage]: 'sanitizer',
        [DLQ_HEADERS.firstSeen]: '2026-05-01T10:00:00.000Z',
        [DLQ_HEADERS.sourceTopic]: 'cortege.submissions.v1',
        [DLQ_HEADERS.sourcePartition]: '3',
        [DLQ_HEADERS.sourceOffset]: '42',
        [DLQ_HEADERS.violations]: '[{"path":"payload.x.endAt","code":"end_before_start"}]',
        [DLQ_HEADERS.violationsTotal]: '1',
      },
    });
  });

  it('keeps the first-seen time of a redriven record', () => {
    const letter = deadLetter(
      'dlq',
      message({ [DLQ_HEADERS.firstSeen]: '2026-04-01T00:00:00.000Z' }),
      source,
      {
        code: 'bad_magic_byte',
        message: 'magic byte is 1',
        stage: 'sanitizer',
      },
      now,
    );
    expect(letter.headers?.[DLQ_HEADERS.firstSeen]).toBe('2026-04-01T00:00:00.000Z');
    expect(letter.headers?.[DLQ_HEADERS.violations]).toBeUndefined();
  });

  it('bounds the violations and message headers, saying how many were found and that it cut', () => {
    const reason = (violations: Array<{ path: string; code: string }>, total?: number) =>
      deadLetter(
        'dlq',
        message({}),
        source,
        {
          code: 'empty_address',
          message: 'x'.repeat(10_000),
          stage: 'sanitizer',
          violations,
          ...(total === undefined ? {} : { violationsTotal: total }),
        },
        now,
      ).headers ?? {};
    const many = Array.from({ length: 250 }, (_, i) => ({
      path: `payload.x.waypointAddresses.${i}`,
      code: 'empty_address',
    }));
    const cut = reason(many);
    const listed = JSON.parse(String(cut[DLQ_HEADERS.violations])) as unknown[];
    expect(listed).toEqual(many.slice(0, DLQ_MAX_VIOLATIONS));
    expect(cut[DLQ_HEADERS.violationsTotal]).toBe('250');
    expect(cut[DLQ_HEADERS.violationsTruncated]).toBe('true');
    expect(String(cut[DLQ_HEADERS.message])).toHaveLength(DLQ_MAX_MESSAGE_LENGTH);

    // Long paths (an unknown field's name is data): cut by bytes, still valid JSON.
    const long = Array.from({ length: 50 }, (_, i) => ({
      path: `${i}${'p'.repeat(1_000)}`,
      code: 'c',
    }));
    const bytes = reason(long);
    const json = String(bytes[DLQ_HEADERS.violations]);
    expect(Buffer.byteLength(json)).toBeLessThanOrEqual(DLQ_MAX_VIOLATIONS_BYTES);
    expect((JSON.parse(json) as unknown[]).length).toBe(15); // about 1,045 bytes each
    expect(bytes[DLQ_HEADERS.violationsTruncated]).toBe('true');

    // The caller already cut the list: the total it found is the one said.
    const given = reason(many.slice(0, 3), 180);
    expect(given[DLQ_HEADERS.violationsTotal]).toBe('180');
    expect(given[DLQ_HEADERS.violationsTruncated]).toBe('true');
    expect(reason(many.slice(0, 3))[DLQ_HEADERS.violationsTruncated]).toBeUndefined();
  });
});
