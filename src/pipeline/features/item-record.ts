/**
 * What a model's `item.*` sources read for one item. The device rebuilds the same record from
 * the shard's columns (workers/), so every field here must survive the shard exactly: times are
 * whole seconds (the shard stores u32 seconds), counts are float32.
 */
import type { Item } from '../data/types.ts';

export interface ItemRecord {
  id: string;
  categories: readonly string[];
  durationSeconds?: number;
  /** Upload time in ms since the epoch, floored to a whole second. */
  created?: number;
  /** Positive interactions in the training window. */
  popularity: number;
}

export function itemRecord(item: Item, popularity: number): ItemRecord {
  const r: ItemRecord = { id: item.id, categories: item.categories, popularity: Math.fround(popularity) };
  if (item.durationSeconds !== undefined) r.durationSeconds = Math.round(item.durationSeconds);
  if (item.created !== undefined) r.created = Math.floor(item.created / 1000) * 1000;
  return r;
}
