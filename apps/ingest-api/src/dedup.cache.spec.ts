import { LruCache } from './dedup.cache';

describe('LruCache', () => {
  it('keeps at most its capacity, forgetting the least recently used first', () => {
    const cache = new LruCache<string, number>(2);
    cache.set('a', 1);
    cache.set('b', 2);
    expect(cache.get('a')).toBe(1); // 'a' is now more recent than 'b'
    cache.set('c', 3);

    expect(cache.size).toBe(2);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe(1);
    expect(cache.get('c')).toBe(3);
  });

  it('replaces the value of a key without growing', () => {
    const cache = new LruCache<string, string>(3);
    cache.set('k', 'old');
    cache.set('k', 'new');
    expect(cache.size).toBe(1);
    expect(cache.get('k')).toBe('new');
  });

  it('refuses a capacity below one', () => {
    expect(() => new LruCache(0)).toThrow('capacity must be a positive integer, got 0');
  });
});
