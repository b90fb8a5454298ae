/**
 * The event log's reads and writes at the level of IndexedDB requests: the append with its
 * eviction and interaction counts in one transaction, and windows of the newest events. The
 * store (history-store.ts) adds validation, snapshots and the connection around them.
 */
import type { IDBPDatabase, IDBPObjectStore, IDBPTransaction } from 'idb';
import type { EventType } from '../../src/core/events.ts';
import type { HistoryDB, NewEvent, StoredEvent } from './schema.ts';
import { UNSYNCED_HOLD_FACTOR } from './defaults.ts';
import { inTransaction, readTransaction } from './transaction.ts';

type LogTransaction = IDBPTransaction<HistoryDB, ['events', 'interactions', 'state'], 'readwrite'>;
type EventsStore = IDBPObjectStore<HistoryDB, ArrayLike<'events'>, 'events', IDBTransactionMode>;

/**
 * Appends one event and evicts the oldest beyond maxEvents, in one transaction: every tab sees
 * the log within its bound, and the counts always match the log. Returns the event's seq.
 */
export async function appendEvent(db: IDBPDatabase<HistoryDB>, record: NewEvent, maxEvents: number): Promise<number> {
  const tx = db.transaction(['events', 'interactions', 'state'], 'readwrite');
  return inTransaction(tx, 'append', async () => {
    const events = tx.objectStore('events');
    // The key path fills in seq; idb's types want it present on the value.
    const [seq] = await Promise.all([events.add(record as StoredEvent), addCount(tx, record.type, record.itemId, 1)]);
    const count = await events.count();
    if (count > maxEvents) await evictOldest(tx, count, maxEvents);
    return seq;
  });
}

/**
 * Deletes the oldest events beyond maxEvents and takes them off the counts. Usually one: one
 * cursor step. Values are read (not just keys) because the counts need each event's type and item.
 *
 * Once sync has run on this database (state `syncAssignedThrough` present), events the sync
 * queue has not yet put into an outbox batch are not evicted: the log may grow past maxEvents
 * with them, up to maxEvents × UNSYNCED_HOLD_FACTOR; beyond that hard cap the oldest go anyway
 * and are counted in `syncEvicted` (reported in the sync status), never lost silently. Events at
 * or below the cursor are safe to evict: their batch body in the outbox holds what is sent.
 */
async function evictOldest(tx: LogTransaction, count: number, maxEvents: number): Promise<void> {
  const state = tx.objectStore('state');
  const guard = (await state.get('syncAssignedThrough')) as number | undefined;
  const hardCap = guard === undefined ? maxEvents : maxEvents * UNSYNCED_HOLD_FACTOR;
  const removed = new Map<string, { type: EventType; itemId: string; n: number }>();
  let lost = 0;
  let cursor = await tx.objectStore('events').openCursor();
  for (let k = 0; k < count - maxEvents && cursor; k++) {
    const unassigned = guard !== undefined && cursor.key > guard;
    // Seqs ascend: once one is unassigned, all later ones are too; only the hard cap takes them.
    if (unassigned && count - k <= hardCap) break;
    if (unassigned) lost++;
    const { type, itemId } = cursor.value;
    const key = JSON.stringify([type, itemId]);
    const entry = removed.get(key) ?? { type, itemId, n: 0 };
    entry.n++;
    removed.set(key, entry);
    const deleting = cursor.delete();
    [cursor] = await Promise.all([cursor.continue(), deleting]);
  }
  // Hide counts are sticky: a hidden item stays hidden after its events leave the bounded log
  // (until forget()); every other count follows the log.
  const writes = [...removed.values()].filter(({ type }) => type !== 'hide').map(({ type, itemId, n }) => addCount(tx, type, itemId, -n));
  if (lost > 0) writes.push(countEvicted(tx, lost));
  await Promise.all(writes);
}

async function countEvicted(tx: LogTransaction, lost: number): Promise<void> {
  const state = tx.objectStore('state');
  const before = (await state.get('syncEvicted')) as number | undefined;
  await state.put((before ?? 0) + lost, 'syncEvicted');
}

async function addCount(tx: LogTransaction, type: EventType, itemId: string, delta: number): Promise<void> {
  const counts = tx.objectStore('interactions');
  const key: [EventType, string] = [type, itemId];
  const next = ((await counts.get(key)) ?? 0) + delta;
  if (next > 0) await counts.put(next, key);
  else await counts.delete(key);
}

/** Ids of items with at least one event of the given types in the log; one request per type. */
export async function itemsWith(db: IDBPDatabase<HistoryDB>, types: readonly EventType[]): Promise<Set<string>> {
  const counts = readTransaction(db, 'interactions').store;
  // Arrays sort after strings, so [type, []] bounds every [type, itemId].
  const keys = await Promise.all(types.map((type) => counts.getAllKeys(IDBKeyRange.bound([type, ''], [type, []]))));
  const ids = new Set<string>();
  for (const list of keys) for (const [, itemId] of list) ids.add(itemId);
  return ids;
}

/**
 * The newest `limit` events with seq below `below` (all when undefined), oldest first. A key
 * cursor walking back finds the oldest key of the window, then one getAll reads it: values come
 * in one request rather than one cursor step each.
 */
export async function newestEvents(store: EventsStore, limit: number, below?: number): Promise<StoredEvent[]> {
  if (limit === 0) return [];
  const range = below === undefined ? null : IDBKeyRange.upperBound(below, true);
  let cursor = await store.openKeyCursor(range, 'prev');
  if (!cursor) return [];
  if (limit > 1) cursor = await cursor.advance(limit - 1);
  if (!cursor) return store.getAll(range);
  return store.getAll(below === undefined ? IDBKeyRange.lowerBound(cursor.key) : IDBKeyRange.bound(cursor.key, below, false, true));
}
