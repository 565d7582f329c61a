import type { Order } from '../src/domain/order';
import type { SortField, SortKey } from '../src/domain/order-query';
import { PositionIndex, type BucketSource, type PositionBucket, type PositionsVersion } from '../src/store/position-index';

/**
 * A bucket source over a sorted list of one-part keys, as the store's tables would hold
 * it, recording the offsets the index asks `rowAt` to walk.
 */
class ListSource implements BucketSource {
  version: PositionsVersion = { generation: 1, version: 1 };
  buckets: (PositionBucket & { version: number })[] = [];
  readonly walked: number[] = [];
  constructor(public keys: number[]) {}

  /** Buckets starting at the given keys, counted from the list (a rebuild moves the generation). */
  rebuild(starts: number[]): void {
    this.version = { generation: this.version.generation + 1, version: this.version.version + 1 };
    this.buckets = starts.map((s, i) => ({
      start: [s],
      rows: this.keys.filter((k) => k >= s && (i + 1 === starts.length || k < starts[i + 1]!)).length,
      version: this.version.version,
    }));
  }

  async positionsVersion(): Promise<PositionsVersion> {
    return this.version;
  }
  async positionBuckets(): Promise<PositionBucket[]> {
    return this.buckets;
  }
  async positionBucketsChangedSince(_field: SortField, version: number): Promise<PositionBucket[]> {
    return this.buckets.filter((b) => b.version > version);
  }
  async bucketStartOf(_field: SortField, key: SortKey): Promise<SortKey> {
    return [...this.buckets].reverse().find((b) => (b.start[0] as number) <= (key[0] as number))!.start;
  }
  async countBetween(_field: SortField, start: SortKey, before: SortKey): Promise<number> {
    return this.keys.filter((k) => k >= (start[0] as number) && k < (before[0] as number)).length;
  }
  async rowAt(_field: SortField, start: SortKey, offset: number): Promise<Order | undefined> {
    this.walked.push(offset);
    const key = this.keys.filter((k) => k >= (start[0] as number))[offset];
    return key === undefined ? undefined : ({ productQuantity: key } as Order);
  }
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

test('the row at a rank is looked up from the start of the bucket that holds it, never walked on from an earlier bucket', async () => {
  const source = new ListSource([10, 11, 12, 20, 21, 30, 31, 32, 33]);
  source.rebuild([0, 20, 30]); // buckets of 3, 2 and 4 rows
  const index = new PositionIndex(source);
  for (let rank = 0; rank < source.keys.length; rank++) {
    expect((await index.rowAt('productQuantity', rank))?.productQuantity).toBe(source.keys[rank]);
  }
  expect(await index.rowAt('productQuantity', source.keys.length)).toBeUndefined();
  // Ranks 3 and 5 are the first rows of the second and third buckets: offset 0 there.
  expect(source.walked.slice(0, 9)).toEqual([0, 1, 2, 0, 1, 0, 1, 2, 3]);
});

test('a rebuild by another process (a new generation) replaces every bucket, also those that no longer exist', async () => {
  const source = new ListSource([10, 11, 12, 20, 21, 30, 31, 32, 33]);
  source.rebuild([0, 20, 30]);
  const index = new PositionIndex(source);
  expect(await index.total('productQuantity')).toBe(9);
  // Another process bulk-loads away the high keys and rebuilds: two buckets, both with starts the index knows.
  source.keys = [10, 11, 12, 13, 20, 21];
  source.rebuild([0, 20]);
  await nextTurn();
  expect(await index.total('productQuantity')).toBe(6);
  expect(await index.rank('productQuantity', [21])).toBe(5);
  expect((await index.rowAt('productQuantity', 5))?.productQuantity).toBe(21);
});

test('bucket changes since the last version are applied without reading every bucket again', async () => {
  const source = new ListSource([10, 11, 12, 20, 21, 30]);
  source.rebuild([0, 20]);
  const index = new PositionIndex(source);
  expect(await index.rank('productQuantity', [30])).toBe(5);
  // A trigger counted an insert of 15 into the first bucket.
  source.keys = [10, 11, 12, 15, 20, 21, 30];
  source.version = { ...source.version, version: source.version.version + 1 };
  source.buckets[0] = { ...source.buckets[0]!, rows: 4, version: source.version.version };
  const reads = jest.spyOn(source, 'positionBuckets');
  await nextTurn();
  expect(await index.rank('productQuantity', [30])).toBe(6);
  expect(await index.total('productQuantity')).toBe(7);
  expect(reads).not.toHaveBeenCalled();
});
