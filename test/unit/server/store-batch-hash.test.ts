// The body hash both stores keep per batch id (replay vs conflict, issue 14) is computed by a
// faster path since issue 17; it must digest exactly the text the generic canonical JSON gives,
// or every batch stored before the change would read as a conflict when its device retries.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { EventBatch } from '../../../src/core/sync/wire.ts';
import { batchHash, hashedText } from '../../../src/server/store/batch-identity.ts';

const PSEUDONYMOUS = {
  batchId: 'batch-hash-001',
  mode: 'pseudonymous',
  installId: 'inst-"q"\\',
  releaseId: null,
  feed: 'home',
  events: [
    { type: 'impression', itemId: 'a', at: 1715299200000 },
    { at: 1715299200001.5, itemId: 'b\u2028\u0001é😀', type: 'watch', watchSeconds: 30, watchFraction: 0.5 },
    { type: 'click', itemId: 'c', at: 1715299200002, watchSeconds: undefined },
  ],
};
const AGGREGATE = {
  counts: [{ itemId: 'x', day: '2024-05-10', impressions: 1.5, clicks: -2, watches: 0, likes: 0, hides: 0, skips: 0, watchSeconds: 0, watchFractionSum: 0 }],
  feed: 'side',
  releaseId: 'r1',
  mode: 'aggregate',
  batchId: 'batch-hash-002',
};

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

describe('batch body hash', () => {
  it('keeps the digests of batches hashed before the fast path (values from the previous implementation)', () => {
    expect(batchHash(PSEUDONYMOUS as unknown as EventBatch)).toBe('719731a977b0e353dc60e110208248265ca82e2f52102fc62da4b38a024c810c');
    expect(batchHash(AGGREGATE as unknown as EventBatch)).toBe('3e0e07e83085c1fda265195e53257161deeecb306ac80c8e4f9951df19d9ba06');
  });

  it('digests the generic canonical text for every shape, odd ones included', () => {
    const shapes: unknown[] = [
      PSEUDONYMOUS,
      AGGREGATE,
      // Key order of the device's serialiser does not matter.
      { ...PSEUDONYMOUS, events: PSEUDONYMOUS.events.map((e) => Object.fromEntries(Object.entries(e).reverse())) },
      // Not finite numbers, booleans, nested values and arrays in a row take the generic path.
      { ...PSEUDONYMOUS, events: [{ type: 'watch', itemId: 'n', at: Number.NaN, watchSeconds: Infinity, extra: true }, { type: 'x', itemId: 'y', at: 1, meta: { b: 1, a: [2, { d: null, c: 'z' }] } }, [1, 'two'], null, 'row'] },
      // Wire events only (the native path), with edge values: -0, NaN, 1e21, an explicit undefined, escapes.
      { ...PSEUDONYMOUS, events: [{ type: 'watch', itemId: 'q"\\\u2028é\u0001', at: -0, watchFraction: Number.NaN, watchSeconds: undefined }, { at: 1e21, itemId: '', type: 'click', watchSeconds: 0.1 + 0.2 }] },
      { ...AGGREGATE, counts: [] },
      { batchId: 'no-rows-0001', mode: 'pseudonymous', feed: 'f' },
      { ...PSEUDONYMOUS, events: 'not an array' },
    ];
    for (const shape of shapes) {
      expect(hashedText.batch(shape as EventBatch)).toBe(hashedText.generic(shape));
      expect(batchHash(shape as EventBatch)).toBe(sha(hashedText.generic(shape)));
    }
  });

  it('tells batches apart that differ in one row value', () => {
    const other = { ...PSEUDONYMOUS, events: [...PSEUDONYMOUS.events.slice(0, 2), { ...PSEUDONYMOUS.events[2]!, at: 1715299200003 }] };
    expect(batchHash(other as unknown as EventBatch)).not.toBe(batchHash(PSEUDONYMOUS as unknown as EventBatch));
  });
});
