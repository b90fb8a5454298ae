import { freshnessMultiplier } from './freshness.ts';
import type { ResolvedRerankOptions } from './options.ts';
import type { RerankCandidate } from './types.ts';

/**
 * The candidates still in play, as parallel arrays indexed by rank: index 0 is the best base
 * score. Ranking once up front gives every later step one deterministic tie-break (lower index
 * wins) and lets "keep the better-scored near-duplicate" be a comparison of indices.
 */
export interface Pool {
  size: number;
  dim: number;
  items: readonly RerankCandidate[];
  /** The items' embeddings, by rank; used in place, not copied (no 260 kB block per feed). */
  embeddings: readonly Float32Array[];
  /** 1 / ‖embedding‖, or 0 for a zero vector (whose cosine with anything is then 0). */
  invNorms: Float64Array;
  /** Base score × freshness multiplier. */
  boosted: Float64Array;
  /** Category ids of each item, indices into `categoryNames`, duplicates removed. */
  categories: readonly Int32Array[];
  categoryNames: readonly string[];
}

/**
 * Step 1 (drop seen and hidden) and step 3 (freshness boost) of rerank(). A repeated id (the
 * same item from the head shard and from retrieval) keeps its better-scored copy: the feed
 * must never show one item twice, whatever the near-duplicate threshold.
 */
export function buildPool(candidates: readonly RerankCandidate[], dim: number, o: ResolvedRerankOptions): Pool {
  const visible: RerankCandidate[] = [];
  for (const c of candidates) if (!o.seen.has(c.id) && !o.hidden.has(c.id)) visible.push(c);
  // Score descending, then id in code-unit order (not locale order, which differs between
  // devices): the order, and so the feed, does not depend on the order of the input.
  visible.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const ids = new Set<string>();
  const items: RerankCandidate[] = [];
  for (const c of visible) {
    if (ids.has(c.id)) continue;
    ids.add(c.id);
    items.push(c);
  }

  const size = items.length;
  const embeddings: Float32Array[] = [];
  const invNorms = new Float64Array(size);
  const boosted = new Float64Array(size);
  const categories: Int32Array[] = [];
  const categoryIndex = new Map<string, number>();
  const categoryNames: string[] = [];
  for (let i = 0; i < size; i++) {
    const c = items[i]!;
    const e = c.embedding;
    embeddings.push(e);
    let ss = 0;
    for (let k = 0; k < dim; k++) ss += e[k]! * e[k]!;
    invNorms[i] = ss > 0 ? 1 / Math.sqrt(ss) : 0;
    boosted[i] = c.score * freshnessMultiplier(c.created, o.now, o.freshnessHalfLifeDays, o.freshBoost);
    const own: number[] = [];
    for (const name of c.categories) {
      let id = categoryIndex.get(name);
      if (id === undefined) {
        id = categoryNames.length;
        categoryIndex.set(name, id);
        categoryNames.push(name);
      }
      if (!own.includes(id)) own.push(id);
    }
    categories.push(new Int32Array(own));
  }
  return { size, dim, items, embeddings, invNorms, boosted, categories, categoryNames };
}

/**
 * Cosine of pool items i and j, clamped to [−1, 1] (rounding can overshoot by a hair; clamped,
 * a threshold of 1 never fires). Symmetric to the bit: the products are the same in either
 * order, and invNorm(i) × invNorm(j) is commutative where (dot × inv_i) × inv_j is not, so
 * every caller agrees on which side of a threshold a pair lies.
 */
export function poolCosine(pool: Pool, i: number, j: number): number {
  const dim = pool.dim;
  const a = pool.embeddings[i]!;
  const b = pool.embeddings[j]!;
  // Four independent accumulators let the CPU overlap the multiply-adds (as vectors/dot.ts).
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let k = 0;
  for (; k + 3 < dim; k += 4) {
    s0 += a[k]! * b[k]!;
    s1 += a[k + 1]! * b[k + 1]!;
    s2 += a[k + 2]! * b[k + 2]!;
    s3 += a[k + 3]! * b[k + 3]!;
  }
  for (; k < dim; k++) s0 += a[k]! * b[k]!;
  const c = (s0 + s1 + (s2 + s3)) * (pool.invNorms[i]! * pool.invNorms[j]!);
  return c > 1 ? 1 : c < -1 ? -1 : c;
}
