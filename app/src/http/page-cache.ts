/** Limits of a `PageCache`. */
export interface PageCacheOptions {
  /** Most entries kept; the least recently used goes first. @default 256 */
  readonly maxEntries?: number;
  /**
   * Most characters kept over all entries, an entry's encoded bytes (`bytes`) counted as one
   * character each. @default 4_000_000 (at most about 8 MB)
   */
  readonly maxChars?: number;
  /**
   * Longest an entry is served, in milliseconds, even while the change token stands still:
   * the bound for changes the token does not see (another column of an order edited outside
   * the app). 0 turns the cache off. @default 1000
   */
  readonly maxAgeMs?: number;
  /** Clock, in milliseconds. @default performance.now */
  readonly now?: () => number;
  /** Told of every lookup: true when the kept value was used. @default nothing */
  readonly onLookup?: (hit: boolean) => void;
}

interface Entry<V> {
  readonly value: V;
  readonly chars: number;
  readonly at: number;
}

/**
 * Rendered pages kept while the orders stand still. Every entry belongs to the store's
 * change token it was rendered under (read before the data, so an entry is never older than
 * its token): when the token moves, every entry goes at once, so a page shown after a write
 * (from this replica or another) is always rendered afresh. Bounded in entries, characters
 * and age, whatever the query strings.
 */
export class PageCache<V extends { readonly value: string; readonly bytes?: Buffer }> {
  private readonly entries = new Map<string, Entry<V>>();
  /** Renders under way for the current token: concurrent misses of one key share one. */
  private readonly pending = new Map<string, Promise<V>>();
  private token?: string;
  private chars = 0;
  private readonly maxEntries: number;
  private readonly maxChars: number;
  private readonly maxAgeMs: number;
  private readonly now: () => number;
  private readonly onLookup: (hit: boolean) => void;
  /** Counters since start, for tests and metrics. */
  public readonly stats = { hits: 0, misses: 0 };

  constructor(options: PageCacheOptions = {}) {
    this.maxEntries = options.maxEntries ?? 256;
    this.maxChars = options.maxChars ?? 4_000_000;
    this.maxAgeMs = options.maxAgeMs ?? 1000;
    this.now = options.now ?? ((): number => performance.now());
    this.onLookup = options.onLookup ?? ((): void => undefined);
  }

  /** The value kept for `key` under `token`, or what `render` makes (kept for the next request). */
  async get(key: string, token: string, render: () => Promise<V>): Promise<V> {
    if (token !== this.token) this.clear(token);
    const now = this.now();
    const hit = this.entries.get(key);
    if (hit && now - hit.at < this.maxAgeMs) {
      // Most recently used last: Map keeps insertion order.
      this.entries.delete(key);
      this.entries.set(key, hit);
      this.stats.hits++;
      this.onLookup(true);
      return hit.value;
    }
    this.stats.misses++;
    this.onLookup(false);
    const under = this.pending.get(key);
    if (under) return under;
    const rendering = render().then((value) => {
      // The token may have moved while rendering: the value then belongs to an older token's
      // request and is not kept (the next request renders under the new one).
      if (token === this.token && this.maxAgeMs > 0)
        this.put(key, { value, chars: value.value.length + (value.bytes?.length ?? 0) + key.length, at: now });
      return value;
    });
    this.pending.set(key, rendering);
    const forget = (): void => {
      if (this.pending.get(key) === rendering) this.pending.delete(key);
    };
    rendering.then(forget, forget);
    return rendering;
  }

  /** How many entries and characters are kept. */
  get size(): { entries: number; chars: number } {
    return { entries: this.entries.size, chars: this.chars };
  }

  private put(key: string, entry: Entry<V>): void {
    if (entry.chars > this.maxChars) return;
    this.remove(key);
    this.entries.set(key, entry);
    this.chars += entry.chars;
    for (const [oldest] of this.entries) {
      if (this.entries.size <= this.maxEntries && this.chars <= this.maxChars) break;
      this.remove(oldest);
    }
  }

  private remove(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.chars -= entry.chars;
  }

  private clear(token: string): void {
    this.entries.clear();
    this.pending.clear();
    this.chars = 0;
    this.token = token;
  }
}
