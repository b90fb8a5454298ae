/**
 * An item's `item.*` scope rebuilt from a shard's columns, exactly as the pipeline built it for
 * training (src/pipeline/features/item-record.ts): the column conventions of the release writer
 * (src/pipeline/release/item-columns.ts) are read back here, in one place.
 */
import type { FeatureSpec } from '../features/spec.ts';
import type { Shard } from '../shard/shard.ts';

const DAY_MS = 86_400_000;
/** createdDays of an item whose upload time is unknown. */
export const CREATED_DAYS_UNKNOWN = -0x80000000;

export interface ShardItemRecord {
  id: string;
  categories: string[];
  durationSeconds?: number;
  created?: number;
  popularity: number;
  [field: string]: unknown;
}

/** The category vocabulary the shard's `category` column indexes (1-based), from the spec. */
export function categoryVocab(spec: FeatureSpec): readonly string[] {
  const f = spec.features.find((x) => x.name === 'categories');
  return f && f.kind === 'multi-categorical' && f.vocab ? f.vocab : [];
}

export function shardItemRecord(shard: Shard, i: number, vocab: readonly string[]): ShardItemRecord {
  const has = (name: string) => shard.columns.some((c) => c.name === name);
  const record: ShardItemRecord = { id: String(shard.id(i)), categories: [], popularity: 0 };
  if (has('category')) {
    const col = shard.column('category');
    const width = shard.columns.find((c) => c.name === 'category')!.width;
    for (let k = 0; k < width; k++) {
      const v = col[i * width + k]!;
      if (v > 0 && v <= vocab.length) record.categories.push(vocab[v - 1]!);
    }
  }
  if (has('durationSeconds')) {
    const d = shard.column('durationSeconds')[i]!;
    if (d > 0) record.durationSeconds = d;
  }
  if (has('createdDays')) {
    const days = shard.column('createdDays')[i]!;
    if (days !== CREATED_DAYS_UNKNOWN) record.created = days * DAY_MS;
  }
  if (has('popularity')) record.popularity = shard.column('popularity')[i]!;
  return record;
}
