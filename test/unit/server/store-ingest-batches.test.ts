// Issue 17, ingest at scale, on both adapters: a large batch lands as that many rows with the day
// counters worked out by hand below; a batch with one row the database refuses writes nothing
// while batches committed alongside it land; retention removes whole old days of events and
// keeps the counters.
import { afterEach, describe, expect, it } from 'vitest';
import type { PseudonymousBatch, WireEvent } from '../../../src/core/sync/wire.ts';
import type { FeatureStore } from '../../../src/server/store/types.ts';
import { storePlaces, type StorePlace } from '../../support/store-places.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** 2024-05-10T00:00:00Z */
const D = Date.UTC(2024, 4, 10);
const NOW = D + 3 * DAY;

const ADAPTERS = storePlaces('batches');

/**
 * 1,000 events of install `install`: event i is on item-(i % 50), a click when i % 4 == 0 and an
 * impression otherwise, on day D for i < 600 and on day D+1 from 600 on.
 */
function bigBatch(batchId: string, install = 'inst-big'): PseudonymousBatch {
  const events: WireEvent[] = Array.from({ length: 1000 }, (_, i) => ({
    type: i % 4 === 0 ? 'click' : 'impression',
    itemId: `item-${i % 50}`,
    at: D + (i < 600 ? 0 : DAY) + i * 1000,
  }));
  return { batchId, mode: 'pseudonymous', installId: install, releaseId: 'r1', feed: 'home', events };
}

describe.each(ADAPTERS)('ingest batches: %s', (_kind, makePlace) => {
  let place: StorePlace | null = null;
  const open: FeatureStore[] = [];

  async function fresh(): Promise<FeatureStore> {
    place = await makePlace();
    const store = await place.open();
    open.push(store);
    return store;
  }

  afterEach(async () => {
    for (const s of open.splice(0)) await s.close();
    await place?.dispose();
    place = null;
  });

  it('stores a batch of 1,000 events as 1,000 rows, in order, and the day counters they add up to', async () => {
    const store = await fresh();
    const batch = bigBatch('batch-big-0001');
    expect(await store.ingest(batch, NOW)).toEqual({ stored: 1000, duplicate: false });
    // 50 items on each of the two days.
    expect(await store.stats()).toEqual({ batches: 1, duplicates: 0, events: 1000, countRows: 100 });
    const rows = await store.exportEvents({ since: 0, afterSeq: 0, limit: 5000 });
    expect(rows).toHaveLength(1000);
    expect(rows.map((r) => `${r.item}/${r.type}/${r.at}`)).toEqual(batch.events.map((e) => `${e.itemId}/${e.type}/${e.at}`));
    expect(rows.every((r, i) => i === 0 || r.seq > rows[i - 1]!.seq)).toBe(true);
    // Day D: i = 0..599, clicks at i % 4 == 0 (150), impressions 450; day D+1: i = 600..999, 100 and 300.
    expect(await store.dailyCounts({ since: D })).toEqual([
      { day: '2024-05-10', type: 'impression', count: 450 },
      { day: '2024-05-10', type: 'click', count: 150 },
      { day: '2024-05-11', type: 'impression', count: 300 },
      { day: '2024-05-11', type: 'click', count: 100 },
    ]);
    // item-0: i = 0, 50, ..., 950 (20 events); clicks where i is a multiple of 100 (10).
    const features = await store.itemFeatures({ now: NOW, halfLifeDays: 7, priorClicks: 0, priorImpressions: 0 });
    expect(features).toHaveLength(50);
    expect(features.find((f) => f.itemId === 'item-0')).toMatchObject({ impressions: 10, clicks: 10 });
    // item-1: i = 1, 51, ..., 951: never a multiple of 4 (odd), so 20 impressions.
    expect(features.find((f) => f.itemId === 'item-1')).toMatchObject({ impressions: 20, clicks: 0 });
    expect((await store.feedMetrics({ since: D })).find((m) => m.feed === 'home')).toMatchObject({ impressions: 750, clicks: 250 });
  });

  it('a batch with one row the database refuses writes nothing, while batches committed alongside land', async () => {
    const store = await fresh();
    expect(await store.ingest(bigBatch('batch-good-001', 'inst-1'), NOW)).toEqual({ stored: 1000, duplicate: false });
    const bad = bigBatch('batch-bad-0001', 'inst-2');
    // Row 700 of 1,000 (after several multi-row chunks went in): no item id, as a caller that
    // skipped the server's schema could send; both databases refuse it (item is NOT NULL).
    bad.events[700] = { ...bad.events[700]!, itemId: null as unknown as string };
    const [g2, b, g3] = await Promise.allSettled([
      store.ingest(bigBatch('batch-good-002', 'inst-3'), NOW),
      store.ingest(bad, NOW),
      store.ingest(bigBatch('batch-good-003', 'inst-4'), NOW),
    ]);
    expect(g2).toEqual({ status: 'fulfilled', value: { stored: 1000, duplicate: false } });
    expect(g3).toEqual({ status: 'fulfilled', value: { stored: 1000, duplicate: false } });
    expect(b.status).toBe('rejected');
    // Three good batches: 3,000 events; the bad one left no batch row, no event, no counter.
    expect(await store.stats()).toEqual({ batches: 3, duplicates: 0, events: 3000, countRows: 100 });
    const installs = new Set((await store.exportEvents({ since: 0, afterSeq: 0, limit: 5000 })).map((e) => e.install));
    expect([...installs].sort()).toEqual(['inst-1', 'inst-3', 'inst-4']);
    expect(await store.dailyCounts({ since: D })).toEqual([
      { day: '2024-05-10', type: 'impression', count: 3 * 450 },
      { day: '2024-05-10', type: 'click', count: 3 * 150 },
      { day: '2024-05-11', type: 'impression', count: 3 * 300 },
      { day: '2024-05-11', type: 'click', count: 3 * 100 },
    ]);
    // Its id was not claimed: the corrected batch is stored, not taken for a replay.
    expect(await store.ingest(bigBatch('batch-bad-0001', 'inst-2'), NOW)).toEqual({ stored: 1000, duplicate: false });
  });

  it('stores ids with quotes, backslashes, braces, commas, spaces and the text NULL exactly as sent', async () => {
    const store = await fresh();
    const ids = ['say "hi"', 'back\\slash\\', '{a,b}', 'NULL', 'null', ' padded ', 'é 😀', "it's", ''.padEnd(256, 'x')];
    const batch: PseudonymousBatch = { batchId: 'batch-odd-ids1', mode: 'pseudonymous', installId: 'inst "odd" \\', releaseId: null, feed: 'f,{}"', events: ids.map((itemId, i) => ({ type: 'watch', itemId, at: D + i, watchSeconds: i + 0.25, watchFraction: i === 0 ? 0 : 1 / i })) };
    expect(await store.ingest(batch, NOW)).toEqual({ stored: ids.length, duplicate: false });
    const back = await store.exportEvents({ since: 0, afterSeq: 0, limit: 100 });
    expect(back.map((e) => [e.install, e.item, e.watchSeconds, e.watchFraction])).toEqual(ids.map((id, i) => ['inst "odd" \\', id, i + 0.25, i === 0 ? 0 : 1 / i]));
    expect((await store.feedMetrics({ since: D })).map((m) => m.feed)).toContain('f,{}"');
  });

  it('refuses watch figures and counter values that are no finite number, naming the field, storing nothing', async () => {
    const store = await fresh();
    const base = bigBatch('batch-nan-0001');
    await expect(store.ingest({ ...base, events: [base.events[0]!, { ...base.events[1]!, type: 'watch', watchSeconds: Number.NaN }] }, NOW)).rejects.toMatchObject({ name: 'InvalidBatchError', field: 'events[1].watchSeconds' });
    await expect(store.ingest({ ...base, events: [{ ...base.events[0]!, type: 'watch', watchFraction: Infinity }] }, NOW)).rejects.toMatchObject({ name: 'InvalidBatchError', field: 'events[0].watchFraction' });
    const counts = { itemId: 'x', day: '2024-05-10', impressions: 1, clicks: 0, watches: 0, likes: 0, hides: 0, skips: 0, watchSeconds: 0, watchFractionSum: 0 };
    await expect(store.ingest({ batchId: 'batch-nan-0002', mode: 'aggregate', releaseId: null, feed: 'home', counts: [counts, { ...counts, clicks: -Infinity }] }, NOW)).rejects.toMatchObject({ name: 'InvalidBatchError', field: 'counts[1].clicks' });
    expect(await store.stats()).toEqual({ batches: 0, duplicates: 0, events: 0, countRows: 0 });
  });

  it('retention removes the events of whole days before the cutoff day and keeps the counters', async () => {
    const store = await fresh();
    await store.ingest(bigBatch('batch-ret-0001'), NOW);
    await store.ingest({ batchId: 'batch-ret-0002', mode: 'pseudonymous', installId: 'inst-late', releaseId: null, feed: 'home', events: [
      { type: 'impression', itemId: 'item-0', at: D + 2 * DAY + HOUR },
      { type: 'click', itemId: 'item-0', at: D + 2 * DAY + 2 * HOUR },
    ] }, NOW);
    const counts = await store.dailyCounts({ since: D });
    // Cutoff in the middle of day D+1: only day D (600 events) is before it; D+1 stays whole.
    expect(await store.dropEventsBefore({ before: D + DAY + 5 * HOUR })).toEqual({ deleted: 600 });
    let left = await store.exportEvents({ since: 0, afterSeq: 0, limit: 5000 });
    expect(left).toHaveLength(402);
    expect(Math.min(...left.map((e) => e.at))).toBe(D + DAY + 600 * 1000);
    expect(await store.dropEventsBefore({ before: D + DAY + 5 * HOUR })).toEqual({ deleted: 0 });
    // Day D+2's start as cutoff: the 400 events of day D+1 go, D+2's two stay.
    expect(await store.dropEventsBefore({ before: D + 2 * DAY })).toEqual({ deleted: 400 });
    left = await store.exportEvents({ since: 0, afterSeq: 0, limit: 5000 });
    expect(left.map((e) => `${e.install}/${e.type}`)).toEqual(['inst-late/impression', 'inst-late/click']);
    expect(await store.dailyCounts({ since: D })).toEqual(counts);
    expect(await store.stats()).toMatchObject({ events: 2, batches: 2, countRows: 101 });
    // A late event for a day already dropped is stored again (Postgres makes the day anew).
    expect(await store.ingest({ batchId: 'batch-ret-0003', mode: 'pseudonymous', installId: 'inst-late', releaseId: null, feed: 'home', events: [
      { type: 'like', itemId: 'item-9', at: D + 3 * HOUR },
    ] }, NOW)).toEqual({ stored: 1, duplicate: false });
    expect((await store.exportEvents({ since: 0, afterSeq: 0, limit: 10 })).map((e) => e.type)).toEqual(['impression', 'click', 'like']);
  });
});
