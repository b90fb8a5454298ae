/**
 * From one score per flat item to the SearchResult: src/core topK (ties to the lower index),
 * duplicates and the caller's exclusions skipped lazily, flat indices mapped to (shard, item).
 * The js and wasm backends end here; the webgpu backend ends in the same mapping (toResult).
 */
import { topK } from '../../src/core/vectors/index.ts';
import type { ShardSet } from './shard-set.ts';
import type { ExcludeFn, SearchResult } from './types.ts';

export function selectTopK(set: ShardSet, scores: Float32Array, k: number, exclude?: ExcludeFn): SearchResult {
  const dup = set.duplicate;
  const skip =
    exclude === undefined
      ? set.duplicates === 0
        ? undefined
        : (i: number) => dup[i] === 1
      : (i: number) => {
          if (dup[i] === 1) return true;
          const s = set.shardOf(i);
          return exclude(s, i - set.offsets[s]!);
        };
  const top = skip === undefined ? topK(scores, k) : topK(scores, k, { exclude: skip });
  return toResult(set, top.indices, top.scores);
}

/** Flat indices and their scores (already in order) -> (shard, item, score). */
export function toResult(set: ShardSet, flat: ArrayLike<number>, scores: ArrayLike<number>): SearchResult {
  const n = flat.length;
  const shard = new Uint16Array(n);
  const item = new Uint32Array(n);
  const score = new Float32Array(n);
  for (let r = 0; r < n; r++) {
    const f = flat[r]!;
    const s = set.shardOf(f);
    shard[r] = s;
    item[r] = f - set.offsets[s]!;
    score[r] = scores[r]!;
  }
  return { shard, item, score };
}
