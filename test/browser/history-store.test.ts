// The on-device history against real IndexedDB in Chromium: values stored and read back,
// eviction, validation, reembed, forget, and two connections on one database (two tabs).
import { afterEach, describe, expect, it } from 'vitest';
import { openDB } from 'idb';
import type { EventType } from '../../src/core/events.ts';
import type { ShardItemRecord, TrackEvent } from '../../src/core/feed/index.ts';
import { ValidationError } from '../../src/core/errors.ts';
import { openHistory, validateTrackEvent } from '../../workers/history/index.ts';
import { HistoryVersionError } from '../../workers/history/errors.ts';
import { HISTORY_DB_VERSION } from '../../workers/history/migrations.ts';
import type { HistoryDB, HistoryStore } from '../../workers/history/index.ts';
import type { BlockedInfo } from '../../workers/history/connection.ts';
import type { HistoryOptions } from '../../workers/history/history-store.ts';
import type { ItemInput } from '../../workers/history/snapshot.ts';

const T0 = Date.UTC(2025, 0, 1);
const DIM = 4;

const opened: HistoryStore[] = [];
const names: string[] = [];

/** A fresh database per test: the two browser projects and the test files share one origin. */
function dbName(): string {
  const name = `history-test-${crypto.randomUUID()}`;
  names.push(name);
  return name;
}

async function open(options: HistoryOptions = {}): Promise<HistoryStore> {
  const store = await openHistory({ name: dbName(), now: () => T0, ...options });
  opened.push(store);
  return store;
}

function record(id: string, extra: Partial<ShardItemRecord> = {}): ShardItemRecord {
  return { id, categories: ['Comedy'], durationSeconds: 100, created: T0 - 86_400_000, popularity: 0.5, ...extra };
}

function item(id: string, releaseId = 'r1', seed = 1): ItemInput {
  return { record: record(id), embedding: Array.from({ length: DIM }, (_, j) => seed + j / 4), releaseId };
}

/** The interaction counts equal what the log holds, pair by pair. */
async function expectCountsMatchLog(store: HistoryStore): Promise<void> {
  const fromLog = new Map<string, number>();
  for (const e of await store.recent(100_000)) {
    const key = JSON.stringify([e.type, e.itemId]);
    fromLog.set(key, (fromLog.get(key) ?? 0) + 1);
  }
  const db = await openDB<HistoryDB>(store.name);
  try {
    const tx = db.transaction('interactions');
    const [keys, values] = await Promise.all([tx.store.getAllKeys(), tx.store.getAll()]);
    const stored = new Map(keys.map((k, i) => [JSON.stringify(k), values[i]]));
    expect(stored).toEqual(fromLog);
  } finally {
    db.close();
  }
}

afterEach(async () => {
  for (const s of opened.splice(0)) await s.close();
  for (const name of names.splice(0)) await new Promise((resolve) => (indexedDB.deleteDatabase(name).onsuccess = resolve));
});

describe('validateTrackEvent', () => {
  it('accepts a valid event and fills in `at`', () => {
    expect(validateTrackEvent({ type: 'click', itemId: 'a' }, T0)).toEqual({ type: 'click', itemId: 'a', at: T0 });
    expect(validateTrackEvent({ type: 'watch', itemId: 'a', watchSeconds: 12.5, at: T0 - 5 }, T0)).toEqual({
      type: 'watch',
      itemId: 'a',
      watchSeconds: 12.5,
      at: T0 - 5,
    });
    // A day of clock skew is tolerated, exactly.
    expect(validateTrackEvent({ type: 'like', itemId: 'a', at: T0 + 86_400_000 }, T0).at).toBe(T0 + 86_400_000);
  });

  const bad: [string, unknown, string, RegExp][] = [
    ['unknown type', { type: 'view', itemId: 'a' }, 'type', /^type: must be one of impression, click, watch, like, hide, skip$/],
    ['missing type', { itemId: 'a' }, 'type', /must be one of/],
    ['empty itemId', { type: 'click', itemId: '' }, 'itemId', /non-empty string of at most 256/],
    ['long itemId', { type: 'click', itemId: 'x'.repeat(257) }, 'itemId', /at most 256/],
    ['numeric itemId', { type: 'click', itemId: 7 }, 'itemId', /non-empty string/],
    ['watchSeconds on a click', { type: 'click', itemId: 'a', watchSeconds: 3 }, 'watchSeconds', /watch events only, not on click/],
    ['negative watchSeconds', { type: 'watch', itemId: 'a', watchSeconds: -1 }, 'watchSeconds', /finite number ≥ 0/],
    ['NaN watchSeconds', { type: 'watch', itemId: 'a', watchSeconds: NaN }, 'watchSeconds', /finite/],
    ['string at', { type: 'click', itemId: 'a', at: '2025-01-01' }, 'at', /finite timestamp in milliseconds/],
    ['infinite at', { type: 'click', itemId: 'a', at: Infinity }, 'at', /finite/],
    ['at in seconds', { type: 'click', itemId: 'a', at: T0 / 1000 }, 'at', /given in seconds/],
    ['at over a day ahead', { type: 'click', itemId: 'a', at: T0 + 86_400_001 }, 'at', /not be more than 24 hours in the future/],
    ['a typo of a field', { type: 'watch', itemId: 'a', watchSecond: 3 }, 'watchSecond', /unknown field; a track event has type, itemId, watchSeconds, at/],
    ['not an object', 'click', 'event', /must be an object/],
    ['null', null, 'event', /must be an object/],
  ];
  it.each(bad)('rejects %s, naming the field', (_, input, field, message) => {
    let error: unknown;
    try {
      validateTrackEvent(input, T0);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).name).toBe('ValidationError');
    expect((error as ValidationError).field).toBe(field);
    expect((error as ValidationError).message).toMatch(message);
  });
});

describe('schema', () => {
  it('opens a new database (version 0) at version 2 with every store and index', async () => {
    const history = await open();
    expect(HISTORY_DB_VERSION).toBe(2);
    const db = await openDB(history.name);
    try {
      expect(db.version).toBe(2);
      expect([...db.objectStoreNames]).toEqual(['events', 'interactions', 'outbox', 'releases', 'state']);
      const tx = db.transaction(['events', 'interactions', 'outbox', 'releases', 'state']);
      expect(tx.objectStore('outbox').keyPath).toBe('batchId');
      const events = tx.objectStore('events');
      expect(events.keyPath).toBe('seq');
      expect(events.autoIncrement).toBe(true);
      expect([...events.indexNames]).toEqual(['at', 'itemId', 'synced', 'typeItem']);
      expect(events.index('typeItem').keyPath).toEqual(['type', 'itemId']);
      expect(events.index('itemId').unique).toBe(false);
      expect(tx.objectStore('releases').keyPath).toBe('releaseId');
      expect(tx.objectStore('state').keyPath).toBeNull();
      expect(tx.objectStore('interactions').keyPath).toBeNull();
    } finally {
      db.close();
    }
  });

  it('reopens an existing database without losing data', async () => {
    const first = await open();
    await first.append({ type: 'click', itemId: 'a' }, item('a'));
    await first.close();
    const again = await open({ name: first.name });
    expect(await again.count()).toBe(1);
    expect((await again.recent(1))[0]!.itemId).toBe('a');
  });
});

describe('append and read', () => {
  it('stores the event with a copied item snapshot, its vector and watch fraction', async () => {
    const history = await open();
    const input = item('a', 'r1', 2);
    const stored = await history.append({ type: 'watch', itemId: 'a', watchSeconds: 25, at: T0 - 1000 }, input);
    // Later changes to the caller's objects must not reach what was stored.
    input.record.categories.push('Drama');
    (input.embedding as number[])[0] = 99;

    expect(stored.seq).toBe(1);
    const [back] = await history.recent(10);
    expect(back).toEqual({
      seq: 1,
      type: 'watch',
      itemId: 'a',
      at: T0 - 1000,
      watchSeconds: 25,
      watchFraction: 0.25,
      synced: 0,
      item: {
        id: 'a',
        categories: ['Comedy'],
        durationSeconds: 100,
        created: T0 - 86_400_000,
        popularity: 0.5,
        embedding: new Float32Array([2, 2.25, 2.5, 2.75]),
        releaseId: 'r1',
      },
    });
    expect(back!.item.embedding).toBeInstanceOf(Float32Array);
  });

  it('caps the watch fraction at 1 and leaves it out when the duration is unknown', async () => {
    const history = await open();
    await history.append({ type: 'watch', itemId: 'a', watchSeconds: 250 }, item('a'));
    await history.append({ type: 'watch', itemId: 'b', watchSeconds: 30 }, { record: { id: 'b', categories: [], popularity: 0 }, releaseId: 'r1' });
    const [a, b] = await history.recent(2);
    expect(a!.watchFraction).toBe(1);
    expect(b!.watchFraction).toBeUndefined();
    expect(b!.watchSeconds).toBe(30);
  });

  it('stores an event about an unknown item as stale, id only', async () => {
    const history = await open();
    await history.append({ type: 'hide', itemId: 'ghost' }, null);
    const [e] = await history.recent(1);
    expect(e!.item).toEqual({ id: 'ghost', categories: [], popularity: 0, releaseId: null, stale: true });
    expect(await history.hidden()).toEqual(new Set(['ghost']));
  });

  it('returns the newest events in log order and maps them to history entries', async () => {
    const history = await open();
    for (let i = 0; i < 12; i++) {
      await history.append({ type: i % 3 === 0 ? 'watch' : 'click', itemId: `i${i}`, at: T0 + i, ...(i % 3 === 0 ? { watchSeconds: 50 } : {}) }, item(`i${i}`));
    }
    expect((await history.recent(5)).map((e) => e.itemId)).toEqual(['i7', 'i8', 'i9', 'i10', 'i11']);
    expect((await history.recent(1)).map((e) => e.seq)).toEqual([12]);
    expect((await history.recent(100)).map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(await history.recent(0)).toEqual([]);
    const entries = await history.historyEntries(3);
    expect(entries.map((e) => [e.item['id'], e.type, e.at, e.watchFraction])).toEqual([
      ['i9', 'watch', T0 + 9, 0.5],
      ['i10', 'click', T0 + 10, undefined],
      ['i11', 'click', T0 + 11, undefined],
    ]);
    expect(entries[0]!.item['categories']).toEqual(['Comedy']);
    await expect(history.recent(-1)).rejects.toMatchObject({ name: 'ValidationError', field: 'limit' });
  });

  it('writes nothing for an invalid event', async () => {
    const history = await open();
    await history.append({ type: 'click', itemId: 'a' }, item('a'));
    const attempts: [unknown, ItemInput | null, string][] = [
      [{ type: 'view', itemId: 'b' }, item('b'), 'type'],
      [{ type: 'click', itemId: '' }, item(''), 'itemId'],
      [{ type: 'click', itemId: 'b', watchSeconds: 3 }, item('b'), 'watchSeconds'],
      [{ type: 'click', itemId: 'b', at: T0 + 2 * 86_400_000 }, item('b'), 'at'],
      // The snapshot must be of the event's item.
      [{ type: 'click', itemId: 'b' }, item('c'), 'item.id'],
    ];
    for (const [event, input, field] of attempts) {
      // The worker passes what the page sent; the store checks it again at run time.
      await expect(history.append(event as TrackEvent, input)).rejects.toMatchObject({ name: 'ValidationError', field });
    }
    expect(await history.count()).toBe(1);
    expect((await history.recent(10)).map((e) => e.itemId)).toEqual(['a']);
  });
});

describe('bounded size', () => {
  it('evicts the oldest events, keeping exactly the newest maxEvents', async () => {
    const history = await open({ maxEvents: 10 });
    for (let i = 0; i < 25; i++) await history.append({ type: 'impression', itemId: `i${i}` }, item(`i${i}`));
    expect(await history.count()).toBe(10);
    const kept = await history.recent(100);
    expect(kept.map((e) => e.seq)).toEqual([16, 17, 18, 19, 20, 21, 22, 23, 24, 25]);
    expect(kept.map((e) => e.itemId)).toEqual(['i15', 'i16', 'i17', 'i18', 'i19', 'i20', 'i21', 'i22', 'i23', 'i24']);
    // The seen set forgets evicted items: it is as long as the log.
    expect(await history.seen()).toEqual(new Set(kept.map((e) => e.itemId)));
    await expectCountsMatchLog(history);
  });

  it('keeps a hidden item hidden after its hide event is evicted', async () => {
    const history = await open({ maxEvents: 5 });
    await history.append({ type: 'impression', itemId: 'x' }, item('x'));
    await history.append({ type: 'hide', itemId: 'x' }, item('x'));
    for (let i = 0; i < 10; i++) await history.append({ type: 'impression', itemId: `i${i}` }, item(`i${i}`));
    expect((await history.recent(100)).map((e) => e.itemId)).toEqual(['i5', 'i6', 'i7', 'i8', 'i9']);
    expect(await history.hidden()).toEqual(new Set(['x']));
    // Seen follows the log: x was evicted with its impression.
    expect((await history.seen()).has('x')).toBe(false);
  });

  it('shrinks an existing log to a smaller maxEvents on the next append', async () => {
    const big = await open({ maxEvents: 50 });
    for (let i = 0; i < 20; i++) await big.append({ type: 'click', itemId: `i${i}` }, item(`i${i}`));
    const small = await open({ name: big.name, maxEvents: 5 });
    await small.append({ type: 'click', itemId: 'last' }, item('last'));
    expect((await small.recent(100)).map((e) => e.itemId)).toEqual(['i16', 'i17', 'i18', 'i19', 'last']);
    await expectCountsMatchLog(small);
  });

  it('rejects a maxEvents that is not a positive integer', async () => {
    await expect(openHistory({ name: dbName(), maxEvents: 0 })).rejects.toMatchObject({ name: 'ValidationError', field: 'maxEvents' });
    await expect(openHistory({ name: dbName(), maxEvents: 2.5 })).rejects.toMatchObject({ name: 'ValidationError', field: 'maxEvents' });
  });
});

describe('seen, hidden, state and releases', () => {
  it('collects seen (impression, click, watch, like, skip) and hidden ids', async () => {
    const history = await open();
    const events: [EventType, string][] = [
      ['impression', 'a'],
      ['impression', 'b'],
      ['click', 'b'],
      ['watch', 'c'],
      ['like', 'd'],
      ['skip', 'e'],
      ['hide', 'f'],
      ['impression', 'f'],
      ['hide', 'g'],
      ['impression', 'a'],
    ];
    for (const [type, id] of events) await history.append({ type, itemId: id }, item(id));
    expect([...(await history.seen())].sort()).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    expect([...(await history.hidden())].sort()).toEqual(['f', 'g']);
    await expectCountsMatchLog(history);
  });

  it('keeps typed derived state', async () => {
    const history = await open();
    expect(await history.getState('installId')).toBeUndefined();
    await history.putState('installId', 'install-1');
    await history.putState('userVector', { releaseId: 'r1', vector: new Float32Array([0.5, -1]), lastSeq: 7, at: T0 });
    expect(await history.getState('installId')).toBe('install-1');
    const cached = await history.getState('userVector');
    expect(cached).toEqual({ releaseId: 'r1', vector: new Float32Array([0.5, -1]), lastSeq: 7, at: T0 });
    expect(cached!.vector).toBeInstanceOf(Float32Array);
    await history.deleteState('installId');
    expect(await history.getState('installId')).toBeUndefined();
  });

  it('records first and last use of each release', async () => {
    const history = await open();
    await history.useRelease('r1', T0);
    await history.useRelease('r2', T0 + 10);
    expect(await history.useRelease('r1', T0 + 20)).toEqual({ releaseId: 'r1', firstUsed: T0, lastUsed: T0 + 20 });
    expect(await history.releases()).toEqual([
      { releaseId: 'r1', firstUsed: T0, lastUsed: T0 + 20 },
      { releaseId: 'r2', firstUsed: T0 + 10, lastUsed: T0 + 10 },
    ]);
    expect(await history.getState('lastReleaseId')).toBe('r1');
  });
});

describe('reembed', () => {
  it('rewrites present items from the new release and marks the rest stale', async () => {
    const history = await open();
    await history.append({ type: 'watch', itemId: 'a', watchSeconds: 50, at: T0 + 1 }, item('a', 'r1', 1));
    await history.append({ type: 'click', itemId: 'gone', at: T0 + 2 }, item('gone', 'r1', 2));
    await history.append({ type: 'hide', itemId: 'gone', at: T0 + 3 }, item('gone', 'r1', 2));
    await history.append({ type: 'click', itemId: 'b', at: T0 + 4 }, item('b', 'r1', 3));

    const r2: Record<string, ItemInput> = {
      a: { record: record('a', { durationSeconds: 200, popularity: 0.9 }), embedding: [9, 9, 9, 9], releaseId: 'r2' },
      b: { record: record('b', { categories: ['News'] }), embedding: new Float32Array([7, 7, 7, 7]), releaseId: 'r2' },
    };
    const lookups: string[] = [];
    const result = await history.reembed('r2', (id) => {
      lookups.push(id);
      return r2[id] ?? null;
    });
    expect(result).toEqual({ updated: 2, staled: 2, unchanged: 0 });
    // One lookup per item, not per event.
    expect(lookups).toEqual(['a', 'gone', 'b']);

    const all = await history.recent(10);
    expect(all[0]!.item).toMatchObject({ id: 'a', durationSeconds: 200, popularity: 0.9, releaseId: 'r2', embedding: new Float32Array([9, 9, 9, 9]) });
    expect(all[0]!.item.stale).toBeUndefined();
    // 50 s of a 200 s item in the new catalog.
    expect(all[0]!.watchFraction).toBe(0.25);
    expect(all[3]!.item).toMatchObject({ categories: ['News'], releaseId: 'r2', embedding: new Float32Array([7, 7, 7, 7]) });
    for (const e of [all[1]!, all[2]!]) {
      // Kept in the log with its old features, vector dropped, old release named.
      expect(e.item).toEqual({ id: 'gone', categories: ['Comedy'], durationSeconds: 100, created: T0 - 86_400_000, popularity: 0.5, releaseId: 'r1', stale: true });
    }
    expect(await history.count()).toBe(4);
    expect(await history.getState('embeddingReleaseId')).toBe('r2');

    // The user tower sees only what the new release represents; seen and hidden keep everything.
    expect((await history.historyEntries(10)).map((e) => e.item['id'])).toEqual(['a', 'b']);
    expect((await history.historyEntries(10, { includeStale: true })).map((e) => e.item['id'])).toEqual(['a', 'gone', 'gone', 'b']);
    expect(await history.hidden()).toEqual(new Set(['gone']));
    expect(await history.seen()).toEqual(new Set(['a', 'gone', 'b']));

    // Again with the same release: nothing to do; then the item comes back in a later shard.
    expect(await history.reembed('r2', (id) => r2[id] ?? null)).toEqual({ updated: 0, staled: 0, unchanged: 4 });
    r2['gone'] = { record: record('gone'), embedding: [5, 5, 5, 5], releaseId: 'r2' };
    expect(await history.reembed('r2', (id) => r2[id] ?? null)).toEqual({ updated: 2, staled: 0, unchanged: 2 });
    expect((await history.historyEntries(10)).map((e) => e.item['id'])).toEqual(['a', 'gone', 'gone', 'b']);
  });

  it('fills the history limit past stale events', async () => {
    const history = await open();
    for (let i = 0; i < 20; i++) await history.append({ type: 'click', itemId: `i${i}`, at: T0 + i }, item(`i${i}`));
    // Every odd item is gone from the new release.
    await history.reembed('r2', (id) => (Number(id.slice(1)) % 2 === 0 ? { record: record(id), releaseId: 'r2' } : null));
    expect((await history.historyEntries(6)).map((e) => e.item['id'])).toEqual(['i8', 'i10', 'i12', 'i14', 'i16', 'i18']);
    expect((await history.historyEntries(100)).length).toBe(10);
  });
});

describe('forget', () => {
  it('deletes the whole database; a later openHistory starts empty', async () => {
    const history = await open();
    await history.append({ type: 'click', itemId: 'a' }, item('a'));
    await history.putState('installId', 'install-1');
    await history.useRelease('r1');
    await history.forget();
    expect((await indexedDB.databases()).map((d) => d.name)).not.toContain(history.name);

    const fresh = await open({ name: history.name });
    expect(await fresh.count()).toBe(0);
    expect(await fresh.recent(10)).toEqual([]);
    expect(await fresh.getState('installId')).toBeUndefined();
    expect(await fresh.releases()).toEqual([]);
    // The forgetting store itself goes on, empty, and numbering starts again.
    expect((await history.append({ type: 'click', itemId: 'b' }, item('b'))).seq).toBe(1);
  });
});

describe('two tabs on one database', () => {
  it('keeps every event of two interleaved writers, in one strictly increasing order', async () => {
    const a = await open();
    const b = await open({ name: a.name });
    // Each tab awaits its own appends one by one, as a page tracking a user does; the two run
    // at once, so their transactions alternate.
    const write = async (store: HistoryStore, tag: string) => {
      const out = [];
      for (let i = 0; i < 200; i++) out.push(await store.append({ type: 'impression', itemId: `${tag}${i}` }, item(`${tag}${i}`)));
      return out;
    };
    const [fromA, fromB] = await Promise.all([write(a, 'a'), write(b, 'b')]);

    expect(await a.count()).toBe(400);
    expect(await b.count()).toBe(400);
    const all = await b.recent(1000);
    expect(all.length).toBe(400);
    const seqs = all.map((e) => e.seq);
    for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBeGreaterThan(seqs[i - 1]!);
    expect(new Set(all.map((e) => e.itemId)).size).toBe(400);
    // The seq each append returned is the one stored, and each writer's events keep its order.
    const bySeq = new Map(all.map((e) => [e.seq, e.itemId]));
    for (const s of [...fromA, ...fromB]) expect(bySeq.get(s.seq)).toBe(s.itemId);
    const order = (tag: string) => all.filter((e) => e.itemId.startsWith(tag)).map((e) => Number(e.itemId.slice(1)));
    expect(order('a')).toEqual(Array.from({ length: 200 }, (_, i) => i));
    expect(order('b')).toEqual(Array.from({ length: 200 }, (_, i) => i));
    // The writers really interleaved: the log switches between them many times.
    let switches = 0;
    for (let i = 1; i < all.length; i++) if (all[i]!.itemId[0] !== all[i - 1]!.itemId[0]) switches++;
    expect(switches).toBeGreaterThan(100);
  });

  it('evicts correctly while two writers append', async () => {
    const a = await open({ maxEvents: 150 });
    const b = await open({ name: a.name, maxEvents: 150 });
    // Bursts: each tab queues all 200 transactions at once.
    const write = (store: HistoryStore, tag: string) =>
      Promise.all(Array.from({ length: 200 }, (_, i) => store.append({ type: 'click', itemId: `${tag}${i}` }, item(`${tag}${i}`))));
    await Promise.all([write(a, 'a'), write(b, 'b')]);
    expect(await a.count()).toBe(150);
    const kept = await a.recent(1000);
    // Exactly the newest 150 of the 400 seqs.
    expect(kept.map((e) => e.seq)).toEqual(Array.from({ length: 150 }, (_, i) => 251 + i));
    await expectCountsMatchLog(a);
  });

  it('closes on versionchange when another tab forgets, and reopens on next use', async () => {
    const a = await open();
    const b = await open({ name: a.name });
    await a.append({ type: 'click', itemId: 'x' }, item('x'));
    const opensBefore = a.connection.opens;
    // a holds an open connection; b's delete completes only because a closes on versionchange.
    const blocked: BlockedInfo[] = [];
    const c = await open({ name: a.name, onBlocked: (info) => blocked.push(info) });
    await c.forget();
    expect(blocked).toEqual([]);
    expect(await a.count()).toBe(0);
    expect(a.connection.opens).toBe(opensBefore + 1);
    await a.append({ type: 'click', itemId: 'y' }, item('y'));
    expect((await b.recent(10)).map((e) => e.itemId)).toEqual(['y']);
  });

  it('gives way to a newer schema in another tab, then refuses to write with the old one', async () => {
    const a = await open();
    await a.append({ type: 'click', itemId: 'x' }, item('x'));
    // A newer app version in another tab opens version 2; a must not block it.
    const newer = await openDB(a.name, HISTORY_DB_VERSION + 1, { upgrade: (db) => void db.createObjectStore('hides') });
    newer.close();
    await expect(a.append({ type: 'click', itemId: 'y' }, item('y'))).rejects.toBeInstanceOf(HistoryVersionError);
    await expect(a.count()).rejects.toMatchObject({ name: 'HistoryVersionError' });
    await expect(openHistory({ name: a.name })).rejects.toMatchObject({ name: 'HistoryVersionError' });
  });

  it('reports a forget blocked by a tab that does not close, and completes when it does', async () => {
    const blocked: BlockedInfo[] = [];
    let reportBlocked!: () => void;
    const wasBlocked = new Promise<void>((resolve) => (reportBlocked = resolve));
    const history = await open({
      onBlocked: (info) => {
        blocked.push(info);
        reportBlocked();
      },
    });
    await history.append({ type: 'click', itemId: 'x' }, item('x'));
    // An old tab without a versionchange handler keeps its connection.
    const stubborn = await openDB(history.name, HISTORY_DB_VERSION);
    let done = false;
    const forgetting = history.forget().then(() => (done = true));
    // Waits for the report itself, not a fixed time: the forget cannot finish while the tab is open.
    await wasBlocked;
    expect(done).toBe(false);
    expect(blocked).toEqual([{ operation: 'forget', currentVersion: HISTORY_DB_VERSION, requestedVersion: null }]);
    stubborn.close();
    await forgetting;
    expect(done).toBe(true);
    expect(await history.count()).toBe(0);
  });
});
