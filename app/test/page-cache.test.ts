import { PageCache } from '../src/http/page-cache';

const page = (value: string) => ({ value });

/** A cache on a hand-moved clock, and a render function that counts its calls. */
function setup(options: { maxEntries?: number; maxChars?: number; maxAgeMs?: number } = {}) {
  let clock = 0;
  const cache = new PageCache<{ value: string }>({ ...options, now: () => clock });
  const rendered: string[] = [];
  const render = (value: string) => async () => {
    rendered.push(value);
    return page(value);
  };
  return { cache, rendered, render, tick: (ms: number) => (clock += ms) };
}

describe('rendered page cache', () => {
  test('a page is rendered once and shown again for the same key while the token stands still', async () => {
    const { cache, rendered, render } = setup();
    expect((await cache.get('p1', 't1', render('first'))).value).toBe('first');
    expect((await cache.get('p1', 't1', render('second'))).value).toBe('first');
    expect((await cache.get('p2', 't1', render('other key'))).value).toBe('other key');
    expect(rendered).toEqual(['first', 'other key']);
    expect(cache.stats).toEqual({ hits: 1, misses: 2 });
  });

  test('a moved token renders every page afresh', async () => {
    const { cache, render } = setup();
    await cache.get('p1', 't1', render('before the write'));
    await cache.get('p2', 't1', render('another page'));
    expect((await cache.get('p1', 't2', render('after the write'))).value).toBe('after the write');
    expect(cache.size.entries).toBe(1);
    expect((await cache.get('p2', 't2', render('p2 after'))).value).toBe('p2 after');
  });

  test('an entry is shown for at most maxAgeMs, even while the token stands still', async () => {
    const { cache, render, tick } = setup({ maxAgeMs: 1000 });
    await cache.get('p1', 't1', render('old'));
    tick(999);
    expect((await cache.get('p1', 't1', render('new'))).value).toBe('old');
    tick(1);
    expect((await cache.get('p1', 't1', render('new'))).value).toBe('new');
  });

  test('maxAgeMs 0 keeps nothing', async () => {
    const { cache, rendered, render } = setup({ maxAgeMs: 0 });
    await cache.get('p1', 't1', render('a'));
    await cache.get('p1', 't1', render('b'));
    expect(rendered).toEqual(['a', 'b']);
    expect(cache.size).toEqual({ entries: 0, chars: 0 });
  });

  test('at most maxEntries are kept, the least recently used going first', async () => {
    const { cache, rendered, render } = setup({ maxEntries: 2 });
    await cache.get('a', 't', render('a'));
    await cache.get('b', 't', render('b'));
    await cache.get('a', 't', render('a again')); // a is now the most recently used
    await cache.get('c', 't', render('c')); // b goes
    expect(cache.size.entries).toBe(2);
    await cache.get('a', 't', render('a third time'));
    await cache.get('b', 't', render('b again'));
    expect(rendered).toEqual(['a', 'b', 'c', 'b again']);
  });

  test('at most maxChars are kept over all entries, whatever the number of distinct keys', async () => {
    const { cache, render } = setup({ maxChars: 1000, maxEntries: 10_000 });
    for (let i = 0; i < 500; i++) await cache.get(`key-${i}`, 't', render('x'.repeat(90)));
    expect(cache.size.chars).toBeLessThanOrEqual(1000);
    expect(cache.size.entries).toBe(10); // 90 characters of page + 6 or 7 of key each
    // A page larger than the whole budget is shown but not kept.
    expect((await cache.get('big', 't', render('y'.repeat(2000)))).value).toHaveLength(2000);
    expect(cache.size.chars).toBeLessThanOrEqual(1000);
  });

  test("an entry's encoded bytes count toward maxChars like its characters", async () => {
    const cache = new PageCache<{ value: string; bytes?: Buffer }>({ maxChars: 1000, maxEntries: 10_000, now: () => 0 });
    for (let i = 0; i < 100; i++) await cache.get(`key-${i}`, 't', async () => ({ value: 'x'.repeat(45), bytes: Buffer.alloc(45) }));
    expect(cache.size.chars).toBeLessThanOrEqual(1000);
    expect(cache.size.entries).toBe(10); // 45 + 45 + 6 or 7 each
  });

  test('concurrent requests for a page not yet kept share one rendering', async () => {
    const { cache } = setup();
    let calls = 0;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow = async () => {
      calls++;
      await gate;
      return page('rendered once');
    };
    const all = Promise.all([cache.get('p', 't', slow), cache.get('p', 't', slow), cache.get('p', 't', slow)]);
    release();
    expect((await all).map((p) => p.value)).toEqual(['rendered once', 'rendered once', 'rendered once']);
    expect(calls).toBe(1);
  });

  test('a page rendered under a token that moved meanwhile is shown to its request but not kept', async () => {
    const { cache, rendered, render } = setup();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slowOld = cache.get('p', 'old', async () => {
      await gate;
      return page('rendered under old');
    });
    expect((await cache.get('p', 'new', render('rendered under new'))).value).toBe('rendered under new');
    release();
    expect((await slowOld).value).toBe('rendered under old');
    expect((await cache.get('p', 'new', render('third'))).value).toBe('rendered under new');
    expect(rendered).toEqual(['rendered under new']);
  });

  test('a failed rendering is not kept: the next request renders again', async () => {
    const { cache, render } = setup();
    await expect(
      cache.get('p', 't', async () => {
        throw new Error('database unavailable');
      }),
    ).rejects.toThrow('database unavailable');
    expect((await cache.get('p', 't', render('after recovery'))).value).toBe('after recovery');
  });
});
