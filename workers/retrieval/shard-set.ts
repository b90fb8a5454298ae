/**
 * The loaded shards seen as one index space: item `flat` of the set is item `flat - offsets[s]`
 * of shard s. Every backend scores into this space, so duplicates, exclusion and the (shard, item)
 * mapping are decided once, here, and cannot differ between backends.
 */
import { ValidationError } from '../../src/core/errors.ts';
import type { Shard } from '../../src/core/shard/index.ts';

/** Shard indices travel as Uint16Array in results. */
const MAX_SHARDS = 0xffff;
/** Flat indices are u32, and the WebGPU path carries them as float32 (exact below 2^24). */
const MAX_ITEMS = 2 ** 24;

export interface ShardSet {
  readonly shards: readonly Shard[];
  readonly dim: number;
  /** Items over all shards, duplicates included. */
  readonly count: number;
  /** offsets[s] is the flat index of shard s's first item; offsets[shards.length] = count. */
  readonly offsets: Uint32Array;
  /**
   * 1 where the item's id already occurred earlier in shard order. The head shard repeats
   * popular items of the clusters; the first occurrence is kept so the choice does not depend
   * on scores, which differ in the last bits between backends (and between a head copy and a
   * residual cluster copy).
   */
  readonly duplicate: Uint8Array;
  readonly duplicates: number;
  /** Shard index of flat item `flat` (binary search over offsets). */
  shardOf(flat: number): number;
}

export function createShardSet(shards: readonly Shard[]): ShardSet {
  if (!Array.isArray(shards)) throw new ValidationError('shards', 'expected an array of decoded shards');
  if (shards.length > MAX_SHARDS) throw new ValidationError('shards', `at most ${MAX_SHARDS} shards, got ${shards.length}`);
  const dim = shards[0]?.dim ?? 0;
  const offsets = new Uint32Array(shards.length + 1);
  let count = 0;
  shards.forEach((s, i) => {
    if (typeof s !== 'object' || s === null || !(s.embeddings instanceof Int8Array)) {
      throw new ValidationError(`shards[${i}]`, 'expected a decoded Shard (decodeShard)');
    }
    if (s.dim !== dim) throw new ValidationError(`shards[${i}].dim`, `is ${s.dim}, but shards[0].dim is ${dim}`);
    offsets[i] = count;
    count += s.count;
  });
  offsets[shards.length] = count;
  if (count > MAX_ITEMS) throw new ValidationError('shards', `${count} items in all; at most ${MAX_ITEMS} are supported`);

  const { duplicate, duplicates } = findDuplicates(shards, count);
  return Object.freeze({
    shards: Object.freeze([...shards]),
    dim,
    count,
    offsets,
    duplicate,
    duplicates,
    shardOf: (flat: number) => upperBound(offsets, flat) - 1,
  });
}

function findDuplicates(shards: readonly Shard[], count: number): { duplicate: Uint8Array; duplicates: number } {
  const duplicate = new Uint8Array(count);
  // Numeric and string ids live in different key spaces: 7 and "7" are different items.
  const seen = new Set<number | string>();
  let flat = 0;
  let duplicates = 0;
  for (const s of shards) {
    const ids = s.ids;
    for (let i = 0; i < s.count; i++, flat++) {
      const id = ids ? ids[i]! : s.id(i);
      if (seen.has(id)) {
        duplicate[flat] = 1;
        duplicates++;
      } else seen.add(id);
    }
  }
  return { duplicate, duplicates };
}

/** First index whose value is > x, in an ascending array. */
function upperBound(a: Uint32Array, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The checks every backend's search() makes before touching its data. */
export function checkSearchArgs(set: ShardSet, query: unknown, k: unknown): asserts query is Float32Array {
  if (!(query instanceof Float32Array)) throw new ValidationError('query', 'expected a Float32Array');
  if (query.length !== set.dim) {
    throw new ValidationError('query.length', `must equal the shards' dim ${set.dim}, got ${query.length}`);
  }
  for (let j = 0; j < query.length; j++) {
    // A NaN would give NaN scores, which no top k selects: an empty feed with no error.
    if (!Number.isFinite(query[j]!)) throw new ValidationError(`query[${j}]`, `${query[j]} is not finite`);
  }
  if (typeof k !== 'number' || !Number.isInteger(k) || k < 0) {
    throw new ValidationError('k', `must be a non-negative integer, got ${String(k)}`);
  }
}
