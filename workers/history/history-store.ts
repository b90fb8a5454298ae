/**
 * The on-device history: an append-only, bounded event log in IndexedDB with item snapshots,
 * plus derived state and release bookkeeping. It lives in the feed worker; the personal history
 * never leaves the device from here (DESIGN.md, Privacy): only the sync queue, later and per its
 * mode, reads the log to send anything.
 */
import { ValidationError } from '../../src/core/errors.ts';
import type { EventType } from '../../src/core/events.ts';
import type { HistoryEntry } from '../../src/core/features/history.ts';
import type { TrackEvent } from '../../src/core/feed/api.ts';
import { HistoryConnection } from './connection.ts';
import type { BlockedInfo } from './connection.ts';
import { DEFAULT_DATABASE_NAME, DEFAULT_MAX_EVENTS } from './defaults.ts';
import { appendEvent, itemsWith, newestEvents } from './event-log.ts';
import { reembedEvents } from './reembed.ts';
import type { ItemLookup, ReembedResult } from './reembed.ts';
import type { EventScope, HistoryStateKey, HistoryStateMap, NewEvent, ReleaseRecord, StoredEvent } from './schema.ts';
import { makeSnapshot, unknownSnapshot, watchFraction } from './snapshot.ts';
import type { ItemInput } from './snapshot.ts';
import { inTransaction, readTransaction } from './transaction.ts';
import { validateTrackEvent } from './validate-event.ts';

export interface HistoryOptions {
  /** Database name, one per app and user; default 'ondeck'. */
  name?: string;
  /** Events kept; the oldest beyond it are evicted on append. Default 5000. */
  maxEvents?: number;
  /** Clock for default event times and the future check; tests pass a fixed one. */
  now?: () => number;
  /** The IndexedDB to use; the global one by default, or a Storage Bucket's (see connection.ts). */
  factory?: IDBFactory;
  /** Another tab holds the database and delays an upgrade or forget() until it closes. */
  onBlocked?: (info: BlockedInfo) => void;
}

/** Events that put an item in the seen set: the re-ranker does not show them again. */
// Every interaction means the item was on screen: a feed never serves it again. A hide is also
// kept apart (hidden()), so it can outlive the seen set if the app clears one of them.
const SEEN_TYPES: readonly EventType[] = ['impression', 'click', 'watch', 'like', 'skip'];

/** Opens (creating or migrating) the history database and returns the store over it. */
export async function openHistory(options: HistoryOptions = {}): Promise<HistoryStore> {
  const name = options.name ?? DEFAULT_DATABASE_NAME;
  const maxEvents = options.maxEvents ?? DEFAULT_MAX_EVENTS;
  if (typeof name !== 'string' || name.length === 0) throw new ValidationError('name', 'must be a non-empty string');
  if (!Number.isInteger(maxEvents) || maxEvents < 1) throw new ValidationError('maxEvents', 'must be an integer ≥ 1');
  const connection = new HistoryConnection(name, { factory: options.factory, onBlocked: options.onBlocked });
  const store = new HistoryStore(connection, maxEvents, options.now ?? Date.now);
  // Open now, so a newer schema on disk (HistoryVersionError) or a blocked upgrade shows at start.
  await store.connection.db();
  return store;
}

export class HistoryStore {
  readonly connection: HistoryConnection;
  readonly maxEvents: number;
  readonly #now: () => number;

  constructor(connection: HistoryConnection, maxEvents: number, now: () => number) {
    this.connection = connection;
    this.maxEvents = maxEvents;
    this.#now = now;
  }

  get name(): string {
    return this.connection.name;
  }

  /**
   * Validates and appends one event with its item snapshot (null: the item is in no release on
   * the device; it is stored stale). Evicts the oldest events beyond maxEvents in the same
   * transaction, so no tab ever sees the log over its bound. `scope`: the sync mode and feed the
   * event is recorded under (the feed always gives it; see EventScope).
   */
  async append(event: TrackEvent, item: ItemInput | null, scope?: EventScope): Promise<StoredEvent> {
    const valid = validateTrackEvent(event, this.#now());
    const snapshot = item ? makeSnapshot(valid.itemId, item, item.releaseId) : unknownSnapshot(valid.itemId);
    const record: NewEvent = { type: valid.type, itemId: valid.itemId, at: valid.at, item: snapshot, synced: 0 };
    if (scope) record.scope = { mode: scope.mode, feed: scope.feed };
    if (valid.watchSeconds !== undefined) {
      record.watchSeconds = valid.watchSeconds;
      const fraction = watchFraction(valid.watchSeconds, snapshot);
      if (fraction !== undefined) record.watchFraction = fraction;
    }
    const seq = await appendEvent(await this.connection.db(), record, this.maxEvents);
    return { ...record, seq };
  }

  /** The newest `limit` events, oldest first (log order). */
  async recent(limit: number): Promise<StoredEvent[]> {
    checkLimit(limit);
    return newestEvents(readTransaction(await this.connection.db(), 'events').store, limit);
  }

  /**
   * The newest `limit` events as the user tower's history entries, oldest first. Stale events
   * (item not in the current release, see reembed.ts) are left out unless asked for, and do not
   * count against the limit.
   */
  async historyEntries(limit: number, options: { includeStale?: boolean } = {}): Promise<HistoryEntry[]> {
    checkLimit(limit);
    const store = readTransaction(await this.connection.db(), 'events').store;
    const batches: StoredEvent[][] = [];
    let need = limit;
    let below: number | undefined;
    // Window by window backwards, each as big as what is still missing: one window when nothing
    // is stale, a few more after a release dropped many items.
    while (need > 0) {
      const batch = await newestEvents(store, need, below);
      const kept = options.includeStale ? batch : batch.filter((e) => !e.item.stale);
      batches.unshift(kept);
      const exhausted = batch.length < need; // the log has nothing older
      need -= kept.length;
      if (exhausted) break;
      below = batch[0]!.seq;
    }
    return batches.flat().map(toHistoryEntry);
  }

  /** Ids of items the user was shown or engaged with (impression, click, watch, like, skip). */
  seen(): Promise<Set<string>> {
    return this.#itemsOf(SEEN_TYPES);
  }

  /** Ids of items the user hid. */
  hidden(): Promise<Set<string>> {
    return this.#itemsOf(['hide']);
  }

  async count(): Promise<number> {
    return readTransaction(await this.connection.db(), 'events').store.count();
  }

  async getState<K extends HistoryStateKey>(key: K): Promise<HistoryStateMap[K] | undefined> {
    const value = await readTransaction(await this.connection.db(), 'state').store.get(key);
    // The store holds each key with its own type (HistoryStateMap); putState is the only writer.
    return value as HistoryStateMap[K] | undefined;
  }

  async putState<K extends HistoryStateKey>(key: K, value: HistoryStateMap[K]): Promise<void> {
    const db = await this.connection.db();
    const tx = db.transaction('state', 'readwrite');
    await inTransaction(tx, 'putState', () => tx.store.put(value, key));
  }

  async deleteState(key: HistoryStateKey): Promise<void> {
    const db = await this.connection.db();
    const tx = db.transaction('state', 'readwrite');
    await inTransaction(tx, 'deleteState', () => tx.store.delete(key));
  }

  /** Records that the feed now runs on `releaseId` (first and last use) and remembers it as the last one. */
  async useRelease(releaseId: string, at: number = this.#now()): Promise<ReleaseRecord> {
    if (typeof releaseId !== 'string' || releaseId.length === 0) throw new ValidationError('releaseId', 'must be a non-empty string');
    const db = await this.connection.db();
    const tx = db.transaction(['releases', 'state'], 'readwrite');
    return inTransaction(tx, 'useRelease', async () => {
      const releases = tx.objectStore('releases');
      const known = await releases.get(releaseId);
      const record: ReleaseRecord = { releaseId, firstUsed: known?.firstUsed ?? at, lastUsed: at };
      await Promise.all([releases.put(record), tx.objectStore('state').put(releaseId, 'lastReleaseId')]);
      return record;
    });
  }

  /** Every release used on this device, oldest first use first. */
  async releases(): Promise<ReleaseRecord[]> {
    const all = await readTransaction(await this.connection.db(), 'releases').store.getAll();
    return all.sort((a, b) => a.firstUsed - b.firstUsed);
  }

  /** Rewrites snapshots into `releaseId`'s embedding space; see reembed.ts for the stale policy. */
  async reembed(releaseId: string, lookup: ItemLookup): Promise<ReembedResult> {
    if (typeof releaseId !== 'string' || releaseId.length === 0) throw new ValidationError('releaseId', 'must be a non-empty string');
    return reembedEvents(await this.connection.db(), releaseId, lookup);
  }

  /**
   * Deletes all local data of this user: the whole database, not just its rows, so nothing of
   * the schema or state lingers. Other tabs close their connections on the versionchange this
   * causes; this store, and theirs, start empty on next use.
   */
  forget(): Promise<void> {
    return this.connection.delete();
  }

  /** Closes the connection (tests, worker shutdown); the next call opens it again. */
  close(): Promise<void> {
    return this.connection.close();
  }

  async #itemsOf(types: readonly EventType[]): Promise<Set<string>> {
    return itemsWith(await this.connection.db(), types);
  }
}

function checkLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 0) throw new ValidationError('limit', 'must be an integer ≥ 0');
}

function toHistoryEntry(e: StoredEvent): HistoryEntry {
  const entry: HistoryEntry = { item: e.item, type: e.type, at: e.at };
  if (e.watchFraction !== undefined) entry.watchFraction = e.watchFraction;
  return entry;
}
