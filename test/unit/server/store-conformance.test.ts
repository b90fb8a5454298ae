// One suite, both feature-store adapters: a behaviour is in the FeatureStore contract and passes
// on SQLite and on a real Postgres, or it is a bug. Every expected figure below is worked out by
// hand from the batches (see the comments), not read back from either adapter.
import { afterEach, describe, expect, it } from 'vitest';
import type { AggregateBatch, PseudonymousBatch } from '../../../src/core/sync/wire.ts';
import pg from 'pg';
import { SEQ_LOCK, openPostgresStore } from '../../../src/server/store/postgres/index.ts';
import type { FeatureStore, FeedEngagement, ItemFeatures } from '../../../src/server/store/types.ts';
import { createTestDatabase } from '../../support/postgres.ts';
import { storePlaces, type StorePlace } from '../../support/store-places.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** 2024-05-10T00:00:00Z */
const D = Date.UTC(2024, 4, 10);
/** 2024-05-12T12:00:00Z: the midday of the third day, so day ages are whole numbers. */
const NOW = D + 2 * DAY + 12 * HOUR;

const ADAPTERS = storePlaces('conformance');

// Feed 'home', install inst-a: item a on 2024-05-10 (2 impressions, 1 click, 1 watch of 30 s at
// fraction 0.5), item b on 2024-05-11 (1 impression, 1 watch of 60 s at 0.25, 1 like).
const P1: PseudonymousBatch = {
  batchId: 'batch-p1-000',
  mode: 'pseudonymous',
  installId: 'inst-a',
  releaseId: 'r1',
  feed: 'home',
  events: [
    { type: 'impression', itemId: 'a', at: D + 1 * HOUR },
    { type: 'impression', itemId: 'a', at: D + 2 * HOUR },
    { type: 'click', itemId: 'a', at: D + 3 * HOUR },
    { type: 'watch', itemId: 'a', at: D + 4 * HOUR, watchSeconds: 30, watchFraction: 0.5 },
    { type: 'impression', itemId: 'b', at: D + DAY + 1 * HOUR },
    { type: 'watch', itemId: 'b', at: D + DAY + 2 * HOUR, watchSeconds: 60, watchFraction: 0.25 },
    { type: 'like', itemId: 'b', at: D + DAY + 3 * HOUR },
  ],
};

// Feed 'side', no install: item a on 2024-05-12, item c on 2024-05-11.
const A1: AggregateBatch = {
  batchId: 'batch-a1-000',
  mode: 'aggregate',
  releaseId: null,
  feed: 'side',
  counts: [
    { itemId: 'a', day: '2024-05-12', impressions: 10, clicks: 2, watches: 1, likes: 0, hides: 1, skips: 0, watchSeconds: 40, watchFractionSum: 0.75 },
    { itemId: 'c', day: '2024-05-11', impressions: 4, clicks: 0, watches: 0, likes: 0, hides: 0, skips: 3, watchSeconds: 0, watchFractionSum: 0 },
  ],
};

// Feed 'home', install inst-b, 2024-05-12.
const P3: PseudonymousBatch = {
  batchId: 'batch-p3-000',
  mode: 'pseudonymous',
  installId: 'inst-b',
  releaseId: 'r1',
  feed: 'home',
  events: [
    { type: 'impression', itemId: 'c', at: D + 2 * DAY + 1 * HOUR },
    { type: 'skip', itemId: 'c', at: D + 2 * DAY + 2 * HOUR },
    { type: 'hide', itemId: 'b', at: D + 2 * DAY + 3 * HOUR },
  ],
};

const FEATURE_OPTIONS = { now: NOW, halfLifeDays: 1, priorClicks: 1, priorImpressions: 10 };

function byFeed(rows: FeedEngagement[]): Record<string, FeedEngagement> {
  return Object.fromEntries(rows.map((r) => [r.feed, r]));
}

function byItem(rows: ItemFeatures[]): Record<string, ItemFeatures> {
  return Object.fromEntries(rows.map((r) => [r.itemId, r]));
}

describe.each(ADAPTERS)('feature store conformance: %s', (kind, makePlace) => {
  let place: StorePlace | null = null;
  const open: FeatureStore[] = [];

  async function fresh(): Promise<FeatureStore> {
    place = await makePlace();
    return reopen();
  }

  async function reopen(): Promise<FeatureStore> {
    const store = await place!.open();
    open.push(store);
    return store;
  }

  afterEach(async () => {
    for (const s of open.splice(0)) await s.close();
    await place?.dispose();
    place = null;
  });

  it('reports its kind', async () => {
    expect((await fresh()).kind).toBe(kind.split(' ')[0]);
  });

  it('ingests a pseudonymous batch: every event, in order, committed before it resolves', async () => {
    const store = await fresh();
    expect(await store.ingest(P1, NOW)).toEqual({ stored: 7, duplicate: false });
    const events = await store.exportEvents({ since: 0, afterSeq: 0, limit: 100 });
    expect(events.map(({ seq: _seq, ...e }) => e)).toEqual(
      P1.events.map((e) => ({
        install: 'inst-a',
        item: e.itemId,
        type: e.type,
        at: e.at,
        ...(e.watchSeconds === undefined ? {} : { watchSeconds: e.watchSeconds }),
        ...(e.watchFraction === undefined ? {} : { watchFraction: e.watchFraction }),
      })),
    );
    const seqs = events.map((e) => e.seq);
    expect(seqs.every((s, i) => i === 0 || s > seqs[i - 1]!)).toBe(true);
    // Two (item, day, feed) counter rows: a/05-10/home and b/05-11/home.
    expect(await store.stats()).toEqual({ batches: 1, duplicates: 0, events: 7, countRows: 2 });
  });

  it('ingests an aggregate batch into day counters, with no event log', async () => {
    const store = await fresh();
    expect(await store.ingest(A1, NOW)).toEqual({ stored: 2, duplicate: false });
    expect(await store.exportEvents({ since: 0, afterSeq: 0, limit: 100 })).toEqual([]);
    expect(await store.stats()).toEqual({ batches: 1, duplicates: 0, events: 0, countRows: 2 });
    const m = byFeed(await store.feedMetrics({ since: 0 }));
    expect(m.side).toEqual({ feed: 'side', impressions: 14, clicks: 2, ctr: 2 / 14, watchSeconds: 40, watches: 1 });
  });

  it('adds up an aggregate batch that names one item-day twice, and noisy (fractional, negative) counts', async () => {
    const store = await fresh();
    const row = { itemId: 'z', day: '2024-05-11', impressions: 2.5, clicks: -1, watches: 1, likes: 0, hides: 0, skips: 0, watchSeconds: 12.5, watchFractionSum: 0.5 };
    const batch: AggregateBatch = {
      batchId: 'batch-noisy-0',
      mode: 'aggregate',
      releaseId: null,
      feed: 'f',
      noise: { mechanism: 'geometric', epsilon: 1 },
      counts: [row, { ...row, impressions: 3, clicks: 2 }],
    };
    expect(await store.ingest(batch, NOW)).toEqual({ stored: 2, duplicate: false });
    const m = byFeed(await store.feedMetrics({ since: 0 }));
    expect(m.f).toEqual({ feed: 'f', impressions: 5.5, clicks: 1, ctr: 1 / 5.5, watchSeconds: 25, watches: 2 });
    expect((await store.stats()).countRows).toBe(1);
  });

  it('stores a replayed batch id once and says duplicate', async () => {
    const store = await fresh();
    await store.ingest(P1, NOW);
    await store.ingest(A1, NOW);
    const before = await store.itemFeatures(FEATURE_OPTIONS);
    expect(await store.ingest(P1, NOW + 1000)).toEqual({ stored: 0, duplicate: true });
    expect(await store.ingest(A1, NOW + 1000)).toEqual({ stored: 0, duplicate: true });
    // Same id, different content (rows, install, mode): not a replay but a conflict (issue 14),
    // refused with nothing written.
    await expect(store.ingest({ ...P1, events: P1.events.slice(0, 1) }, NOW + 2000)).rejects.toMatchObject({ name: 'BatchConflictError' });
    await expect(store.ingest({ ...P1, installId: 'inst-other' }, NOW + 2000)).rejects.toMatchObject({ name: 'BatchConflictError' });
    await expect(store.ingest({ ...A1, batchId: P1.batchId }, NOW + 2000)).rejects.toMatchObject({ name: 'BatchConflictError' });
    // Key order does not make a different body: the hash is of canonical JSON.
    const reordered = JSON.parse(JSON.stringify({ events: P1.events, feed: P1.feed, mode: P1.mode, installId: P1.installId, releaseId: P1.releaseId, batchId: P1.batchId }));
    expect(await store.ingest(reordered, NOW + 3000)).toEqual({ stored: 0, duplicate: true });
    expect(await store.stats()).toEqual({ batches: 2, duplicates: 3, events: 7, countRows: 4 });
    expect(await store.itemFeatures(FEATURE_OPTIONS)).toEqual(before);
  });

  it('stores a batch exactly once when five requests with its id arrive at once', async () => {
    const store = await fresh();
    const results = await Promise.all(Array.from({ length: 5 }, () => store.ingest(P1, NOW)));
    expect(results.filter((r) => !r.duplicate)).toEqual([{ stored: 7, duplicate: false }]);
    expect(results.filter((r) => r.duplicate)).toEqual(Array.from({ length: 4 }, () => ({ stored: 0, duplicate: true })));
    const aggregate = await Promise.all(Array.from({ length: 5 }, () => store.ingest(A1, NOW)));
    expect(aggregate.filter((r) => !r.duplicate)).toHaveLength(1);
    expect(await store.stats()).toEqual({ batches: 2, duplicates: 8, events: 7, countRows: 4 });
    expect(byFeed(await store.feedMetrics({ since: 0 }))['*']!.impressions).toBe(17);
  });

  it('computes item features from both modes: smoothed CTR with the prior, decayed recent counts', async () => {
    const store = await fresh();
    await store.ingest(P1, NOW);
    await store.ingest(A1, NOW);
    // Ages are measured from each day's midday to NOW (05-12 12:00): 05-10 -> 2 days, weight
    // 2^-2 = 0.25; 05-11 -> 1 day, 0.5; 05-12 -> 0 days, 1 (half-life 1 day).
    const f = byItem(await store.itemFeatures(FEATURE_OPTIONS));
    expect(Object.keys(f)).toEqual(['a', 'b', 'c']);
    // a: home 05-10 (2 imp, 1 click, 1 watch 30 s @ 0.5) + side 05-12 (10 imp, 2 clicks, 1 watch, 40 s, fraction sum 0.75).
    expect(f.a!.impressions).toBe(12);
    expect(f.a!.clicks).toBe(3);
    expect(f.a!.smoothedCtr).toBeCloseTo((3 + 1) / (12 + 10), 12);
    expect(f.a!.watchSeconds).toBeCloseTo(70, 9);
    expect(f.a!.meanWatchFraction).toBeCloseTo((0.5 + 0.75) / 2, 12);
    expect(f.a!.recentImpressions).toBeCloseTo(2 * 0.25 + 10 * 1, 12);
    expect(f.a!.recentClicks).toBeCloseTo(1 * 0.25 + 2 * 1, 12);
    // b: home 05-11 (1 imp, 1 watch 60 s @ 0.25, 1 like).
    expect(f.b).toEqual({
      itemId: 'b',
      impressions: 1,
      clicks: 0,
      smoothedCtr: expect.closeTo(1 / 11, 12),
      watchSeconds: 60,
      meanWatchFraction: 0.25,
      recentImpressions: expect.closeTo(0.5, 12),
      recentClicks: 0,
    });
    // c: side 05-11 (4 imp, 3 skips), no watches.
    expect(f.c!.meanWatchFraction).toBeNull();
    expect(f.c!.smoothedCtr).toBeCloseTo(1 / 14, 12);
    expect(f.c!.recentImpressions).toBeCloseTo(4 * 0.5, 12);
    // A longer half-life (2 days) decays less: a's 05-10 impressions weigh 2^-1.
    const slow = byItem(await store.itemFeatures({ ...FEATURE_OPTIONS, halfLifeDays: 2 }));
    expect(slow.a!.recentImpressions).toBeCloseTo(2 * 0.5 + 10, 12);
  });

  it('counts impressions, clicks and watch time per feed and under "*", from a day on', async () => {
    const store = await fresh();
    await store.ingest(P1, NOW);
    await store.ingest(A1, NOW);
    const all = await store.feedMetrics({ since: 0 });
    expect(all[0]!.feed).toBe('*');
    expect(byFeed(all)).toEqual({
      '*': { feed: '*', impressions: 17, clicks: 3, ctr: 3 / 17, watchSeconds: 130, watches: 3 },
      home: { feed: 'home', impressions: 3, clicks: 1, ctr: 1 / 3, watchSeconds: 90, watches: 2 },
      side: { feed: 'side', impressions: 14, clicks: 2, ctr: 2 / 14, watchSeconds: 40, watches: 1 },
    });
    // Counters are per UTC day: `since` in the middle of 05-11 takes all of 05-11 and later.
    const later = byFeed(await store.feedMetrics({ since: D + DAY + 5 * HOUR }));
    expect(later.home).toEqual({ feed: 'home', impressions: 1, clicks: 0, ctr: 0, watchSeconds: 60, watches: 1 });
    expect(later['*']).toEqual({ feed: '*', impressions: 15, clicks: 2, ctr: 2 / 15, watchSeconds: 100, watches: 2 });
    const none = await store.feedMetrics({ since: D + 10 * DAY });
    expect(none).toEqual([{ feed: '*', impressions: 0, clicks: 0, ctr: null, watchSeconds: 0, watches: 0 }]);
  });

  it('counts events per UTC day and type, oldest first, zero counts left out', async () => {
    const store = await fresh();
    await store.ingest(P1, NOW);
    await store.ingest(A1, NOW);
    expect(await store.dailyCounts({ since: 0 })).toEqual([
      { day: '2024-05-10', type: 'impression', count: 2 },
      { day: '2024-05-10', type: 'click', count: 1 },
      { day: '2024-05-10', type: 'watch', count: 1 },
      { day: '2024-05-11', type: 'impression', count: 5 },
      { day: '2024-05-11', type: 'watch', count: 1 },
      { day: '2024-05-11', type: 'like', count: 1 },
      { day: '2024-05-11', type: 'skip', count: 3 },
      { day: '2024-05-12', type: 'impression', count: 10 },
      { day: '2024-05-12', type: 'click', count: 2 },
      { day: '2024-05-12', type: 'watch', count: 1 },
      { day: '2024-05-12', type: 'hide', count: 1 },
    ]);
    expect((await store.dailyCounts({ since: D + 2 * DAY })).map((r) => r.day)).toEqual(Array(4).fill('2024-05-12'));
  });

  it('exports pseudonymous events in pages by seq, and from a time on', async () => {
    const store = await fresh();
    await store.ingest(P1, NOW);
    await store.ingest(A1, NOW);
    await store.ingest(P3, NOW);
    const pages: Array<Array<{ install: string; item: string; type: string }>> = [];
    let afterSeq = 0;
    for (;;) {
      const page = await store.exportEvents({ since: 0, afterSeq, limit: 4 });
      if (page.length === 0) break;
      expect(page.length).toBeLessThanOrEqual(4);
      expect(page[0]!.seq).toBeGreaterThan(afterSeq);
      afterSeq = page.at(-1)!.seq;
      pages.push(page.map((e) => ({ install: e.install, item: e.item, type: e.type })));
    }
    expect(pages.map((p) => p.length)).toEqual([4, 4, 2]);
    expect(pages.flat()).toEqual([
      ...P1.events.map((e) => ({ install: 'inst-a', item: e.itemId, type: e.type })),
      ...P3.events.map((e) => ({ install: 'inst-b', item: e.itemId, type: e.type })),
    ]);
    const recent = await store.exportEvents({ since: D + DAY, afterSeq: 0, limit: 100 });
    expect(recent.map((e) => `${e.item}:${e.type}`)).toEqual(['b:impression', 'b:watch', 'b:like', 'c:impression', 'c:skip', 'b:hide']);
    // Both bounds together: after the 6th event of the log, from 05-11 on.
    const all = await store.exportEvents({ since: 0, afterSeq: 0, limit: 100 });
    const both = await store.exportEvents({ since: D + DAY, afterSeq: all[5]!.seq, limit: 2 });
    expect(both.map((e) => `${e.item}:${e.type}`)).toEqual(['b:like', 'c:impression']);
  });

  it('returns recent events newest first, with watch fractions', async () => {
    const store = await fresh();
    await store.ingest(P1, NOW);
    expect(await store.recentEvents({ since: D + DAY, limit: 10 })).toEqual([
      { item: 'b', type: 'like', at: D + DAY + 3 * HOUR },
      { item: 'b', type: 'watch', at: D + DAY + 2 * HOUR, watchFraction: 0.25 },
      { item: 'b', type: 'impression', at: D + DAY + 1 * HOUR },
    ]);
    expect(await store.recentEvents({ since: 0, limit: 2 })).toHaveLength(2);
  });

  it('deletes every event and batch record of one install, and its share of the counters', async () => {
    const store = await fresh();
    await store.ingest(P1, NOW);
    await store.ingest(A1, NOW);
    await store.ingest(P3, NOW);
    expect(await store.deleteInstall('inst-a')).toEqual({ deleted: 7 });
    expect((await store.exportEvents({ since: 0, afterSeq: 0, limit: 100 })).map((e) => e.install)).toEqual(['inst-b', 'inst-b', 'inst-b']);
    // Left: A1's two rows (a/05-12/side, c/05-11/side) and P3's two (c/05-12/home, b/05-12/home).
    expect(await store.stats()).toEqual({ batches: 2, duplicates: 0, events: 3, countRows: 4 });
    const m = byFeed(await store.feedMetrics({ since: 0 }));
    expect(m.home).toEqual({ feed: 'home', impressions: 1, clicks: 0, ctr: 0, watchSeconds: 0, watches: 0 });
    const f = byItem(await store.itemFeatures(FEATURE_OPTIONS));
    expect(f.a!.impressions).toBe(10);
    expect(f.b!.impressions).toBe(0);
    expect(f.b!.meanWatchFraction).toBeNull();
    expect(await store.deleteInstall('inst-a')).toEqual({ deleted: 0 });
    expect(await store.deleteInstall('nobody')).toEqual({ deleted: 0 });
    // The batch record went too, but the install keeps a tombstone (issue 14): the same batch
    // sent again, or a new one of that install, is refused and nothing comes back.
    await expect(store.ingest(P1, NOW)).rejects.toMatchObject({ name: 'InstallDeletedError' });
    await expect(store.ingest({ ...P1, batchId: 'batch-p1-new' }, NOW)).rejects.toMatchObject({ name: 'InstallDeletedError' });
    expect(await store.stats()).toEqual({ batches: 2, duplicates: 0, events: 3, countRows: 4 });
    // Other installs are unaffected.
    expect(await store.ingest({ ...P1, batchId: 'batch-p1-oth', installId: 'inst-c' }, NOW)).toEqual({ stored: 7, duplicate: false });
  });

  it('migrates twice harmlessly and keeps everything across close and reopen', async () => {
    const store = await fresh();
    await store.ingest(P1, NOW);
    await store.ingest(A1, NOW);
    await store.migrate();
    await store.migrate();
    const stats = await store.stats();
    const features = await store.itemFeatures(FEATURE_OPTIONS);
    const events = await store.exportEvents({ since: 0, afterSeq: 0, limit: 100 });
    await store.close();
    await store.close(); // closing twice is harmless too

    const again = await reopen();
    await again.migrate();
    const { duplicates: _d, ...kept } = await again.stats();
    const { duplicates: _d2, ...before } = stats;
    expect(kept).toEqual(before);
    expect(await again.itemFeatures(FEATURE_OPTIONS)).toEqual(features);
    expect(await again.exportEvents({ since: 0, afterSeq: 0, limit: 100 })).toEqual(events);
    // Idempotency survives the restart, and seq keeps increasing after it.
    expect(await again.ingest(P1, NOW)).toEqual({ stored: 0, duplicate: true });
    expect(await again.ingest(P3, NOW)).toEqual({ stored: 3, duplicate: false });
    const after = await again.exportEvents({ since: 0, afterSeq: events.at(-1)!.seq, limit: 100 });
    expect(after.map((e) => e.install)).toEqual(['inst-b', 'inst-b', 'inst-b']);
  });

  // Issue 14: what one adapter would store and the other answer 500 to is refused by both alike.
  it('refuses NUL characters, unpaired surrogates and impossible days, naming the field, storing nothing', async () => {
    const store = await fresh();
    const cases: Array<[string, PseudonymousBatch | AggregateBatch]> = [
      ['events[1].itemId', { ...P1, batchId: 'batch-nul-01', events: [P1.events[0]!, { ...P1.events[1]!, itemId: 'a\u0000b' }] }],
      ['installId', { ...P1, batchId: 'batch-sur-01', installId: 'inst-\ud800' }],
      ['feed', { ...P1, batchId: 'batch-sur-02', feed: 'home\udfff' }],
      ['counts[1].day', { ...A1, batchId: 'batch-day-01', counts: [A1.counts[0]!, { ...A1.counts[1]!, day: '2023-02-31' }] }],
      ['counts[0].day', { ...A1, batchId: 'batch-day-02', counts: [{ ...A1.counts[0]!, day: '2023-13-01' }] }],
      ['counts[0].itemId', { ...A1, batchId: 'batch-nul-02', counts: [{ ...A1.counts[0]!, itemId: '\u0000' }] }],
    ];
    for (const [field, batch] of cases) {
      await expect(store.ingest(batch, NOW), field).rejects.toMatchObject({ name: 'InvalidBatchError', field });
    }
    expect(await store.stats()).toEqual({ batches: 0, duplicates: 0, events: 0, countRows: 0 });
    // Paired surrogates (an emoji) and leap days are fine.
    expect(await store.ingest({ ...P1, batchId: 'batch-emoji-1', events: [{ ...P1.events[0]!, itemId: 'clip-\u{1F600}' }] }, NOW)).toEqual({ stored: 1, duplicate: false });
    expect(await store.ingest({ ...A1, batchId: 'batch-leap-01', counts: [{ ...A1.counts[0]!, day: '2024-02-29' }] }, NOW)).toEqual({ stored: 1, duplicate: false });
    expect((await store.exportEvents({ since: 0, afterSeq: 0, limit: 10 }))[0]!.item).toBe('clip-\u{1F600}');
  });

  it('bounds the metrics window at both ends and keeps rates within [0, 1] whatever the counters hold', async () => {
    const store = await fresh();
    await store.ingest(A1, NOW);
    // Rows a poisoned device could have left: far-future days and absurd, negative sums.
    await store.ingest({ ...A1, batchId: 'batch-junk-01', counts: [
      { ...A1.counts[0]!, itemId: 'x', day: '2099-01-01', impressions: 1e6, clicks: 1e6 },
      { ...A1.counts[0]!, itemId: 'y', day: '2024-05-12', impressions: -9, clicks: 6, watches: 1, watchFractionSum: 7 },
    ] }, NOW);
    const until = NOW + DAY;
    const m = byFeed(await store.feedMetrics({ since: D, until }));
    // a (10 impressions, 2 clicks) + c (4, 0) + y (-9, 6): the 2099 row is out; 8 / 5 reads as 1.
    expect(m.side).toMatchObject({ impressions: 5, clicks: 8, ctr: 1 });
    expect((await store.dailyCounts({ since: D, until })).map((r) => r.day)).not.toContain('2099-01-01');
    expect((await store.dailyCounts({ since: D })).map((r) => r.day)).toContain('2099-01-01');
    const f = byItem(await store.itemFeatures(FEATURE_OPTIONS));
    // Dated after tomorrow: not an item's feature. y's negative impressions: CTR held to [0, 1].
    expect(f.x).toBeUndefined();
    expect(f.y!.smoothedCtr).toBe(1);
    expect(f.y!.meanWatchFraction).toBe(1);
  });

  it('forgets old batch ids in bounded steps and writes a health probe', async () => {
    const store = await fresh();
    await store.ingest(P1, NOW - 10 * DAY);
    await store.ingest(A1, NOW - 9 * DAY);
    await store.ingest(P3, NOW);
    expect(await store.expireBatches({ before: NOW - DAY, limit: 1 })).toEqual({ deleted: 1 });
    expect(await store.expireBatches({ before: NOW - DAY, limit: 10 })).toEqual({ deleted: 1 });
    expect(await store.expireBatches({ before: NOW - DAY, limit: 10 })).toEqual({ deleted: 0 });
    // The events stay; only the replay record went.
    expect(await store.stats()).toEqual({ batches: 1, duplicates: 0, events: 10, countRows: 6 });
    expect(await store.ingest(P3, NOW)).toEqual({ stored: 0, duplicate: true });
    await store.probeWrite(NOW);
    await store.probeWrite(NOW + 1);
    await store.close();
    await expect(store.probeWrite(NOW + 2)).rejects.toMatchObject({ name: 'StoreClosedError' });
  });
});

// What only the Postgres adapter has: several servers on one database, and a network to fail.
describe('postgres adapter across processes', () => {
  it('two stores opened at once on one database (two servers starting) migrate once and store a batch once', async () => {
    const db = await createTestDatabase('two_servers');
    try {
      const [s1, s2] = await Promise.all([openPostgresStore(db.url), openPostgresStore(db.url)]);
      try {
        const results = await Promise.all([s1, s2, s1, s2, s1, s2].map((s) => s.ingest(P1, NOW)));
        expect(results.filter((r) => !r.duplicate)).toEqual([{ stored: 7, duplicate: false }]);
        expect((await s2.stats()).events).toBe(7);
      } finally {
        await s1.close();
        await s2.close();
      }
    } finally {
      await db.drop();
    }
  });

  it('an export page never passes a seq whose batch is still being committed by another connection', async () => {
    const db = await createTestDatabase('export_order');
    const store = await openPostgresStore(db.url);
    // A slow ingest on its own connection: it holds the ingest lock and seq 1, uncommitted.
    const slow = new pg.Client({ connectionString: db.url });
    await slow.connect();
    try {
      // As an ingest does, it first makes its day's partition of the event log (issue 17).
      await slow.query('SELECT ondeck_ensure_event_days($1::bigint[])', [[Math.floor(D / DAY)]]);
      await slow.query('BEGIN');
      await slow.query(`SELECT pg_advisory_xact_lock_shared(${SEQ_LOCK})`);
      await slow.query(`INSERT INTO events (batch_id, install_id, feed, item_id, type, at) VALUES ('slow-batch', 'inst-s', 'home', 's', 'click', $1)`, [D]);
      // Meanwhile a later batch commits seqs 2..4.
      await store.ingest(P3, NOW);
      const page = store.exportEvents({ since: 0, afterSeq: 0, limit: 100 });
      await new Promise((r) => setTimeout(r, 100));
      await slow.query('COMMIT');
      // The page waited for seq 1: returning 2..4 alone would make the next page (seq > 4) lose it.
      expect((await page).map((e) => `${e.seq}:${e.item}`)).toEqual(['1:s', '2:c', '3:c', '4:b']);
    } finally {
      await slow.end();
      await store.close();
      await db.drop();
    }
  });

  it('fails to open with PostgresUnavailableError, password redacted, when the server is not there', async () => {
    const err = await openPostgresStore('postgres://ondeck:s3cret@127.0.0.1:1/none').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).name).toBe('PostgresUnavailableError');
    expect((err as Error).message).toContain('127.0.0.1:1');
    expect((err as Error).message).not.toContain('s3cret');
  });

  it('the test helper fails (does not skip) with advice when Postgres is unreachable', async () => {
    const saved = process.env.ONDECK_TEST_POSTGRES_URL;
    process.env.ONDECK_TEST_POSTGRES_URL = 'postgres://ondeck:ondeck@127.0.0.1:1/ondeck_test';
    try {
      await expect(createTestDatabase('unreachable')).rejects.toThrow(/run \.ci\/postgres-up/);
    } finally {
      if (saved === undefined) delete process.env.ONDECK_TEST_POSTGRES_URL;
      else process.env.ONDECK_TEST_POSTGRES_URL = saved;
    }
  });
});
