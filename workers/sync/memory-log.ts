/**
 * The SyncLog in memory: the same semantics as the IndexedDB log (idb-log.ts) without a browser,
 * for Node tests and embedders that keep events elsewhere. Every method copies what it hands
 * out, so callers cannot change the log behind its back, as with a database.
 */
import type { EventType } from '../../src/core/events.ts';
import type { BatchBuilder, LogEvent, OutboxBatch, SyncCounts, SyncLog } from './sync-log.ts';
import { newInstallId } from './random-ids.ts';

interface Entry extends LogEvent {
  synced: 0 | 1 | 2;
}

export class MemorySyncLog implements SyncLog {
  #events: Entry[] = [];
  #seq = 0;
  #assignedThrough: number | null = null;
  readonly #outbox = new Map<string, OutboxBatch>();
  #lastSyncAt: number | null = null;
  #install: { id: string; at: number } | null = null;

  /** Appends an event (what the history does on track); returns its seq. */
  append(event: { type: EventType; itemId: string; at: number; watchSeconds?: number; watchFraction?: number }): number {
    const seq = ++this.#seq;
    this.#events.push({ ...event, seq, synced: 0 });
    return seq;
  }

  /** Every event with its sync flag (tests). */
  events(): Array<LogEvent & { synced: 0 | 1 | 2 }> {
    return this.#events.map((e) => ({ ...e }));
  }

  /** Every batch in the outbox, oldest first (tests). */
  outbox(): OutboxBatch[] {
    return [...this.#outbox.values()].sort((a, b) => a.first - b.first).map((b) => ({ ...b }));
  }

  async start(): Promise<void> {
    this.#assignedThrough ??= 0;
  }

  async nextBatch(): Promise<OutboxBatch | null> {
    const pending = this.outbox().filter((b) => b.state === 'pending');
    return pending[0] ?? null;
  }

  async assign(limit: number, now: number, build: BatchBuilder): Promise<OutboxBatch | null> {
    const from = this.#assignedThrough ?? 0;
    const offered = this.#events.filter((e) => e.seq > from).slice(0, limit);
    if (offered.length === 0) return null;
    const built = build(offered.map(({ synced: _, ...e }) => e));
    const taken = offered.slice(0, Math.max(1, Math.min(built.take, offered.length)));
    const batch: OutboxBatch = {
      batchId: built.batchId,
      first: taken[0]!.seq,
      last: taken[taken.length - 1]!.seq,
      events: taken.length,
      body: built.body,
      createdAt: now,
      state: 'pending',
    };
    this.#outbox.set(batch.batchId, batch);
    this.#assignedThrough = batch.last;
    return { ...batch };
  }

  async ack(batchId: string, at: number): Promise<void> {
    const batch = this.#outbox.get(batchId);
    if (!batch) return;
    this.#outbox.delete(batchId);
    this.#mark(batch, 1);
    this.#lastSyncAt = at;
  }

  async reject(batchId: string, rejection: { status: number; name: string; message: string }): Promise<void> {
    const batch = this.#outbox.get(batchId);
    if (!batch || batch.state === 'rejected') return;
    this.#outbox.set(batchId, { ...batch, state: 'rejected', rejection: { ...rejection } });
    this.#mark(batch, 2);
  }

  async counts(): Promise<SyncCounts> {
    const from = this.#assignedThrough ?? 0;
    let pending = this.#events.filter((e) => e.seq > from).length;
    let rejected = 0;
    for (const b of this.#outbox.values()) {
      if (b.state === 'pending') pending += b.events;
      else rejected += b.events;
    }
    return { pending, rejected, evicted: 0, lastSyncAt: this.#lastSyncAt };
  }

  async installId(now: number, rotateMs: number): Promise<string> {
    if (!this.#install || now - this.#install.at >= rotateMs) this.#install = { id: newInstallId(), at: now };
    return this.#install.id;
  }

  #mark(batch: OutboxBatch, flag: 1 | 2): void {
    for (const e of this.#events) if (e.seq >= batch.first && e.seq <= batch.last && e.synced === 0) e.synced = flag;
  }
}
