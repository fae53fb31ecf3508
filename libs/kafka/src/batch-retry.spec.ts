import { KafkaJSError } from 'kafkajs';
import { backoffDelay, retryInPlace } from './batch-retry';

describe('backoffDelay', () => {
  it('doubles from the initial delay up to the cap, within ±20 %', () => {
    const policy = { initialMs: 100, maxMs: 1_000 };
    expect([1, 2, 3, 4, 5, 9].map((a) => backoffDelay(a, policy, () => 0.5))).toEqual([
      100, 200, 400, 800, 1_000, 1_000,
    ]);
    expect(backoffDelay(1, policy, () => 0)).toBe(80);
    expect(backoffDelay(1, policy, () => 1)).toBe(120);
  });
});

describe('retryInPlace', () => {
  const running = {
    isRunning: () => true,
    isStale: () => false,
    heartbeat: () => Promise.resolve(),
  };

  it('retries a failing step until it succeeds, undoing each failed attempt', async () => {
    let calls = 0;
    let undone = 0;
    const retries: unknown[] = [];
    const result = await retryInPlace(
      running,
      { batchCompleted: () => undefined, retrying: (e) => retries.push(e) },
      () => (++calls < 3 ? Promise.reject(new Error('registry down')) : Promise.resolve(42)),
      () => undone++,
    );
    expect(result).toBe(42);
    expect(calls).toBe(3);
    expect(undone).toBe(2);
    expect(retries).toHaveLength(2);
  });

  it("rethrows Kafka's own errors for kafkajs to handle", async () => {
    await expect(
      retryInPlace(running, undefined, () => Promise.reject(new KafkaJSError('broker gone'))),
    ).rejects.toThrow('broker gone');
  });

  it('gives up, without result, once the consumer stops', async () => {
    let stopped = false;
    const result = await retryInPlace({ ...running, isRunning: () => !stopped }, undefined, () => {
      stopped = true;
      return Promise.reject(new Error('db down'));
    });
    expect(result).toBeUndefined();
  });
});
