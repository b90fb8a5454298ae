/**
 * The port between the sync queue and where events live. The queue's logic (sync-queue.ts) sees
 * only this interface; idb-log.ts implements it over the IndexedDB history, memory-log.ts in
 * memory (Node tests, embedders without IndexedDB).
 *
 * The log is append-only with strictly increasing seqs. A cursor (`assignedThrough`) splits it:
 * events at or below it belong to an outbox batch, events above it are not batched yet. A batch
 * is a contiguous run of the log and the exact body sent for it, written in the same
 * transaction that moves the cursor, so a reload resends the same batch id with the same bytes.
 */
import type { EventType } from '../../src/core/events.ts';

/** What the queue reads of a logged event. */
export interface LogEvent {
  seq: number;
  type: EventType;
  itemId: string;
  /** Milliseconds since the epoch. */
  at: number;
  watchSeconds?: number;
  watchFraction?: number;
}

export interface OutboxBatch {
  batchId: string;
  /** Seqs of the first and last event in the batch. */
  first: number;
  last: number;
  /** Events of the log it covers. */
  events: number;
  /** The EventBatch as JSON, exactly as sent. */
  body: string;
  createdAt: number;
  state: 'pending' | 'rejected';
  rejection?: { status: number; name: string; message: string };
}

/** What a builder makes of a prefix of the unbatched events. */
export interface BuiltBatch {
  batchId: string;
  body: string;
  /** How many of the offered events (a prefix) it covers; at least 1. */
  take: number;
}

/**
 * Builds a batch from the oldest unbatched events. Synchronous on purpose: the IndexedDB log calls
 * it inside the transaction that stores the batch, which commits if the code awaits anything else.
 */
export type BatchBuilder = (events: readonly LogEvent[]) => BuiltBatch;

export interface SyncCounts {
  /** Events not yet acknowledged: in pending batches or not batched yet. */
  pending: number;
  /** Events in rejected (dead-letter) batches. */
  rejected: number;
  /** Events evicted before they were batched. */
  evicted: number;
  lastSyncAt: number | null;
}

export interface SyncLog {
  /** Marks the log as synced from now on (eviction then holds unbatched events); idempotent. */
  start(): Promise<void>;
  /** The oldest pending batch (by seq), or null. */
  nextBatch(): Promise<OutboxBatch | null>;
  /**
   * Offers up to `limit` of the oldest unbatched events to `build` and stores the batch it
   * returns, moving the cursor past the events it took, atomically. Null when nothing is unbatched.
   */
  assign(limit: number, now: number, build: BatchBuilder): Promise<OutboxBatch | null>;
  /** The server acknowledged the batch: drop it from the outbox and mark its events synced. No-op if already done. */
  ack(batchId: string, at: number): Promise<void>;
  /** The server refused the batch for good: keep it as a dead letter, never resend it. */
  reject(batchId: string, rejection: { status: number; name: string; message: string }): Promise<void>;
  counts(): Promise<SyncCounts>;
  /** The install id for pseudonymous batches, made or rotated when older than `rotateMs`. */
  installId(now: number, rotateMs: number): Promise<string>;
}
