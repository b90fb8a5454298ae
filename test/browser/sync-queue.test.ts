// The sync queue in a real page over the real IndexedDB history (createSync), sending to the real
// server started by the global setup: offline and back, a reload mid-batch, and eviction while
// events wait. What the server holds is read back through GET /v1/export/events (secret key).
import { afterEach, describe, expect, inject, it } from 'vitest';
import { openDB } from 'idb';
import { openHistory } from '../../workers/history/index.ts';
import type { HistoryDB, HistoryStore } from '../../workers/history/index.ts';
import { createSync } from '../../workers/sync/index.ts';
import type { Sync } from '../../workers/sync/index.ts';
import type { CreateSyncOptions } from '../../workers/sync/create-sync.ts';
import type { EventBatch } from '../../src/core/sync/wire.ts';

const server = inject('syncServer');
const T0 = Date.now() - 3_600_000;

const cleanup: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function history(maxEvents?: number): Promise<HistoryStore> {
  const h = await openHistory({ name: `sync-queue-${crypto.randomUUID()}`, ...(maxEvents ? { maxEvents } : {}) });
  cleanup.push(() => h.forget());
  return h;
}

async function sync(h: HistoryStore, o: Partial<CreateSyncOptions> = {}): Promise<Sync> {
  const s = await createSync({
    history: h,
    sync: { server: server.url, appKey: server.appKey, mode: 'pseudonymous', feed: 'browser-sync' },
    database: h.name,
    tunables: { backoffBaseMs: 50, backoffMaxMs: 500 },
    ...o,
  });
  cleanup.push(() => s.stop());
  return s;
}

async function append(h: HistoryStore, tag: string, from: number, to: number): Promise<void> {
  for (let i = from; i < to; i++) await h.append({ type: i % 2 ? 'click' : 'impression', itemId: `${tag}-${i}`, at: T0 + i }, null);
}

/** The server's events of this tag as `item|type|at`, sorted: a duplicate would show twice. */
async function held(tag: string): Promise<string[]> {
  const res = await fetch(`${server.url}/v1/export/events?after=0&limit=100000`, { headers: { Authorization: `Key ${server.secret}` } });
  expect(res.status).toBe(200);
  const lines = (await res.text()).split('\n').filter((l) => l !== '');
  return lines
    .map((l) => JSON.parse(l) as { item: string; type: string; at: number })
    .filter((e) => e.item.startsWith(`${tag}-`))
    .map((e) => `${e.item}|${e.type}|${e.at}`)
    .sort();
}

function expected(tag: string, from: number, to: number): string[] {
  return Array.from({ length: to - from }, (_, k) => from + k)
    .map((i) => `${tag}-${i}|${i % 2 ? 'click' : 'impression'}|${T0 + i}`)
    .sort();
}

/** A fetch that fails like a dead network while `offline.on`. */
function switchableFetch() {
  const offline = { on: true, calls: 0 };
  const fetchFn = async (input: string, init: RequestInit) => {
    offline.calls++;
    if (offline.on) throw new TypeError('Failed to fetch');
    return fetch(input, init);
  };
  return { offline, fetch: fetchFn };
}

// Polls until `ok`; the deadline only guards a hang (under the browser projects' 300 s test limit,
// so the error names what never came), never how fast a loaded machine must be.
async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 240_000;
  while (Date.now() < deadline) {
    const v = await read();
    if (ok(v)) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('sync queue over IndexedDB', () => {
  it('delivers the log once and marks every event synced', async () => {
    const h = await history();
    const tag = `q-${crypto.randomUUID()}`;
    await append(h, tag, 0, 620);
    const s = await sync(h);
    const status = await s.flush();
    expect(status).toMatchObject({ mode: 'pseudonymous', pending: 0, rejected: 0, evicted: 0, lastError: null, retryAt: null });
    expect(status.lastSyncAt).toBeGreaterThan(0);
    expect(await held(tag)).toEqual(expected(tag, 0, 620));
    expect((await h.recent(1000)).every((e) => e.synced === 1)).toBe(true);
    const db = await h.connection.db();
    expect(await db.getAll('outbox')).toEqual([]);
    expect(await h.getState('syncAssignedThrough')).toBe(620);
    expect(await h.getState('installId')).toMatch(/^i_/);
  });

  it('keeps events pending while the network is down, then sends them on the online event', async () => {
    const h = await history();
    const tag = `off-${crypto.randomUUID()}`;
    const net = switchableFetch();
    const s = await sync(h, { fetch: net.fetch });
    await append(h, tag, 0, 30);
    s.notify();
    const beforeFlush = Date.now();
    const down = await s.flush();
    expect(down).toMatchObject({ pending: 30, lastError: { name: 'SyncNetworkError' } });
    // Scheduled after the failure, however long the flush took.
    expect(down.retryAt).toBeGreaterThanOrEqual(beforeFlush);
    expect(net.offline.calls).toBeGreaterThan(0);
    expect(await held(tag)).toEqual([]);

    net.offline.on = false;
    // The worker's global (here the page's) says the network is back.
    globalThis.dispatchEvent(new Event('online'));
    const up = await until(() => s.status(), (st) => st.pending === 0, 'the queue to drain after online');
    expect(up).toMatchObject({ lastError: null, retryAt: null });
    expect(await held(tag)).toEqual(expected(tag, 0, 30));
  });

  it('does not sync when pointed at a dead port, and loses nothing', async () => {
    const h = await history();
    const tag = `dead-${crypto.randomUUID()}`;
    await append(h, tag, 0, 5);
    const s = await createSync({ history: h, sync: { server: 'http://127.0.0.1:9', appKey: server.appKey, mode: 'pseudonymous' }, database: h.name });
    cleanup.push(() => s.stop());
    const status = await s.flush();
    expect(status).toMatchObject({ pending: 5, rejected: 0, lastError: { name: 'SyncNetworkError' } });
    expect((await h.recent(10)).map((e) => e.synced)).toEqual([0, 0, 0, 0, 0]);
  });

  it('resends the same batch id and body after a reload mid-batch; the server stores it once', async () => {
    const h = await history();
    const tag = `reload-${crypto.randomUUID()}`;
    await append(h, tag, 0, 700);
    let sentBody: string | null = null;
    let tab: Sync | null = null;
    // The first tab's request reaches the server, which commits; the tab is closed before it reads the answer.
    tab = await sync(h, {
      fetch: async (input, init) => {
        const res = await fetch(input, init);
        if (input.endsWith('/v1/events') && sentBody === null) {
          sentBody = init.body as string;
          void tab?.stop();
          throw new TypeError('the page went away');
        }
        return res;
      },
    });
    await tab.flush();
    await tab.stop();
    const db = await openDB<HistoryDB>(h.name);
    const outbox = await db.getAll('outbox');
    db.close();
    expect(outbox).toHaveLength(1);
    expect(outbox[0]!.body).toBe(sentBody);
    expect(outbox[0]).toMatchObject({ first: 1, last: 500, events: 500, state: 'pending' });

    // The reloaded page: a new queue over the same database.
    const bodies: string[] = [];
    const acks: { duplicate: boolean; stored: number }[] = [];
    const again = await sync(h, {
      fetch: async (input, init) => {
        if (input.endsWith('/v1/events')) bodies.push(init.body as string);
        return fetch(input, init);
      },
      onOutcome: (_id, o) => void (o.kind === 'ack' && acks.push(o.ack)),
    });
    expect((await again.flush()).pending).toBe(0);
    expect(bodies[0]).toBe(sentBody);
    expect((JSON.parse(bodies[0]!) as EventBatch).batchId).toBe((JSON.parse(sentBody!) as EventBatch).batchId);
    expect(acks.map((a) => [a.duplicate, a.stored])).toEqual([
      [true, 0],
      [false, 200],
    ]);
    expect(await held(tag)).toEqual(expected(tag, 0, 700));
  });

  it('holds unbatched events past maxEvents up to the hard cap, counts what had to go, and sends the rest', async () => {
    const h = await history(10);
    const tag = `evict-${crypto.randomUUID()}`;
    const net = switchableFetch();
    // Only flush() attempts: no background attempt may batch events between the appends.
    const s = await sync(h, { fetch: net.fetch, timers: { set: () => 0, clear: () => undefined } });
    // Offline, 25 events: the log holds 20 (2 × maxEvents) and the 5 oldest are lost to sync, counted.
    await append(h, tag, 0, 25);
    expect(await h.count()).toBe(20);
    const down = await s.flush();
    expect(down).toMatchObject({ pending: 20, evicted: 5, lastError: { name: 'SyncNetworkError' } });
    // The failed attempt put the oldest 20 into a batch: they may now be evicted (their batch keeps
    // them), so new events push them out without loss.
    await append(h, tag, 25, 35);
    expect(await h.count()).toBe(10);
    expect((await s.status()).pending).toBe(30);

    net.offline.on = false;
    const up = await s.flush();
    expect(up).toMatchObject({ pending: 0, evicted: 5, rejected: 0, lastError: null });
    expect(await held(tag)).toEqual(expected(tag, 5, 35));
    // Synced, the log is back within maxEvents at the next append.
    await append(h, tag, 35, 36);
    expect(await h.count()).toBe(10);
  });

  it('keeps the install id in the history state and rotates it after 30 days', async () => {
    const h = await history();
    let now = Date.now();
    const tag = `rot-${crypto.randomUUID()}`;
    const s = await sync(h, { now: () => now });
    await append(h, tag, 0, 1);
    await s.flush();
    const first = await h.getState('installId');
    expect(await h.getState('installIdAt')).toBe(now);
    now += 29 * 86_400_000;
    await append(h, tag, 1, 2);
    await s.flush();
    expect(await h.getState('installId')).toBe(first);
    now += 2 * 86_400_000;
    await append(h, tag, 2, 3);
    expect(await s.flush()).toMatchObject({ pending: 0 });
    const second = await h.getState('installId');
    expect(second).not.toBe(first);
    const res = await fetch(`${server.url}/v1/export/events?after=0&limit=100000`, { headers: { Authorization: `Key ${server.secret}` } });
    const rows = (await res.text()).split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as { item: string; install: string });
    expect(rows.filter((r) => r.item.startsWith(`${tag}-`)).map((r) => [r.item, r.install])).toEqual([
      [`${tag}-0`, first],
      [`${tag}-1`, first],
      [`${tag}-2`, second],
    ]);
  });

  it('does not hold events past maxEvents on a database that never synced', async () => {
    const h = await history(10);
    await append(h, `plain-${crypto.randomUUID()}`, 0, 25);
    expect(await h.count()).toBe(10);
    expect(await h.getState('syncEvicted')).toBeUndefined();
  });
});
