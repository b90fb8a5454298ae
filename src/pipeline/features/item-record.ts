/**
 * What a model's `item.*` sources read for one item. The device rebuilds the same record from
 * the shard's columns (workers/), so every field here must survive the shard exactly: upload
 * times are whole UTC days (the shard's `createdDays` column), counts are float32.
 */
import type { Item } from '../data/types.ts';

const DAY_MS = 86_400_000;

export interface ItemRecord {
  id: string;
  categories: readonly string[];
  durationSeconds?: number;
  /** Upload time in ms since the epoch, floored to a whole UTC day. */
  created?: number;
  /** Positive interactions in the training window. */
  popularity: number;
}

export function itemRecord(item: Item, popularity: number): ItemRecord {
  const r: ItemRecord = { id: item.id, categories: item.categories, popularity: Math.fround(popularity) };
  if (item.durationSeconds !== undefined) r.durationSeconds = Math.round(item.durationSeconds);
  if (item.created !== undefined) r.created = Math.floor(item.created / DAY_MS) * DAY_MS;
  return r;
}
