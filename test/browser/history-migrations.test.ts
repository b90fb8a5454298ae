// The migration chain: a new database runs every step from version 0, and the next version adds
// a store with a backfill from the log, as migrations.ts documents, on a database with data.
import { afterEach, describe, expect, it } from 'vitest';
import { openDB, unwrap } from 'idb';
import { openHistory } from '../../workers/history/index.ts';
import { HISTORY_DB_VERSION, MIGRATIONS, upgradeHistory } from '../../workers/history/migrations.ts';
import type { IDBPDatabase } from 'idb';
import type { HistoryDB, HistoryStore } from '../../workers/history/index.ts';
import type { Migration, UpgradeTransaction } from '../../workers/history/migrations.ts';
import type { ItemInput } from '../../workers/history/snapshot.ts';

const T0 = Date.UTC(2025, 0, 1);
const names: string[] = [];

function item(id: string): ItemInput {
  return { record: { id, categories: ['Comedy'], popularity: 0.5 }, releaseId: 'r1' };
}

/** Opens `name` at `version` through upgradeHistory with `migrations`, as a later app version would. */
function openVersion(name: string, version: number, migrations: readonly Migration[], seen: [number, number | null][] = []) {
  return openDB<HistoryDB>(name, version, {
    upgrade: (database, oldVersion, newVersion, tx: UpgradeTransaction) => {
      seen.push([oldVersion, newVersion]);
      // The open request reports an abort; this keeps idb's done promise from going unhandled.
      tx.done.catch(() => undefined);
      upgradeHistory(database, oldVersion, newVersion, tx, migrations).catch(() => tx.abort());
    },
  });
}

afterEach(async () => {
  for (const name of names.splice(0)) await new Promise((resolve) => (indexedDB.deleteDatabase(name).onsuccess = resolve));
});

/**
 * The documented next version: a `hides` store keyed by item id, backfilled from the log's hide
 * events with requests on the upgrade transaction only. It names a store HistoryDB does not
 * have yet, so it works on the unwrapped database, as a real next version would with its own schema type.
 */
const addHides: Migration = (db, tx) => {
  const hides = unwrap(db).createObjectStore('hides', { keyPath: 'itemId' });
  const index = unwrap(tx).objectStore('events').index('typeItem');
  return new Promise<void>((resolve, reject) => {
    const request = index.openCursor(IDBKeyRange.bound(['hide', ''], ['hide', []]));
    request.onerror = () => reject(request.error);
    request.onsuccess = () => {
      const cursor = request.result;
      if (!cursor) return resolve();
      const { itemId, at } = cursor.value as { itemId: string; at: number };
      hides.put({ itemId, at });
      cursor.continue();
    };
  });
};

describe('history migrations', () => {
  it('creates version 1 from nothing with one step per version', async () => {
    expect(MIGRATIONS.length).toBe(HISTORY_DB_VERSION);
    const name = `history-mig-${crypto.randomUUID()}`;
    names.push(name);
    const seen: [number, number | null][] = [];
    const db = await openVersion(name, 1, MIGRATIONS, seen);
    try {
      expect(seen).toEqual([[0, 1]]);
      expect([...db.objectStoreNames]).toEqual(['events', 'interactions', 'releases', 'state']);
    } finally {
      db.close();
    }
  });

  it('upgrades a version 1 database with data to version 2 (the sync outbox), keeping the log', async () => {
    const name = `history-mig-${crypto.randomUUID()}`;
    names.push(name);
    const v1 = await openVersion(name, 1, MIGRATIONS);
    const event = { type: 'click', itemId: 'a', at: T0, item: { id: 'a', categories: [], popularity: 0, releaseId: null, stale: true }, synced: 0 } as const;
    await v1.add('events', { ...event } as never);
    await v1.put('state', 'r1', 'lastReleaseId');
    v1.close();

    const history = await openHistory({ name, now: () => T0 });
    try {
      expect((await history.recent(10)).map((e) => [e.seq, e.itemId, e.synced])).toEqual([[1, 'a', 0]]);
      expect(await history.getState('lastReleaseId')).toBe('r1');
      const db = await history.connection.db();
      expect(db.version).toBe(2);
      expect([...db.objectStoreNames]).toEqual(['events', 'interactions', 'outbox', 'releases', 'state']);
      expect(await db.getAll('outbox')).toEqual([]);
    } finally {
      await history.close();
    }
  });

  it('upgrades the current version with data to the next, adding a store and keeping the log', async () => {
    const name = `history-mig-${crypto.randomUUID()}`;
    names.push(name);
    const current: HistoryStore = await openHistory({ name, now: () => T0 });
    await current.append({ type: 'click', itemId: 'a', at: T0 - 3 }, item('a'));
    await current.append({ type: 'hide', itemId: 'b', at: T0 - 2 }, item('b'));
    await current.append({ type: 'hide', itemId: 'c', at: T0 - 1 }, item('c'));
    await current.close();

    const seen: [number, number | null][] = [];
    const next = HISTORY_DB_VERSION + 1;
    // Untyped from here: HistoryDB is the current version's schema.
    const v2 = (await openVersion(name, next, [...MIGRATIONS, addHides], seen)) as unknown as IDBPDatabase;
    expect(seen).toEqual([[HISTORY_DB_VERSION, next]]);
    try {
      expect(v2.version).toBe(next);
      expect([...v2.objectStoreNames]).toEqual(['events', 'hides', 'interactions', 'outbox', 'releases', 'state']);
      expect(await v2.getAll('hides')).toEqual([
        { itemId: 'b', at: T0 - 2 },
        { itemId: 'c', at: T0 - 1 },
      ]);
      expect(((await v2.getAll('events')) as { itemId: string }[]).map((e) => e.itemId)).toEqual(['a', 'b', 'c']);
    } finally {
      v2.close();
    }
  });

  it('rolls the whole upgrade back when a step fails', async () => {
    const name = `history-mig-${crypto.randomUUID()}`;
    names.push(name);
    const failing: Migration = () => Promise.reject(new Error('backfill failed'));
    const attempt = openVersion(name, HISTORY_DB_VERSION + 1, [...MIGRATIONS, failing]);
    await expect(attempt).rejects.toMatchObject({ name: 'AbortError' });
    // Not even the earlier versions' stores were kept: the database does not exist at any version.
    expect((await indexedDB.databases()).find((d) => d.name === name)).toBeUndefined();
  });
});
