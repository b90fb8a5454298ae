/**
 * Scoring and reading back a shard's items, whatever its quantisation. Retrieval, re-embedding
 * the history after a release change and the pipeline's parity checks all go through here, so
 * the residual centroid is added back in one place.
 */
import { dotF32 } from '../vectors/dot.ts';
import { scoreRowsInt8 } from '../vectors/score.ts';
import type { Shard } from './shard.ts';
import { ShardLookupError } from './errors.ts';

/** score[i] = query · item_i for every item of the shard (into `out` when given). */
export function scoreShard(query: Float32Array, shard: Shard, out?: Float32Array): Float32Array {
  const scores = scoreRowsInt8(query, shard.embeddings, shard.scales, shard.dim, out);
  if (shard.quantization === 'int8-residual') {
    // query · (centroid + r_i) = query · centroid + query · r_i: one extra dot for the shard.
    const base = dotF32(query, shard.centroid!);
    for (let i = 0; i < shard.count; i++) scores[i]! += base;
  }
  return scores;
}

/** Item i's dequantised embedding (centroid added back for residual shards). */
export function itemVector(shard: Shard, i: number, out?: Float32Array): Float32Array {
  if (!Number.isInteger(i) || i < 0 || i >= shard.count) {
    throw new ShardLookupError(`item index ${i} is out of range: the shard has ${shard.count} items`, i);
  }
  const dim = shard.dim;
  const v = out ?? new Float32Array(dim);
  const s = shard.scales[i]!;
  const base = i * dim;
  const c = shard.quantization === 'int8-residual' ? shard.centroid! : null;
  for (let j = 0; j < dim; j++) v[j] = shard.embeddings[base + j]! * s + (c ? c[j]! : 0);
  return v;
}
