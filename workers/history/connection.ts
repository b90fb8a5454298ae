/**
 * One tab's connection to the history database, opened lazily and given up whenever another tab
 * needs the database exclusively. Every tab of the origin (and every worker) holds its own
 * connection to the same database; IndexedDB serialises their readwrite transactions, so the
 * only cooperation needed is around version changes:
 * - another tab upgrades the schema or deletes the database (forget) -> `versionchange` here:
 *   close at once (running transactions still finish), so that tab is not blocked; the next
 *   use opens again (and, after a delete, finds an empty database);
 * - this tab's open or delete waits for a tab that does not close -> `blocked`: reported through
 *   `onBlocked`, and the request completes as soon as that tab closes or goes away. Chromium
 *   also reports it, transiently, for a connection in another thread (a worker, another tab)
 *   that does close on versionchange but later than the browser checked: it is a notice, not
 *   a failure.
 */
import { wrap } from 'idb';
import type { IDBPDatabase } from 'idb';
import { HistoryVersionError } from './errors.ts';
import { HISTORY_DB_VERSION, upgradeHistory } from './migrations.ts';
import type { UpgradeTransaction } from './migrations.ts';
import type { HistoryDB } from './schema.ts';

export interface BlockedInfo {
  operation: 'open' | 'forget';
  /** Version of the connections that hold the database open. */
  currentVersion: number;
  /** Version asked for; null for a delete. */
  requestedVersion: number | null;
}

export interface ConnectionOptions {
  /**
   * The IndexedDB to use: the global one by default, or a Storage Bucket's
   * (`(await navigator.storageBuckets.open('history', { persisted: true })).indexedDB`), which
   * keeps the history apart from evictable caches, with its own quota. Read when first used,
   * never at module load.
   */
  factory?: IDBFactory;
  onBlocked?: (info: BlockedInfo) => void;
}

export class HistoryConnection {
  readonly name: string;
  readonly #factory: IDBFactory | undefined;
  readonly #onBlocked: ((info: BlockedInfo) => void) | undefined;
  #db: Promise<IDBPDatabase<HistoryDB>> | null = null;
  #current: IDBPDatabase<HistoryDB> | null = null;
  /** Connections opened so far; more than one means this tab reconnected after a versionchange. */
  opens = 0;

  constructor(name: string, options: ConnectionOptions = {}) {
    this.name = name;
    this.#factory = options.factory;
    this.#onBlocked = options.onBlocked;
  }

  /**
   * The open connection. Callers create their transaction right after awaiting it: no task runs
   * between the promise settling and that continuation, so a `versionchange` cannot close the
   * connection in between.
   */
  db(): Promise<IDBPDatabase<HistoryDB>> {
    if (!this.#db) {
      const opening = this.#open();
      this.#db = opening;
      // A failed open is not cached: the next call tries again (the other tab may have closed).
      opening.catch(() => {
        if (this.#db === opening) this.#db = null;
      });
    }
    return this.#db;
  }

  /** Closes this tab's connection; a later db() opens a new one. */
  async close(): Promise<void> {
    const current = this.#db;
    this.#db = null;
    this.#current = null;
    if (!current) return;
    try {
      (await current).close();
    } catch {
      // The open failed: there is nothing to close.
    }
  }

  /** Deletes the whole database; waits until every other connection has closed. */
  async delete(): Promise<void> {
    await this.close();
    const request = this.#idb().deleteDatabase(this.name);
    request.addEventListener('blocked', (event) =>
      this.#onBlocked?.({ operation: 'forget', currentVersion: event.oldVersion, requestedVersion: null }),
    );
    await wrap(request);
  }

  #idb(): IDBFactory {
    return this.#factory ?? indexedDB;
  }

  async #open(): Promise<IDBPDatabase<HistoryDB>> {
    let migrationError: unknown;
    const request = this.#idb().open(this.name, HISTORY_DB_VERSION);
    request.addEventListener('upgradeneeded', (event) => {
      // The typed view of what migrations.ts creates; idb's openDB<T> does the same.
      const db = wrap(request.result) as unknown as IDBPDatabase<HistoryDB>;
      const tx = wrap(request.transaction!) as unknown as UpgradeTransaction;
      // An aborted upgrade fails the open itself, reported below; idb's done promise of the
      // upgrade transaction would otherwise be an unhandled rejection.
      tx.done.catch(() => undefined);
      upgradeHistory(db, event.oldVersion, event.newVersion, tx).catch((err: unknown) => {
        migrationError = err;
        tx.abort();
      });
    });
    request.addEventListener('blocked', (event) =>
      this.#onBlocked?.({ operation: 'open', currentVersion: event.oldVersion, requestedVersion: event.newVersion }),
    );
    let db: IDBPDatabase<HistoryDB>;
    try {
      db = (await wrap(request)) as unknown as IDBPDatabase<HistoryDB>;
    } catch (err) {
      if (migrationError !== undefined) throw migrationError;
      if (err instanceof DOMException && err.name === 'VersionError') throw new HistoryVersionError(HISTORY_DB_VERSION, { cause: err });
      throw err;
    }
    // On versionchange (another tab upgrades or deletes) or an abnormal close (the browser
    // cleared site data): close, and let the next use open afresh, unless this tab has already
    // moved on to a newer connection.
    const drop = () => {
      db.close();
      if (this.#current === db) {
        this.#current = null;
        this.#db = null;
      }
    };
    db.addEventListener('versionchange', drop);
    db.addEventListener('close', drop);
    this.opens++;
    this.#current = db;
    return db;
  }
}
