import type { Order } from '../domain/order';
import type { SortField, SortKey } from '../domain/order-query';

/**
 * One bucket of a sort field's position index (see `position-buckets.ts`): the orders whose
 * key, in the field's ascending order, is at or after `start` and before the next bucket's.
 */
export interface PositionBucket {
  readonly start: SortKey;
  readonly rows: number;
}

/** Where the position index stands: `version` moves with every bucket change, `generation` when all buckets were rebuilt. */
export interface PositionsVersion {
  readonly generation: number;
  readonly version: number;
}

/** What a store with bucket tables offers the index. */
export interface BucketSource {
  /** Moves with every write to the orders, from any process (one point read). */
  positionsVersion(): Promise<PositionsVersion>;
  /** Every bucket of a sort field, ascending by start. */
  positionBuckets(field: SortField): Promise<PositionBucket[]>;
  /** The buckets of a sort field changed after `version`. */
  positionBucketsChangedSince(field: SortField, version: number): Promise<PositionBucket[]>;
  /** The start of the bucket holding `key`: the last bucket that starts at or before it. */
  bucketStartOf(field: SortField, key: SortKey): Promise<SortKey>;
  /** How many orders have `start <= key < before` in the field's ascending order. */
  countBetween(field: SortField, start: SortKey, before: SortKey): Promise<number>;
  /** The order `offset` rows on from the first at or after `start`, ascending. */
  rowAt(field: SortField, start: SortKey, offset: number): Promise<Order | undefined>;
}

interface FieldBuckets {
  readonly starts: SortKey[];
  readonly rows: number[];
  /** `prefix[i]`: rows in the buckets before bucket `i`; `prefix[length]` is the total. */
  readonly prefix: number[];
  readonly indexOf: Map<string, number>;
}

const keyId = (key: SortKey): string => JSON.stringify(key);

/**
 * This process's copy of the database's position buckets (see `position-buckets.ts`), one
 * array per sort field, loaded on first use. Every list request reads the positions version
 * (one point read); when it moved, only the buckets changed since are read again, so a
 * request never waits for work that grows with the table. The memory is a few numbers per
 * 500 orders and per sort field, whatever the query strings.
 */
export class PositionIndex {
  private readonly fields = new Map<SortField, FieldBuckets>();
  private seen?: PositionsVersion;
  private syncing?: Promise<void>;
  private checked = false;

  constructor(private readonly store: BucketSource) {}

  /**
   * Brings every loaded field up to the database's current version (shared by concurrent
   * callers). Checked once per turn of the event loop: the calls of one request (and of
   * requests served in the same turn) share one version read. `invalidate` after a write
   * by this process makes the next call check again at once.
   */
  sync(): Promise<void> {
    if (this.checked) return Promise.resolve();
    this.syncing ??= this.doSync()
      .then(() => {
        this.checked = true;
        setImmediate(() => (this.checked = false));
      })
      .finally(() => (this.syncing = undefined));
    return this.syncing;
  }

  /**
   * Where the orders stand, as a string that changes with every insert, delete or key
   * change from any process (see `OrderStore.changeToken`). Read like `sync`: at most once
   * per turn of the event loop, and again at once after this process wrote.
   */
  async token(): Promise<string> {
    await this.sync();
    const seen = this.seen ?? (this.seen = await this.store.positionsVersion());
    return `${seen.generation}.${seen.version}`;
  }

  /** This process wrote: the next `sync` reads the version again. */
  invalidate(): void {
    this.checked = false;
  }

  /** All orders, from the buckets alone. */
  async total(field: SortField = 'orderDate'): Promise<number> {
    await this.sync();
    const f = await this.field(field);
    return f.prefix[f.prefix.length - 1]!;
  }

  /** How many orders come before `key` in the field's ascending order: a bucket lookup and a count inside one bucket. */
  async rank(field: SortField, key: SortKey): Promise<number> {
    await this.sync();
    for (let attempt = 0; ; attempt++) {
      const f = await this.field(field);
      const start = await this.store.bucketStartOf(field, key);
      const i = f.indexOf.get(keyId(start));
      if (i !== undefined) return f.prefix[i]! + (await this.store.countBetween(field, start, key));
      // Another writer split a bucket since the last sync: read the field again once.
      if (attempt > 0) throw new Error(`position bucket ${keyId(start)} of ${field} is not in the index after a reload`);
      await this.reload(field);
    }
  }

  /** The order at 0-based position `rank` of the field's ascending order, or undefined past the end. */
  async rowAt(field: SortField, rank: number): Promise<Order | undefined> {
    await this.sync();
    const f = await this.field(field);
    // The last bucket whose prefix is at or below the rank.
    let lo = 0;
    let hi = f.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (f.prefix[mid]! <= rank) lo = mid;
      else hi = mid - 1;
    }
    return this.store.rowAt(field, f.starts[lo]!, rank - f.prefix[lo]!);
  }

  private async field(field: SortField): Promise<FieldBuckets> {
    return this.fields.get(field) ?? this.reload(field);
  }

  private async reload(field: SortField): Promise<FieldBuckets> {
    const version = await this.store.positionsVersion();
    const loaded = build(await this.store.positionBuckets(field));
    this.fields.set(field, loaded);
    this.seen ??= version;
    return loaded;
  }

  private async doSync(): Promise<void> {
    const now = await this.store.positionsVersion();
    const before = this.seen;
    if (before && now.generation === before.generation && now.version === before.version) return;
    // Read the version first: changes made while the buckets are read are read again next time.
    this.seen = now;
    for (const field of [...this.fields.keys()]) {
      if (!before || now.generation !== before.generation) {
        await this.reload(field);
        continue;
      }
      const changed = await this.store.positionBucketsChangedSince(field, before.version);
      const current = this.fields.get(field)!;
      if (changed.some((b) => !current.indexOf.has(keyId(b.start)))) {
        await this.reload(field); // a split added a bucket
        continue;
      }
      for (const b of changed) current.rows[current.indexOf.get(keyId(b.start))!] = b.rows;
      prefixSums(current);
    }
  }
}

function build(buckets: readonly PositionBucket[]): FieldBuckets {
  const f: FieldBuckets = {
    starts: buckets.map((b) => b.start),
    rows: buckets.map((b) => b.rows),
    prefix: [],
    indexOf: new Map(buckets.map((b, i) => [keyId(b.start), i])),
  };
  prefixSums(f);
  return f;
}

function prefixSums(f: FieldBuckets): void {
  f.prefix.length = f.rows.length + 1;
  f.prefix[0] = 0;
  for (let i = 0; i < f.rows.length; i++) f.prefix[i + 1] = f.prefix[i]! + f.rows[i]!;
}
