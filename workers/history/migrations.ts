/**
 * Versioned migrations of the history database. MIGRATIONS[v] takes a database at version v to
 * v + 1, so a device that skipped app versions runs every step in order inside the one
 * `versionchange` transaction: either all of them commit or the database stays as it was.
 *
 * How the next version would add a store (say `hides`, so that a hide outlives eviction of the log):
 * 1. schema.ts: add `hides: { key: string; value: { itemId: string; at: number } }` to HistoryDB;
 * 2. here: append a migration; never edit a released one, a device may be at any version:
 *      function addHides(db, tx) {
 *        db.createObjectStore('hides', { keyPath: 'itemId' });
 *        // Backfill from the log with requests on `tx` only: awaiting anything else (a fetch,
 *        // a timer) lets the versionchange transaction commit under the migration.
 *        return backfillFromTypeItemIndex(tx);
 *      }
 *      export const MIGRATIONS = [createV1, addOutbox, addHides];
 * HISTORY_DB_VERSION follows from the list. test/browser/history-migrations.test.ts runs exactly
 * such a step (current version -> the next) on a database with data.
 */
import type { IDBPDatabase, IDBPTransaction, StoreNames } from 'idb';
import type { HistoryDB } from './schema.ts';

export type UpgradeTransaction = IDBPTransaction<HistoryDB, StoreNames<HistoryDB>[], 'versionchange'>;

/** One schema step. May return a promise when it copies data, using requests on `tx` only. */
export type Migration = (db: IDBPDatabase<HistoryDB>, tx: UpgradeTransaction) => void | Promise<void>;

/** Version 1: the event log with its indexes and interaction counts, derived state, release bookkeeping. */
function createV1(db: IDBPDatabase<HistoryDB>): void {
  const events = db.createObjectStore('events', { keyPath: 'seq', autoIncrement: true });
  events.createIndex('at', 'at');
  events.createIndex('itemId', 'itemId');
  events.createIndex('synced', 'synced');
  events.createIndex('typeItem', ['type', 'itemId']);
  // Out-of-line keys [type, itemId]; the value is a count.
  db.createObjectStore('interactions');
  // Out-of-line keys: each state value has its own shape (HistoryStateMap).
  db.createObjectStore('state');
  db.createObjectStore('releases', { keyPath: 'releaseId' });
}

/**
 * Version 2: the sync queue's outbox (workers/sync). Additive: the log and its `synced` index are
 * as they were; batches are keyed by their id and few (one per MAX_BATCH_EVENTS events), so
 * they are read whole and ordered by `first`, without an index.
 */
function addOutbox(db: IDBPDatabase<HistoryDB>): void {
  db.createObjectStore('outbox', { keyPath: 'batchId' });
}

export const MIGRATIONS: readonly Migration[] = Object.freeze([createV1, addOutbox]);

/** The schema version this code writes: one per migration. */
export const HISTORY_DB_VERSION = MIGRATIONS.length;

/**
 * Runs the migrations from `oldVersion` (0 for a new database) up to `newVersion`, each after the
 * previous one finished. The caller aborts the upgrade transaction if the promise rejects.
 */
export function upgradeHistory(
  db: IDBPDatabase<HistoryDB>,
  oldVersion: number,
  newVersion: number | null,
  tx: UpgradeTransaction,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<void> {
  const target = newVersion ?? migrations.length;
  const run = (from: number): Promise<void> => {
    for (let v = from; v < target; v++) {
      const step = migrations[v];
      if (!step) return Promise.reject(new RangeError(`no migration from history schema version ${v} to ${v + 1}`));
      // Synchronous steps run within the upgradeneeded event itself; an asynchronous one (a data
      // copy) is awaited before the next, through microtasks, which keep the transaction alive.
      const pending = step(db, tx);
      if (pending) return pending.then(() => run(v + 1));
    }
    return Promise.resolve();
  };
  return run(oldVersion);
}
