// The privacy defaults (issue 15), each pinned in a real page against the real server of the
// global setup: the default sync mode sends no stable identifier, no exact count and no
// credential twice; two feeds of one origin never mix events; forget() leaves no ondeck data in
// IndexedDB or Cache Storage; release requests carry no cookies.
import { afterEach, describe, expect, inject, it } from 'vitest';
import { createFeed } from '../../src/client/index.ts';
import type { Feed } from '../../src/client/index.ts';
import type { FeedOptions } from '../../src/core/feed/index.ts';
import { DEFAULT_AGGREGATE_EPSILON, type AggregateBatch } from '../../src/core/sync/wire.ts';
import { openHistory } from '../../workers/history/index.ts';
import type { HistoryStore } from '../../workers/history/index.ts';
import { createReleaseStore } from '../../workers/release/index.ts';
import { createSync } from '../../workers/sync/index.ts';

const release = inject('fixtureRelease');
const releaseKey = inject('releaseKey');
const server = inject('syncServer');
const T0 = Date.now() - 3_600_000;

const cleanup: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

// Ranked on the plain-JS runtime: the privacy defaults are the sync queue's, the history's and the
// release loader's, whatever ranks (as in sync-feed.test.ts); a runtime compiled in every feed's
// worker made one test of two feeds take 165 s beside another heavy job.
async function open(options: Partial<FeedOptions>): Promise<Feed> {
  const feed = await createFeed({ release, releaseKey, backend: 'js', rankingProviders: ['js'], ...options });
  cleanup.push(async () => {
    await feed.forget();
    feed.close();
  });
  return feed;
}

/** The server's pseudonymous events, as `item` → install ids. */
async function installsByItem(prefix: string): Promise<Map<string, Set<string>>> {
  const res = await fetch(`${server.url}/v1/export/events?after=0&limit=100000`, { headers: { Authorization: `Key ${server.secret}` } });
  expect(res.status).toBe(200);
  const out = new Map<string, Set<string>>();
  for (const line of (await res.text()).split('\n')) {
    if (line === '') continue;
    const e = JSON.parse(line) as { item: string; install: string };
    if (e.item.startsWith(prefix)) out.set(e.item, (out.get(e.item) ?? new Set()).add(e.install));
  }
  return out;
}

interface Sent {
  url: string;
  headers: Record<string, string>;
  body: string | null;
  credentials: RequestCredentials | undefined;
}

/** A fetch that records every request and passes it to the real server. */
function recordingFetch(): { sent: Sent[]; fetch: (url: string, init: RequestInit) => Promise<Response> } {
  const sent: Sent[] = [];
  return {
    sent,
    fetch: (url, init) => {
      sent.push({ url, headers: { ...(init.headers as Record<string, string>) }, body: (init.body as string | undefined) ?? null, credentials: init.credentials });
      return fetch(url, init);
    },
  };
}

async function history(): Promise<HistoryStore> {
  const h = await openHistory({ name: `privacy-${crypto.randomUUID()}` });
  cleanup.push(() => h.forget());
  return h;
}

describe('the default sync mode', () => {
  it('sends no stable identifier, no exact count, no rare item and no credential twice, without cookies', async () => {
    const h = await history();
    const tag = `dflt-${crypto.randomUUID()}`;
    const item = (id: string, popularity: number) => ({ record: { id, categories: [], popularity }, releaseId: 'r-privacy' });
    // 12 items the release calls popular (3 impressions each), and 2 rare ones that must stay home.
    for (let i = 0; i < 36; i++) {
      // Each item's events in a row: a batch takes a run of the log that fits one item's row.
      const id = `${tag}-${Math.floor(i / 3)}`;
      await h.append({ type: 'impression', itemId: id, at: T0 + i }, item(id, 50), { mode: 'aggregate', feed: 'privacy' });
    }
    for (const id of [`${tag}-rare0`, `${tag}-rare1`]) await h.append({ type: 'click', itemId: id, at: T0 }, item(id, 3), { mode: 'aggregate', feed: 'privacy' });
    const net = recordingFetch();
    const s = await createSync({
      history: h,
      // The defaults: no mode, no epsilon, no popularity floor.
      sync: { server: server.url, appKey: server.appKey, feed: 'privacy' },
      database: h.name,
      fetch: net.fetch,
      strictScope: true,
    });
    cleanup.push(() => s.stop());
    expect(await s.flush()).toMatchObject({ mode: 'aggregate', pending: 0, rejected: 0, lastError: null });

    const posts = net.sent.filter((r) => r.url.endsWith('/v1/events'));
    const batches = posts.map((r) => JSON.parse(r.body!) as AggregateBatch);
    for (const r of net.sent) expect(r.credentials).toBe('omit');
    // One item per batch; the rare items never leave.
    expect(batches).toHaveLength(12);
    const rows = batches.flatMap((b) => b.counts);
    expect(rows).toHaveLength(12);
    expect(rows.map((r) => r.itemId).sort()).toEqual(Array.from({ length: 12 }, (_, i) => `${tag}-${i}`).sort());
    // No stable identifier: aggregate bodies hold no install id; ids are fresh per batch.
    for (const b of batches) {
      expect(b.mode).toBe('aggregate');
      expect(Object.keys(b).sort()).toEqual(['batchId', 'counts', 'feed', 'mode', 'noise', 'releaseId']);
      expect(JSON.stringify(b)).not.toMatch(/"installId"|i_[A-Za-z0-9_-]{21}/);
      expect(b.noise).toEqual({ mechanism: 'geometric', epsilon: DEFAULT_AGGREGATE_EPSILON });
    }
    expect(new Set(batches.map((b) => b.batchId)).size).toBe(batches.length);
    // A fresh device token per batch: no credential ties two batches together.
    expect(new Set(posts.map((r) => r.headers['Authorization'])).size).toBe(posts.length);
    expect(net.sent.filter((r) => r.url.endsWith('/v1/tokens'))).toHaveLength(posts.length);
    // Noise on: of 72 counters (exactly 3 impressions and 0 of the rest), P(unchanged) is
    // tanh(ε/2) ≈ 0.46 each; a third changed at least, or there is no noise at all.
    const counters = ['impressions', 'clicks', 'watches', 'likes', 'hides', 'skips'] as const;
    const changed = rows.flatMap((r) => counters.filter((c) => r[c] !== (c === 'impressions' ? 3 : 0))).length;
    expect(changed).toBeGreaterThan(24);
  });

  it('refuses to upload under an epsilon the server does not accept', async () => {
    const h = await history();
    const id = `eps-${crypto.randomUUID()}`;
    await h.append({ type: 'click', itemId: id, at: T0 }, { record: { id, categories: [], popularity: 50 }, releaseId: 'r-privacy' }, { mode: 'aggregate', feed: 'privacy' });
    const s = await createSync({ history: h, sync: { server: server.url, appKey: server.appKey, feed: 'privacy', epsilon: 4 }, database: h.name, strictScope: true });
    cleanup.push(() => s.stop());
    const status = await s.flush();
    expect(status).toMatchObject({ rejected: 1, lastError: { name: 'SyncRejectedError' } });
    expect(status.lastError!.message).toMatch(/noise\.epsilon/);
  });
});

describe('two feeds on one origin', () => {
  it('keep their own databases by default, and each install sends only its own events', async () => {
    const tag = `two-${crypto.randomUUID()}`;
    const a = await open({ sync: { server: server.url, appKey: server.appKey, mode: 'pseudonymous', feed: `a-${tag}` } });
    const b = await open({ sync: { server: server.url, appKey: server.appKey, mode: 'pseudonymous', feed: `b-${tag}` } });
    for (let i = 0; i < 5; i++) await a.track({ type: 'click', itemId: `${tag}-A${i}`, at: T0 + i });
    for (let i = 0; i < 3; i++) await b.track({ type: 'click', itemId: `${tag}-B${i}`, at: T0 + i });
    expect((await a.status()).historySize).toBe(5);
    expect((await b.status()).historySize).toBe(3);
    await a.flush();
    await b.flush();
    const held = await installsByItem(`${tag}-`);
    expect([...held.keys()].sort()).toEqual([0, 1, 2, 3, 4].map((i) => `${tag}-A${i}`).concat([0, 1, 2].map((i) => `${tag}-B${i}`)).sort());
    // Upper case: the tag's UUID is lower-case hex.
    const installA = new Set([...held].filter(([k]) => k.includes('-A')).flatMap(([, v]) => [...v]));
    const installB = new Set([...held].filter(([k]) => k.includes('-B')).flatMap(([, v]) => [...v]));
    expect(installA.size).toBe(1);
    expect(installB.size).toBe(1);
    expect([...installA][0]).not.toBe([...installB][0]);
    const databases = (await indexedDB.databases()).map((d) => d.name);
    expect(databases).toContain(`ondeck:a-${tag}`);
    expect(databases).toContain(`ondeck:b-${tag}`);
  });

  it('on one database never send what another mode recorded', async () => {
    const tag = `shared-${crypto.randomUUID()}`;
    const database = `privacy-shared-${tag}`;
    const off = await open({ database });
    const aggregate = await open({ database, sync: { server: server.url, appKey: server.appKey, feed: 'shared', epsilon: null } });
    const pseudonymous = await open({ database, sync: { server: server.url, appKey: server.appKey, mode: 'pseudonymous', feed: 'shared' } });
    for (let i = 0; i < 4; i++) await off.track({ type: 'click', itemId: `${tag}-off${i}`, at: T0 + i });
    for (let i = 0; i < 4; i++) await aggregate.track({ type: 'click', itemId: `${tag}-agg${i}`, at: T0 + i });
    for (let i = 0; i < 4; i++) await pseudonymous.track({ type: 'click', itemId: `${tag}-ps${i}`, at: T0 + i });
    // One history: all three feeds rank with it, on the device.
    expect((await off.status()).historySize).toBe(12);
    expect(await pseudonymous.flush()).toMatchObject({ pending: 0, rejected: 0, lastError: null });
    const held = await installsByItem(`${tag}-`);
    expect([...held.keys()].sort()).toEqual([0, 1, 2, 3].map((i) => `${tag}-ps${i}`));
  });
});

describe('forget()', () => {
  it('leaves no ondeck data in IndexedDB or Cache Storage and returns the install ids to erase', async () => {
    const tag = `forget-${crypto.randomUUID()}`;
    const feed = await open({ sync: { server: server.url, appKey: server.appKey, mode: 'pseudonymous', feed: tag } });
    // A service worker's runtime cache of the same origin, as the demo app keeps.
    await (await caches.open('ondeck-sw-artifacts')).put(`${location.origin}/v1/artifacts/x.bin`, new Response('x'));
    const items = await feed.next({ count: 5 });
    for (const x of items) await feed.track({ type: 'click', itemId: x.id, at: T0 });
    await feed.track({ type: 'like', itemId: `${tag}-1`, at: T0 });
    await feed.flush();
    const install = [...((await installsByItem(`${tag}-`)).get(`${tag}-1`) ?? [])];
    expect(install).toHaveLength(1);
    expect((await caches.keys()).filter((n) => n.startsWith('ondeck'))).not.toEqual([]);
    expect((await indexedDB.databases()).map((d) => d.name)).toContain(`ondeck:${tag}`);

    const result = await feed.forget();
    expect(result).toEqual({ installIds: install });
    expect((await caches.keys()).filter((n) => n.startsWith('ondeck'))).toEqual([]);
    expect((await indexedDB.databases()).map((d) => d.name)).not.toContain(`ondeck:${tag}`);
    expect((await feed.status()).sync).toMatchObject({ pending: 0, lastSyncAt: null });
    // The feed goes on, and a later event starts a new install.
    expect(await feed.next({ count: 3 })).toHaveLength(3);
    await feed.track({ type: 'like', itemId: `${tag}-2`, at: T0 });
    expect(await feed.flush()).toMatchObject({ pending: 0 });
    const later = [...((await installsByItem(`${tag}-`)).get(`${tag}-2`) ?? [])];
    expect(later).toHaveLength(1);
    expect(later[0]).not.toBe(install[0]);
  });
});

describe('release requests', () => {
  it('carry no cookies and no referrer', async () => {
    const net = recordingFetch();
    const store = createReleaseStore({ manifestUrl: release, releaseKey, cacheName: `privacy-${crypto.randomUUID()}`, fetch: (url, init) => net.fetch(url, init ?? {}) });
    await store.load();
    expect(net.sent.length).toBeGreaterThan(1);
    for (const r of net.sent) expect(r.credentials).toBe('omit');
  });
});
