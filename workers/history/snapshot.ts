/**
 * The item snapshot stored with each event, and the watch fraction derived from it. Kept apart
 * from the store so append and reembed build snapshots the same way.
 */
import { ValidationError } from '../../src/core/errors.ts';
import type { ShardItemRecord } from '../../src/core/feed/shard-item.ts';
import type { ItemSnapshot } from './schema.ts';

/** What the worker knows of an item when it records an event: from the shard that served it. */
export interface ItemFeatures {
  record: ShardItemRecord;
  /** The item vector (dequantised from the shard); stored as a Float32Array. */
  embedding?: Float32Array | readonly number[];
}

export interface ItemInput extends ItemFeatures {
  releaseId: string;
}

/**
 * A snapshot from the item's current features. The record is copied, so later changes to the
 * caller's object (or a recycled typed array) cannot reach what was stored.
 */
export function makeSnapshot(itemId: string, item: ItemFeatures, releaseId: string): ItemSnapshot {
  const { record, embedding } = item;
  if (record.id !== itemId) throw new ValidationError('item.id', `must equal the event's itemId (${itemId}), got ${String(record.id)}`);
  const snapshot: ItemSnapshot = { ...record, categories: [...record.categories], releaseId };
  delete snapshot.stale;
  delete snapshot.embedding;
  if (embedding !== undefined) snapshot.embedding = Float32Array.from(embedding);
  return snapshot;
}

/**
 * For an event about an item that no release in use contains (the page tracked an id the worker
 * never served): its id is all that is known, so it starts stale.
 */
export function unknownSnapshot(itemId: string): ItemSnapshot {
  return { id: itemId, categories: [], popularity: 0, releaseId: null, stale: true };
}

/** Seconds watched over the item's duration, in [0, 1]; undefined when either is unknown. */
export function watchFraction(watchSeconds: number | undefined, item: ItemSnapshot): number | undefined {
  const duration = item.durationSeconds;
  if (watchSeconds === undefined || duration === undefined || !(duration > 0)) return undefined;
  // Replays and seeking past the end give more seconds than the item lasts: a full watch.
  return Math.min(watchSeconds / duration, 1);
}
