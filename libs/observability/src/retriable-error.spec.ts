import { describeError, isRetriable } from './retriable-error';

describe('isRetriable', () => {
  it('believes an error that says so (kafkajs, the serde)', () => {
    expect(isRetriable(Object.assign(new Error('x'), { retriable: true }))).toBe(true);
    expect(
      isRetriable(Object.assign(new Error('x'), { retriable: false, code: 'ECONNREFUSED' })),
    ).toBe(false);
  });

  it("looks through kafkajs's 'retries exceeded' at the error it retried", () => {
    const refused = Object.assign(new Error('Connection error: connect ECONNREFUSED'), {
      name: 'KafkaJSConnectionError',
      retriable: true,
    });
    const exceeded = Object.assign(new Error('Connection error: connect ECONNREFUSED'), {
      name: 'KafkaJSNumberOfRetriesExceeded',
      retriable: false,
      cause: refused,
    });
    expect(isRetriable(exceeded)).toBe(true);
    const poison = { ...exceeded, cause: { ...refused, retriable: false } };
    expect(isRetriable(poison)).toBe(false);
  });

  it('retries network errors and PostgreSQL connection states, down the cause chain', () => {
    expect(isRetriable(Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }))).toBe(true);
    expect(
      isRetriable(
        new TypeError('fetch failed', {
          cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }),
        }),
      ),
    ).toBe(true);
    for (const code of ['08006', '57P01', '57P03', '53300', '40P01'])
      expect(isRetriable(Object.assign(new Error('pg'), { code }))).toBe(true);
    expect(isRetriable(new Error('Connection terminated unexpectedly'))).toBe(true);
  });

  it("retries kafkajs's null metadata while the broker restarts, not any TypeError", () => {
    // As a stage logged it in a chaos run, seconds after the broker was killed.
    const gap = new TypeError(
      "Cannot destructure property 'topicMetadata' of '(intermediate value)' as it is null.",
    );
    gap.stack = `TypeError: ${gap.message}\n    at Object.fetchTopicMetadata (/app/node_modules/kafkajs/src/admin/index.js:591:24)`;
    expect(isRetriable(gap)).toBe(true);
    const ours = new TypeError("Cannot read properties of null (reading 'topicMetadata')");
    ours.stack = `TypeError: ${ours.message}\n    at scan (/app/libs/kafka/src/scan.ts:10:3)`;
    expect(isRetriable(ours)).toBe(false);
  });

  it('does not retry what a retry cannot fix', () => {
    expect(isRetriable(Object.assign(new Error('syntax'), { code: '42601' }))).toBe(false);
    expect(isRetriable(Object.assign(new Error('dup'), { code: '23505' }))).toBe(false);
    expect(isRetriable(new TypeError('undefined is not a function'))).toBe(false);
    expect(isRetriable(undefined)).toBe(false);
  });
});

describe('describeError', () => {
  it('gives name, code, message and causes on one line, without a stack', () => {
    const error = new TypeError('fetch failed', {
      cause: Object.assign(new Error('connect ECONNREFUSED\n127.0.0.1:1'), {
        code: 'ECONNREFUSED',
      }),
    });
    expect(describeError(error)).toBe(
      'TypeError: fetch failed ← Error ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:1',
    );
  });
});
