import { checkK } from './check.ts';

// Ranking metrics for one user with binary relevance: `ranked` is what the system showed,
// best first; `relevant` is what the user engaged with in the test window.
//
// Conventions, shared by all four so that they agree with each other:
// - A user with no relevant items gets NaN: recall, NDCG and AP are undefined there (0/0), and
//   precision would be 0 for a reason that has nothing to do with the model. Average with
//   `meanOver`, which skips NaN and reports how many users it skipped.
// - Duplicates in `ranked` count once: the first occurrence of a relevant item is a hit, later
//   ones are misses that still take a slot. A feed that shows an item twice wastes a slot, so
//   precision and NDCG go down, and recall can never exceed 1.
// - A list shorter than k is padded with misses: precision@k divides by k, not by the length.
// - k must be an integer >= 1.

/** An item id as the catalog spells it. */
export type Id = number | string;

/**
 * Walks the first k positions and reports, for each, whether it is a first-time hit. One
 * helper so that every metric applies the same duplicate rule. Returns hits (0-based ranks).
 */
/** What the metrics read of the relevant items: membership and count (a Set, or a lighter view). */
export type Relevant<T> = Pick<ReadonlySet<T>, 'has' | 'size'>;

function hitRanks<T extends Id>(ranked: readonly T[], relevant: Relevant<T>, k: number): number[] {
  const seen = new Set<T>();
  const hits: number[] = [];
  const end = Math.min(k, ranked.length);
  for (let i = 0; i < end; i++) {
    const id = ranked[i]!;
    if (!relevant.has(id) || seen.has(id)) continue;
    seen.add(id);
    hits.push(i);
  }
  return hits;
}

/** Relevant items found in the top k / all relevant items. */
export function recallAtK<T extends Id>(ranked: readonly T[], relevant: Relevant<T>, k: number): number {
  checkK(k);
  if (relevant.size === 0) return NaN;
  return hitRanks(ranked, relevant, k).length / relevant.size;
}

/** Relevant items found in the top k / k. */
export function precisionAtK<T extends Id>(ranked: readonly T[], relevant: Relevant<T>, k: number): number {
  checkK(k);
  if (relevant.size === 0) return NaN;
  return hitRanks(ranked, relevant, k).length / k;
}

/**
 * NDCG@k = DCG@k / IDCG@k with DCG = Σ_{hit at 1-based rank r ≤ k} 1 / log2(r + 1), and the
 * ideal DCG puts min(|relevant|, k) hits at ranks 1, 2, ...
 */
export function ndcgAtK<T extends Id>(ranked: readonly T[], relevant: Relevant<T>, k: number): number {
  checkK(k);
  if (relevant.size === 0) return NaN;
  let dcg = 0;
  for (const i of hitRanks(ranked, relevant, k)) dcg += 1 / Math.log2(i + 2);
  let idcg = 0;
  const ideal = Math.min(relevant.size, k);
  for (let i = 0; i < ideal; i++) idcg += 1 / Math.log2(i + 2);
  return dcg / idcg;
}

/**
 * Average precision at k, the usual RecSys normalisation:
 * AP@k = (1 / min(|relevant|, k)) · Σ_{hit at 1-based rank r ≤ k} precision@r.
 * Dividing by min(|relevant|, k) rather than |relevant| means a perfect top k scores 1 even
 * when the user has more than k relevant items. MAP@k is the mean of this over users
 * (`meanOver`).
 */
export function mapAtK<T extends Id>(ranked: readonly T[], relevant: Relevant<T>, k: number): number {
  checkK(k);
  if (relevant.size === 0) return NaN;
  const hits = hitRanks(ranked, relevant, k);
  let sum = 0;
  for (let h = 0; h < hits.length; h++) sum += (h + 1) / (hits[h]! + 1);
  return sum / Math.min(relevant.size, k);
}
