/**
 * Moves the stored item snapshots into a new release's embedding space.
 *
 * Policy for events whose item the new release's shards (those on the device) do not hold:
 * - the event stays in the log: it is still a fact about the user, the sync queue still owes it
 *   to the server, and the seen and hidden sets still need it (a hidden item must stay hidden
 *   across releases);
 * - its snapshot is marked `stale` and its vector dropped: the vector lives in a space no model
 *   in use reads, and pooling it with vectors of the new space would give a meaningless user
 *   vector;
 * - historyEntries() leaves stale events out by default, so the user tower pools only items the
 *   current release can represent; `includeStale` is there for tools that want the whole past.
 * Stale snapshots keep their old releaseId and are looked up again by every later reembed, so
 * an item that comes back (or a cluster shard loaded later) makes them whole again.
 */
import type { IDBPDatabase } from 'idb';
import { makeSnapshot, watchFraction } from './snapshot.ts';
import type { ItemFeatures } from './snapshot.ts';
import type { HistoryDB, StoredEvent } from './schema.ts';
import { inTransaction } from './transaction.ts';

/**
 * Finds an item in the new release's shards. Synchronous on purpose: the rewrite runs in one
 * IndexedDB transaction, which commits as soon as the code awaits anything that is not one of its
 * own requests, so shards must be loaded before reembed is called.
 */
export type ItemLookup = (itemId: string) => ItemFeatures | null;

export interface ReembedResult {
  /** Events whose snapshot was rewritten from the new release. */
  updated: number;
  /** Events marked stale by this call. */
  staled: number;
  /** Events left as they were: already from this release, or already stale and still missing. */
  unchanged: number;
}

export async function reembedEvents(db: IDBPDatabase<HistoryDB>, releaseId: string, lookup: ItemLookup): Promise<ReembedResult> {
  const tx = db.transaction(['events', 'state'], 'readwrite');
  return inTransaction(tx, 'reembed', async () => {
    const result: ReembedResult = { updated: 0, staled: 0, unchanged: 0 };
    // An item appears in many events (impression, click, watch): look it up once.
    const found = new Map<string, ItemFeatures | null>();
    const find = (itemId: string) => {
      if (!found.has(itemId)) found.set(itemId, lookup(itemId));
      return found.get(itemId) ?? null;
    };
    // One getAll and all puts issued at once: a cursor with an update per step took about 1 ms
    // per event (5 s for a full log), holding every tab's appends back for as long.
    const events = tx.objectStore('events');
    const writes: Promise<unknown>[] = [];
    for (const event of await events.getAll()) {
      const next = rewrite(event, releaseId, () => find(event.itemId));
      if (next === null) {
        result.unchanged++;
        continue;
      }
      if (next.item.stale) result.staled++;
      else result.updated++;
      writes.push(events.put(next));
    }
    writes.push(tx.objectStore('state').put(releaseId, 'embeddingReleaseId'));
    await Promise.all(writes);
    return result;
  });
}

/** The event with its snapshot in the new space, or null when it needs no write. */
function rewrite(event: StoredEvent, releaseId: string, lookup: () => ItemFeatures | null): StoredEvent | null {
  if (event.item.releaseId === releaseId && !event.item.stale) return null;
  const features = lookup();
  if (features) {
    const item = makeSnapshot(event.itemId, features, releaseId);
    const next: StoredEvent = { ...event, item };
    // The duration may differ in the new catalog; watch seconds are what was measured.
    if (event.watchSeconds !== undefined) {
      const fraction = watchFraction(event.watchSeconds, item);
      if (fraction === undefined) delete next.watchFraction;
      else next.watchFraction = fraction;
    }
    return next;
  }
  if (event.item.stale) return null;
  const item = { ...event.item, stale: true as const };
  delete item.embedding;
  return { ...event, item };
}
