// Sync through the real feed worker (createFeed -> worker -> IndexedDB -> sync queue -> the real
// server of the global setup): events tracked in the page reach the server exactly once, also
// from two tabs (two workers on one database) syncing at once, and after a spell offline.
import { describe, expect, inject, it } from 'vitest';
import { createFeed } from '../../src/client/index.ts';
import type { Feed } from '../../src/client/index.ts';
import type { FeedOptions, SyncOptions } from '../../src/core/feed/index.ts';

const release = inject('fixtureRelease');
const releaseKey = inject('releaseKey');
const server = inject('syncServer');
const T0 = Date.now() - 3_600_000;

const database = () => `ondeck-sync-feed-${crypto.randomUUID()}`;

function syncOptions(over: Partial<SyncOptions> = {}): SyncOptions {
  return { server: server.url, appKey: server.appKey, mode: 'pseudonymous', feed: 'browser-feed', ...over };
}

// Ranked on the plain-JS runtime: what is tested is the sync queue, which no assertion here ties to
// a ranking runtime (golden-parity, feed-parity and feed.test.ts cover those). Each feed is a
// worker of its own, and on WebGPU every one compiled onnxruntime's 28 MB of WebAssembly and its
// shaders again (4 to 7 s a feed at load 9), which took a test of two feeds past 60 s beside another
// heavy job.
async function open(options: Partial<FeedOptions> & { database: string }): Promise<Feed> {
  return createFeed({ release, releaseKey, backend: 'js', rankingProviders: ['js'], ...options });
}

async function exported(): Promise<{ install: string; item: string; type: string; at: number }[]> {
  const res = await fetch(`${server.url}/v1/export/events?after=0&limit=100000`, { headers: { Authorization: `Key ${server.secret}` } });
  expect(res.status).toBe(200);
  return (await res.text())
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as { install: string; item: string; type: string; at: number });
}

async function held(tag: string): Promise<string[]> {
  return (await exported())
    .filter((e) => e.item.startsWith(`${tag}-`))
    .map((e) => `${e.item}|${e.type}|${e.at}`)
    .sort();
}

async function track(feed: Feed, tag: string, from: number, to: number): Promise<string[]> {
  const keys: string[] = [];
  for (let i = from; i < to; i++) {
    const type = (['impression', 'click', 'like'] as const)[i % 3]!;
    await feed.track({ type, itemId: `${tag}-${i}`, at: T0 + i });
    keys.push(`${tag}-${i}|${type}|${T0 + i}`);
  }
  return keys;
}

describe('sync through the feed worker', () => {
  it('sends tracked events once, reports the sync status, and restarts after forget()', async () => {
    const db = database();
    const feed = await open({ database: db, sync: syncOptions() });
    const tag = `feed-${crypto.randomUUID()}`;
    try {
      const before = await feed.status();
      expect(before.sync).toMatchObject({ mode: 'pseudonymous', pending: 0, rejected: 0, evicted: 0 });
      const keys = await track(feed, tag, 0, 40);
      // Items of the catalog too: their events carry the release's snapshot, the wire only the id.
      const items = await feed.next({ count: 3 });
      for (const x of items) await feed.track({ type: 'click', itemId: x.id, at: T0 + 100 });
      const flushed = await feed.flush();
      expect(flushed).toMatchObject({ pending: 0, rejected: 0, lastError: null, retryAt: null });
      expect(flushed!.lastSyncAt).toBeGreaterThan(0);
      expect((await feed.status()).sync).toMatchObject({ pending: 0 });
      expect(await held(tag)).toEqual(keys.sort());
      const all = await exported();
      const mine = all.filter((e) => e.item.startsWith(`${tag}-`));
      const install = mine[0]!.install;
      expect(new Set(mine.map((e) => e.install))).toEqual(new Set([install]));
      for (const x of items) expect(all.filter((e) => e.item === x.id && e.install === install && e.at === T0 + 100)).toHaveLength(1);

      // forget() wipes the device: the queue starts over with a new install id.
      await feed.forget();
      expect((await feed.status()).sync).toMatchObject({ pending: 0, lastSyncAt: null });
      const later = await track(feed, tag, 40, 45);
      expect(await feed.flush()).toMatchObject({ pending: 0 });
      const after = (await exported()).filter((e) => e.item.startsWith(`${tag}-`));
      expect(after.map((e) => `${e.item}|${e.type}|${e.at}`).sort()).toEqual([...keys, ...later].sort());
      const installs = new Set(after.filter((e) => later.some((k) => k.startsWith(`${e.item}|`))).map((e) => e.install));
      expect(installs.size).toBe(1);
      expect(installs.has(install)).toBe(false);
    } finally {
      await feed.forget();
      feed.close();
    }
  });

  it('has two tabs on one database sync at once and the server store each event once', async () => {
    const db = database();
    const tag = `tabs-${crypto.randomUUID()}`;
    const [a, b] = await Promise.all([open({ database: db, sync: syncOptions() }), open({ database: db, sync: syncOptions() })]);
    try {
      const [ka, kb] = await Promise.all([track(a, `${tag}`, 0, 300), track(b, `${tag}`, 300, 600)]);
      const [sa, sb] = await Promise.all([a.flush(), b.flush()]);
      // Each flush waited its turn for the lock and drained what was there: nothing is left.
      expect(sa).toMatchObject({ pending: 0, rejected: 0 });
      expect(sb).toMatchObject({ pending: 0, rejected: 0 });
      expect(await held(tag)).toEqual([...ka, ...kb].sort());
      // More events from both, flushed at once again.
      const [ka2, kb2] = await Promise.all([track(a, tag, 600, 650), track(b, tag, 650, 700)]);
      await Promise.all([a.flush(), b.flush()]);
      expect(await held(tag)).toEqual([...ka, ...kb, ...ka2, ...kb2].sort());
      expect((await a.status()).sync!.pending).toBe(0);
    } finally {
      await a.forget();
      a.close();
      b.close();
    }
  });

  it('keeps events while the server is unreachable and sends them after a reload with it reachable', async () => {
    const db = database();
    const tag = `offline-${crypto.randomUUID()}`;
    // Port 9 (discard) refuses connections on this machine: as good as no network.
    const offline = await open({ database: db, sync: syncOptions({ server: 'http://127.0.0.1:9' }) });
    let keys: string[];
    try {
      keys = await track(offline, tag, 0, 25);
      const status = await offline.flush();
      expect(status).toMatchObject({ pending: 25, rejected: 0, lastError: { name: 'SyncNetworkError' } });
      expect(status!.retryAt).not.toBeNull();
      expect((await offline.status()).historySize).toBe(25);
    } finally {
      offline.close();
    }
    expect(await held(tag)).toEqual([]);
    // The page reloads, the network is back: the queue resumes from IndexedDB.
    const online = await open({ database: db, sync: syncOptions() });
    try {
      expect(await online.flush()).toMatchObject({ pending: 0, lastError: null });
      expect(await held(tag)).toEqual(keys.sort());
    } finally {
      await online.forget();
      online.close();
    }
  });

  it('sends aggregate counters (the default mode) for the feed, exact without noise', async () => {
    const db = database();
    const feedName = `agg-${crypto.randomUUID()}`;
    // Exact: local-DP noise, on by default (test/browser/privacy-defaults.test.ts), turned off.
    const feed = await open({ database: db, sync: { server: server.url, appKey: server.appKey, feed: feedName, epsilon: null } });
    try {
      expect((await feed.status()).sync!.mode).toBe('aggregate');
      const tag = `agg-${crypto.randomUUID()}`;
      await track(feed, tag, 0, 30); // 10 impressions, 10 clicks, 10 likes
      await feed.track({ type: 'watch', itemId: `${tag}-w`, watchSeconds: 42, at: T0 });
      expect(await feed.flush()).toMatchObject({ pending: 0, lastError: null });
      const metrics = (await (await fetch(`${server.url}/v1/metrics`)).json()) as {
        feeds: { feed: string; impressions: number; clicks: number; watches: number; watchSeconds: number }[];
      };
      expect(metrics.feeds.find((f) => f.feed === feedName)).toMatchObject({ impressions: 10, clicks: 10, watches: 1, watchSeconds: 42 });
      // Nothing identifying left the device: no pseudonymous event of these items exists.
      expect(await held(tag)).toEqual([]);
    } finally {
      await feed.forget();
      feed.close();
    }
  });

  it('refuses bad sync options at init, naming the field', async () => {
    await expect(open({ database: database(), sync: { appKey: server.appKey, mode: 'everything' as 'aggregate' } })).rejects.toThrow(
      /sync\.mode: must be one of aggregate, pseudonymous/,
    );
    await expect(open({ database: database(), sync: { appKey: '' } })).rejects.toMatchObject({ name: 'ValidationError' });
  });
});
