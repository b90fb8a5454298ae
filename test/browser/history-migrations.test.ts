// The migration chain: a new database runs every step from version 0, and the next version adds
// a store with a backfill from the log, as migrations.ts documents, on a database with data.
import { afterEach, describe, expect, it } from 'vitest';
import { openDB, unwrap } from 'idb';
import { HISTORY_DB_VERSION, MIGRATIONS, openHistory, upgradeHistory } from '../../workers/history/index.ts';
import type { IDBPDatabase } from 'idb';
import type { HistoryDB, HistoryStore, ItemInput, Migration, UpgradeTransaction } from '../../workers/history/index.ts';

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
 * The documented version 2: a `hides` store keyed by item id, backfilled from the log's hide
 * events with requests on the upgrade transaction only. It names a store HistoryDB does not
 * have yet, so it works on the unwrapped database, as a real v2 would with its own schema type.
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

  it('upgrades a version 1 database with data to version 2, adding a store and keeping the log', async () => {
    const name = `history-mig-${crypto.randomUUID()}`;
    names.push(name);
    const v1: HistoryStore = await openHistory({ name, now: () => T0 });
    await v1.append({ type: 'click', itemId: 'a', at: T0 - 3 }, item('a'));
    await v1.append({ type: 'hide', itemId: 'b', at: T0 - 2 }, item('b'));
    await v1.append({ type: 'hide', itemId: 'c', at: T0 - 1 }, item('c'));
    await v1.close();

    const seen: [number, number | null][] = [];
    // Untyped from here: HistoryDB is version 1's schema.
    const v2 = (await openVersion(name, 2, [...MIGRATIONS, addHides], seen)) as unknown as IDBPDatabase;
    expect(seen).toEqual([[1, 2]]);
    try {
      expect(v2.version).toBe(2);
      expect([...v2.objectStoreNames]).toEqual(['events', 'hides', 'interactions', 'releases', 'state']);
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
    const attempt = openVersion(name, 2, [...MIGRATIONS, failing]);
    await expect(attempt).rejects.toMatchObject({ name: 'AbortError' });
    // Not even version 1's stores were kept: the database does not exist at any version.
    expect((await indexedDB.databases()).find((d) => d.name === name)).toBeUndefined();
  });
});
