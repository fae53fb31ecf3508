import { waitFor } from './wait-for';

describe('waitFor', () => {
  it('returns the first answer that is not undefined', async () => {
    let calls = 0;
    const value = await waitFor('the third call', () => (++calls === 3 ? 'ready' : undefined), {
      intervalMs: 1,
    });
    expect([value, calls]).toEqual(['ready', 3]);
  });

  it('fails at its deadline, naming what it waited for, when a check never answers', async () => {
    const started = Date.now();
    await expect(
      waitFor('a request that hangs', () => new Promise<never>(() => undefined), {
        timeoutMs: 1_500,
      }),
    ).rejects.toThrow(
      'timed out after 1500 ms waiting for a request that hangs (its last check had not answered)',
    );
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('fails after its deadline when every check answers undefined', async () => {
    await expect(waitFor('nothing', () => undefined, { timeoutMs: 50 })).rejects.toThrow(
      'timed out after 50 ms waiting for nothing',
    );
  });

  it('passes a failing check’s error on', async () => {
    await expect(
      waitFor('a crash', () => Promise.reject(new Error('the app exited with 1'))),
    ).rejects.toThrow('the app exited with 1');
  });
});
