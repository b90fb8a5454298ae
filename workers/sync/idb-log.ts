/**
 * The SyncLog over the IndexedDB history: the `events` store is the log, the `outbox` store
 * (schema version 2) holds the batches, the `state` store the cursor (`syncAssignedThrough`), the
 * install id and the last acknowledgement. Each operation is one transaction, so a tab closed at
 * any point leaves either the batch with its cursor or neither: a reload resends the same batch.
 */
import type { IDBPDatabase, IDBPTransaction } from 'idb';
import { inTransaction, readTransaction } from '../history/index.ts';
import type { HistoryDB, HistoryStore, OutboxRecord, StoredEvent, SyncFlag } from '../history/index.ts';
import { newInstallId } from './random-ids.ts';
import type { BatchBuilder, LogEvent, OutboxBatch, SyncCounts, SyncLog } from './sync-log.ts';

export class IdbSyncLog implements SyncLog {
  readonly #history: HistoryStore;

  constructor(history: HistoryStore) {
    this.#history = history;
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
    for (const b of all) if (b.state === 'pending' && (next === null || b.first < next.first)) next = b;
    return next;
  }

  async assign(limit: number, now: number, build: BatchBuilder): Promise<OutboxBatch | null> {
    const db = await this.#db();
    const tx = db.transaction(['events', 'outbox', 'state'], 'readwrite');
    return inTransaction(tx, 'sync assign', async () => {
      const state = tx.objectStore('state');
      const from = ((await state.get('syncAssignedThrough')) as number | undefined) ?? 0;
      const offered = await tx.objectStore('events').getAll(IDBKeyRange.lowerBound(from, true), limit);
      if (offered.length === 0) return null;
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
      await Promise.all([tx.store.put(next, 'installId'), tx.store.put(now, 'installIdAt')]);
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
      const writes: Promise<unknown>[] = inBatch.filter((e) => e.synced === 0).map((e) => events.put({ ...e, synced: flag }));
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
