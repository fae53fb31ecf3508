import type { IHeaders, KafkaMessage } from 'kafkajs';
import { deadLetter, DLQ_HEADERS } from './dead-letter';

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
});
