/**
 * The SyncLog over the IndexedDB history: the `events` store is the log, the `outbox` store
 * (schema version 2) holds the batches, the `state` store the cursor (`syncAssignedThrough`), the
 * install id and the last acknowledgement. Each operation is one transaction, so a tab closed at
 * any point leaves either the batch with its cursor or neither: a reload resends the same batch.
 *
 * With a `scope` (the feed worker always gives one), only events recorded under that sync mode
 * and feed are sent, and only outbox batches built under them: the cursor passes over the rest,
 * which then never leave the device from this queue (a database shared by feeds of different
 * scopes delivers only each queue's own events; give each feed its own database to sync all).
 */
import type { IDBPDatabase, IDBPTransaction } from 'idb';
import { inTransaction, readTransaction } from '../history/index.ts';
import type { EventScope, HistoryDB, HistoryStore, OutboxRecord, StoredEvent, SyncFlag } from '../history/index.ts';
import { newInstallId } from './random-ids.ts';
import type { BatchBuilder, LogEvent, OutboxBatch, SyncCounts, SyncLog } from './sync-log.ts';

/** Which events a queue may send: those recorded under `mode` and `feed`; untagged ones only unless `strict`. */
export interface SyncScope extends EventScope {
  mode: Exclude<EventScope['mode'], 'off'>;
  /** Events without a scope (logged before scopes existed, or through the bare history API) are not sent. */
  strict: boolean;
  /** Aggregate mode: only items whose snapshot's release popularity is at least this are sent (0: all). */
  minPopularity: number;
}

export class IdbSyncLog implements SyncLog {
  readonly #history: HistoryStore;
  readonly #scope: SyncScope | null;

  constructor(history: HistoryStore, scope: SyncScope | null = null) {
    this.#history = history;
    this.#scope = scope;
  }

  /** Whether this queue may send the event. */
  #sendable(e: StoredEvent): boolean {
    const scope = this.#scope;
    if (!scope) return true;
    if (scope.minPopularity > 0 && !((e.item.popularity ?? 0) >= scope.minPopularity)) return false;
    if (!e.scope) return !scope.strict;
    return e.scope.mode === scope.mode && e.scope.feed === scope.feed;
  }

  /** Whether a stored batch was built under this queue's scope (mode and feed are in its body). */
  #ours(b: OutboxRecord): boolean {
    const scope = this.#scope;
    if (!scope) return true;
    try {
      const body = JSON.parse(b.body) as { mode?: unknown; feed?: unknown };
      return body.mode === scope.mode && body.feed === scope.feed;
    } catch {
      return false;
    }
  }

  #db(): Promise<IDBPDatabase<HistoryDB>> {
    return this.#history.connection.db();
  }

  async start(): Promise<void> {
    const db = await this.#db();
    const tx = db.transaction('state', 'readwrite');
    await inTransaction(tx, 'sync start', async () => {
      if ((await tx.store.get('syncAssignedThrough')) === undefined) await tx.store.put(0, 'syncAssignedThrough');
    });
  }

  async nextBatch(): Promise<OutboxBatch | null> {
    const all = await readTransaction(await this.#db(), 'outbox').store.getAll();
    let next: OutboxRecord | null = null;
    for (const b of all) if (b.state === 'pending' && this.#ours(b) && (next === null || b.first < next.first)) next = b;
    return next;
  }

  async assign(limit: number, now: number, build: BatchBuilder): Promise<OutboxBatch | null> {
    const db = await this.#db();
    const tx = db.transaction(['events', 'outbox', 'state'], 'readwrite');
    return inTransaction(tx, 'sync assign', async () => {
      const state = tx.objectStore('state');
      let from = ((await state.get('syncAssignedThrough')) as number | undefined) ?? 0;
      const events = tx.objectStore('events');
      let offered: StoredEvent[] = [];
      // Other scopes' events are passed over, window by window, until one of ours turns up.
      for (;;) {
        const page = await events.getAll(IDBKeyRange.lowerBound(from, true), limit);
        if (page.length === 0) return null;
        offered = page.filter((e) => this.#sendable(e));
        if (offered.length > 0) break;
        from = page[page.length - 1]!.seq;
        await state.put(from, 'syncAssignedThrough');
      }
      // Synchronous: the transaction stays active through it (see BatchBuilder).
      const built = build(offered.map(toLogEvent));
      const taken = offered.slice(0, Math.max(1, Math.min(built.take, offered.length)));
      const batch: OutboxRecord = {
        batchId: built.batchId,
        first: taken[0]!.seq,
        last: taken[taken.length - 1]!.seq,
        events: taken.length,
        body: built.body,
        createdAt: now,
        state: 'pending',
      };
      await Promise.all([tx.objectStore('outbox').add(batch), state.put(batch.last, 'syncAssignedThrough')]);
      return batch;
    });
  }

  async ack(batchId: string, at: number): Promise<void> {
    await this.#settle(batchId, 'sync ack', 1, (tx) => tx.objectStore('state').put(at, 'lastSyncAt'));
  }

  async reject(batchId: string, rejection: { status: number; name: string; message: string }): Promise<void> {
    await this.#settle(batchId, 'sync reject', 2, (tx, batch) => tx.objectStore('outbox').put({ ...batch, state: 'rejected', rejection }));
  }

  async counts(): Promise<SyncCounts> {
    const db = await this.#db();
    const tx = db.transaction(['events', 'outbox', 'state'], 'readonly');
    tx.done.catch(() => undefined);
    const state = tx.objectStore('state');
    const [from, evicted, lastSyncAt, outbox] = await Promise.all([
      state.get('syncAssignedThrough') as Promise<number | undefined>,
      state.get('syncEvicted') as Promise<number | undefined>,
      state.get('lastSyncAt') as Promise<number | undefined>,
      tx.objectStore('outbox').getAll(),
    ]);
    let pending = await tx.objectStore('events').count(IDBKeyRange.lowerBound(from ?? 0, true));
    let rejected = 0;
    for (const b of outbox) {
      if (b.state === 'pending') pending += b.events;
      else rejected += b.events;
    }
    return { pending, rejected, evicted: evicted ?? 0, lastSyncAt: lastSyncAt ?? null };
  }

  async installId(now: number, rotateMs: number): Promise<string> {
    const db = await this.#db();
    const tx = db.transaction('state', 'readwrite');
    return inTransaction(tx, 'sync installId', async () => {
      const [id, at] = (await Promise.all([tx.store.get('installId'), tx.store.get('installIdAt')])) as [string | undefined, number | undefined];
      if (id !== undefined && at !== undefined && now - at < rotateMs) return id;
      const next = newInstallId();
      const writes = [tx.store.put(next, 'installId'), tx.store.put(now, 'installIdAt')];
      if (id !== undefined) {
        // Kept for forget(): the server may still hold the old id's events.
        const previous = ((await tx.store.get('previousInstallIds')) as string[] | undefined) ?? [];
        writes.push(tx.store.put([...previous, id], 'previousInstallIds'));
      }
      await Promise.all(writes);
      return next;
    });
  }

  /**
   * Settles a batch: `write` updates the outbox (and state), and the batch's events still in the
   * log get their sync flag, all at once. A batch already settled (by another tab) is left alone.
   */
  async #settle(
    batchId: string,
    operation: string,
    flag: SyncFlag,
    write: (tx: SettleTransaction, batch: OutboxRecord) => Promise<unknown>,
  ): Promise<void> {
    const db = await this.#db();
    const tx = db.transaction(['events', 'outbox', 'state'], 'readwrite');
    await inTransaction(tx, operation, async () => {
      const outbox = tx.objectStore('outbox');
      const batch = await outbox.get(batchId);
      if (!batch || batch.state !== 'pending') return;
      const events = tx.objectStore('events');
      // One getAll and all puts at once (as reembed does): a cursor step per event is far slower.
      const inBatch = await events.getAll(IDBKeyRange.bound(batch.first, batch.last));
      const writes: Promise<unknown>[] = inBatch.filter((e) => e.synced === 0 && this.#sendable(e)).map((e) => events.put({ ...e, synced: flag }));
      if (flag === 1) writes.push(outbox.delete(batchId));
      writes.push(write(tx, batch));
      await Promise.all(writes);
    });
  }
}

type SettleTransaction = IDBPTransaction<HistoryDB, ['events', 'outbox', 'state'], 'readwrite'>;

function toLogEvent(e: StoredEvent): LogEvent {
  const out: LogEvent = { seq: e.seq, type: e.type, itemId: e.itemId, at: e.at };
  if (e.watchSeconds !== undefined) out.watchSeconds = e.watchSeconds;
  if (e.watchFraction !== undefined) out.watchFraction = e.watchFraction;
  return out;
}
