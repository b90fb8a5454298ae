import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../../src/server/store/sqlite/index.ts';
import { MIGRATIONS as SQLITE_MIGRATIONS } from '../../../src/server/store/sqlite/migrations.ts';
import { DAY, T0, aggregate, events, pseudonymous, tempDir } from '../../support/server-app.ts';

const tmp = tempDir('ondeck-sqlite-');
afterAll(() => tmp.remove());
let n = 0;
const file = () => join(tmp.dir, `s${++n}.sqlite`);

describe('sqlite feature store', () => {
  it('stores a batch once: a replay is acknowledged as duplicate and writes nothing', async () => {
    const store = await openSqliteStore(file());
    const b = pseudonymous('batch-aaaa-1', events(10));
    expect(await store.ingest(b, T0)).toEqual({ stored: 10, duplicate: false });
    expect(await store.ingest(b, T0 + 1)).toEqual({ stored: 0, duplicate: true });
    expect(await store.stats()).toEqual({ batches: 1, events: 10, countRows: 7, duplicates: 1 });
    await store.close();
  });

  it('stores concurrent replays of one batch exactly once', async () => {
    const store = await openSqliteStore(file());
    const b = pseudonymous('batch-conc-1', events(20));
    const results = await Promise.all(Array.from({ length: 12 }, () => store.ingest(b, T0)));
    expect(results.filter((r) => !r.duplicate)).toEqual([{ stored: 20, duplicate: false }]);
    expect(results.filter((r) => r.duplicate)).toHaveLength(11);
    expect((await store.stats()).events).toBe(20);
    await store.close();
  });

  it('keeps acknowledged batches across close and reopen', async () => {
    const path = file();
    const store = await openSqliteStore(path);
    await Promise.all([store.ingest(pseudonymous('batch-dur-01', events(5)), T0), store.ingest(aggregate('batch-dur-02', [{ itemId: 'x', day: '2026-11-20', impressions: 4 }]), T0)]);
    await store.close();
    const again = await openSqliteStore(path);
    expect(await again.stats()).toMatchObject({ batches: 2, events: 5 });
    expect(await again.ingest(pseudonymous('batch-dur-01', events(5)), T0)).toEqual({ stored: 0, duplicate: true });
    const x = (await again.itemFeatures({ now: T0, halfLifeDays: 7, priorClicks: 1, priorImpressions: 20 })).find((f) => f.itemId === 'x');
    expect(x?.impressions).toBe(4);
    await again.close();
  });

  it('applies migrations once and records them', async () => {
    const path = file();
    await (await openSqliteStore(path)).close();
    const store = await openSqliteStore(path);
    await store.migrate();
    await store.close();
    const db = new Database(path, { readonly: true });
    const versions = db.prepare('SELECT version FROM schema_version ORDER BY version').pluck().all();
    db.close();
    expect(versions).toEqual(SQLITE_MIGRATIONS.map((m) => m.version));
  });

  it('upgrades a version-2 file to the minute index, keeping its events, and reads by time through it', async () => {
    const path = file();
    // A file as version 2 left it: events indexed by at.
    const old = new Database(path);
    old.exec('CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)');
    for (const m of SQLITE_MIGRATIONS.filter((x) => x.version <= 2)) {
      old.exec(m.sql);
      old.prepare('INSERT INTO schema_version (version, applied_at) VALUES (?, ?)').run(m.version, 0);
    }
    const insert = old.prepare("INSERT INTO events (install, item, type, at, feed, batch_id) VALUES ('i', ?, 'impression', ?, 'home', 'batch-old-01')");
    // Times in ms around minute and day boundaries, one fractional (a device may send one).
    const ats: Array<[string, number]> = [['m0', T0 - 60_000], ['m1', T0 - 1], ['m2', T0], ['m3', T0 + 0.5], ['m4', T0 + 59_999], ['m5', T0 + 60_000], ['d1', T0 - DAY]];
    for (const [item, at] of ats) insert.run(item, at);
    old.close();

    const store = await openSqliteStore(path);
    // Newest first, across minutes and inside one (m3 at T0 + 0.5 is after m2 at T0).
    expect((await store.recentEvents({ since: T0 - 1, limit: 10 })).map((e) => e.item)).toEqual(['m5', 'm4', 'm3', 'm2', 'm1']);
    expect((await store.recentEvents({ since: T0 - 60_000, limit: 3 })).map((e) => e.item)).toEqual(['m5', 'm4', 'm3']);
    // Retention keeps the day of `before`: only d1 (the day before) goes.
    expect(await store.dropEventsBefore({ before: T0 })).toEqual({ deleted: 1 });
    expect((await store.exportEvents({ since: 0, afterSeq: 0, limit: 10 })).map((e) => e.item)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'm5']);
    await store.close();

    const db = new Database(path, { readonly: true });
    expect(db.prepare('SELECT version FROM schema_version ORDER BY version').pluck().all()).toEqual(SQLITE_MIGRATIONS.map((m) => m.version));
    expect(db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events' ORDER BY name").pluck().all()).toEqual(['events_install', 'events_minute']);
    const plan = (sql: string) => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as Array<{ detail: string }>).map((r) => r.detail).join('; ');
    expect(plan('SELECT item FROM events WHERE CAST(at / 60000 AS INTEGER) >= 1 AND at >= 1 ORDER BY CAST(at / 60000 AS INTEGER) DESC, at DESC LIMIT 5')).toMatch(/USING INDEX events_minute/);
    db.close();
  });

  it('computes item features from aggregate counts and pseudonymous events together', async () => {
    const store = await openSqliteStore(file());
    // Item "a": aggregate 10 impressions / 2 clicks two days before now's day, 1 watch of 0.5.
    await store.ingest(aggregate('batch-feat-1', [{ itemId: 'a', day: '2026-11-18', impressions: 10, clicks: 2, watches: 1, watchSeconds: 40, watchFractionSum: 0.5 }]), T0);
    // Plus, today, 2 impressions, 1 click and a watch of 20 s at fraction 0.25 as events.
    await store.ingest(
      pseudonymous('batch-feat-2', [
        { type: 'impression', itemId: 'a', at: T0 },
        { type: 'impression', itemId: 'a', at: T0 + 1 },
        { type: 'click', itemId: 'a', at: T0 + 2 },
        { type: 'watch', itemId: 'a', at: T0 + 3, watchSeconds: 20, watchFraction: 0.25 },
        { type: 'impression', itemId: 'b', at: T0 },
      ]),
      T0,
    );
    const [a, b] = await store.itemFeatures({ now: T0, halfLifeDays: 2, priorClicks: 1, priorImpressions: 20 });
    // Today's midpoint is T0 itself (age 0); 2026-11-18 is 2 days old = one half-life.
    expect(a).toEqual({
      itemId: 'a',
      impressions: 12,
      clicks: 3,
      smoothedCtr: (3 + 1) / (12 + 20),
      watchSeconds: 60,
      meanWatchFraction: (0.5 + 0.25) / 2,
      recentImpressions: 10 * 0.5 + 2,
      recentClicks: 2 * 0.5 + 1,
    });
    expect(b).toMatchObject({ itemId: 'b', impressions: 1, clicks: 0, smoothedCtr: 1 / 21, meanWatchFraction: null });
    await store.close();
  });

  it('deletes an install: its events, its batches and its share of the counters', async () => {
    const store = await openSqliteStore(file());
    await store.ingest(pseudonymous('batch-del-01', events(10), { installId: 'gone' }), T0);
    await store.ingest(pseudonymous('batch-del-02', events(5), { installId: 'kept' }), T0);
    const before = await store.feedMetrics({ since: T0 - DAY });
    expect(before[0]).toMatchObject({ feed: '*', impressions: 3 });
    expect(await store.deleteInstall('gone')).toEqual({ deleted: 10 });
    expect(await store.stats()).toMatchObject({ batches: 1, events: 5 });
    const exported = await store.exportEvents({ since: 0, afterSeq: 0, limit: 100 });
    expect(new Set(exported.map((e) => e.install))).toEqual(new Set(['kept']));
    // Only the kept install's 5 events remain counted: 1 of each of the five types.
    const after = await store.feedMetrics({ since: T0 - DAY });
    expect(after[0]).toEqual({ feed: '*', impressions: 1, clicks: 1, ctr: 1, watches: 1, watchSeconds: 30 });
    expect(await store.deleteInstall('gone')).toEqual({ deleted: 0 });
    await store.close();
  });

  it('pages the export by seq and filters by time', async () => {
    const store = await openSqliteStore(file());
    await store.ingest(pseudonymous('batch-exp-01', events(30)), T0);
    const first = await store.exportEvents({ since: 0, afterSeq: 0, limit: 12 });
    const second = await store.exportEvents({ since: 0, afterSeq: first.at(-1)!.seq, limit: 100 });
    expect(first).toHaveLength(12);
    expect(second).toHaveLength(18);
    expect([...first, ...second].map((e) => e.at)).toEqual(events(30).map((e) => e.at));
    expect(await store.exportEvents({ since: T0 + 20_000, afterSeq: 0, limit: 100 })).toHaveLength(10);
    await store.close();
  });

  it('reports daily counts per type and feed metrics per feed', async () => {
    const store = await openSqliteStore(file());
    await store.ingest(aggregate('batch-day-01', [{ itemId: 'a', day: '2026-11-19', impressions: 8, clicks: 2 }], { feed: 'f1' }), T0);
    await store.ingest(pseudonymous('batch-day-02', [{ type: 'impression', itemId: 'a', at: T0 }, { type: 'hide', itemId: 'a', at: T0 }], { feed: 'f2' }), T0);
    expect(await store.dailyCounts({ since: T0 - 5 * DAY })).toEqual([
      { day: '2026-11-19', type: 'impression', count: 8 },
      { day: '2026-11-19', type: 'click', count: 2 },
      { day: '2026-11-20', type: 'impression', count: 1 },
      { day: '2026-11-20', type: 'hide', count: 1 },
    ]);
    expect(await store.feedMetrics({ since: T0 - 5 * DAY })).toEqual([
      { feed: '*', impressions: 9, clicks: 2, ctr: 2 / 9, watches: 0, watchSeconds: 0 },
      { feed: 'f1', impressions: 8, clicks: 2, ctr: 0.25, watches: 0, watchSeconds: 0 },
      { feed: 'f2', impressions: 1, clicks: 0, ctr: 0, watches: 0, watchSeconds: 0 },
    ]);
    expect(await store.feedMetrics({ since: T0 })).toEqual([
      { feed: '*', impressions: 1, clicks: 0, ctr: 0, watches: 0, watchSeconds: 0 },
      { feed: 'f2', impressions: 1, clicks: 0, ctr: 0, watches: 0, watchSeconds: 0 },
    ]);
    await store.close();
  });

  it('returns recent events newest first, with watch fractions', async () => {
    const store = await openSqliteStore(file());
    await store.ingest(pseudonymous('batch-rec-01', events(6)), T0);
    const recent = await store.recentEvents({ since: T0 + 1000, limit: 3 });
    expect(recent.map((e) => e.at)).toEqual([T0 + 5000, T0 + 4000, T0 + 3000]);
    const all = await store.recentEvents({ since: 0, limit: 10 });
    expect(all).toHaveLength(6);
    expect(all.find((e) => e.type === 'watch')).toEqual({ item: 'item-2', type: 'watch', at: T0 + 2000, watchFraction: 0.25 });
    expect(all.at(-1)).toEqual({ item: 'item-0', type: 'impression', at: T0 });
    await store.close();
  });
});
