// A full disk, for real: the history lives in a Storage Bucket opened with a 512 KB quota, so
// IndexedDB itself raises QuotaExceededError once the log outgrows it, and the store must turn
// that into a HistoryQuotaError and write nothing of the failed append.
//
// Why a bucket: Chromium's origin quota is cached per bucket for up to 30 s, so lowering it with
// the DevTools protocol (Storage.overrideQuotaForOrigin) only bites on a bucket no other test file
// has touched yet, and it would squeeze every file of the origin at once. A bucket's own quota is
// checked from its first write and affects nobody else.
import { afterEach, describe, expect, it } from 'vitest';
import { openHistory } from '../../workers/history/index.ts';
import type { HistoryStore } from '../../workers/history/index.ts';
import type { ItemInput } from '../../workers/history/snapshot.ts';

const T0 = Date.UTC(2025, 0, 1);

/** The part of the Storage Buckets API (Chromium 122+) used here; not in TypeScript's DOM lib yet. */
interface StorageBucketManager {
  open(name: string, options?: { quota?: number; persisted?: boolean }): Promise<{ indexedDB: IDBFactory }>;
  delete(name: string): Promise<void>;
}
const buckets = (navigator as Navigator & { storageBuckets: StorageBucketManager }).storageBuckets;

/**
 * An item with a 60 KB vector of random values: random, because Chromium compresses large
 * values; under 64 KB, because bigger ones go to blob files, counted differently.
 */
function heavyItem(id: string): ItemInput {
  return { record: { id, categories: [], popularity: 0 }, embedding: new Float32Array(15_000).map(() => Math.random()), releaseId: 'r1' };
}

let history: HistoryStore | undefined;
let bucketName: string | undefined;
afterEach(async () => {
  await history?.close();
  if (bucketName) await buckets.delete(bucketName);
});

describe('storage quota', () => {
  it('turns IndexedDB QuotaExceededError into HistoryQuotaError and writes nothing', async () => {
    bucketName = `history-quota-${Math.floor(Math.random() * 1e9)}`;
    const bucket = await buckets.open(bucketName, { quota: 512 * 1024 });
    history = await openHistory({ name: 'ondeck', factory: bucket.indexedDB, now: () => T0 });

    let written = 0;
    let error: unknown = null;
    try {
      for (; written < 100; written++) await history.append({ type: 'click', itemId: `i${written}` }, heavyItem(`i${written}`));
    } catch (e) {
      error = e;
    }

    expect(error).toMatchObject({ name: 'HistoryQuotaError' });
    expect((error as Error).message).toMatch(/storage quota for this origin is exhausted/);
    expect((error as Error).cause).toMatchObject({ name: 'QuotaExceededError' });
    // 512 KB hold a few 60 KB appends, not many.
    expect(written).toBeGreaterThan(3);
    expect(written).toBeLessThan(10);
    // Every append before the failing one is there, with its counts; the failing one is not.
    expect(await history.count()).toBe(written);
    const ids = (await history.recent(100)).map((e) => e.itemId);
    expect(ids).toEqual(Array.from({ length: written }, (_, i) => `i${i}`));
    expect(await history.seen()).toEqual(new Set(ids));

    // forget() frees the space: the write that failed goes through on the emptied database.
    await history.forget();
    await expect(history.append({ type: 'click', itemId: `i${written}` }, heavyItem(`i${written}`))).resolves.toMatchObject({ seq: 1 });
  });

  it('keeps the history of a bucket apart from the global IndexedDB', async () => {
    bucketName = `history-bucket-${Math.floor(Math.random() * 1e9)}`;
    const bucket = await buckets.open(bucketName);
    const name = `history-apart-${crypto.randomUUID()}`;
    history = await openHistory({ name, factory: bucket.indexedDB, now: () => T0 });
    await history.append({ type: 'click', itemId: 'a' }, null);
    expect((await indexedDB.databases()).map((d) => d.name)).not.toContain(name);
    await history.forget();
    expect(await history.count()).toBe(0);
  });
});
