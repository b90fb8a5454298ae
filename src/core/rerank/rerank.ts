import { CategoryCap } from './category-cap.ts';
import { checkCandidates } from './check-candidates.ts';
import { explorationPositions, pickExploration } from './exploration.ts';
import { selectMmr } from './mmr.ts';
import { NearDuplicates } from './near-duplicates.ts';
import { resolveRerankOptions } from './options.ts';
import { buildPool } from './pool.ts';
import { mulberry32 } from '../random.ts';
import { Reasons } from './reasons.ts';
import type { RerankCandidate, RerankOptions, RerankedItem } from './types.ts';
import { usualShare } from './user-categories.ts';

/**
 * The last stage of the feed on the device, after retrieval and ranking. In order:
 *
 * 1. Drop items in `seen` or `hidden`, and repeated ids (keeping the better-scored copy).
 * 2. Drop near-duplicates: walking best base score first, an item whose cosine with an item
 *    already kept exceeds `duplicateCosine` goes, so of two near-copies the better-scored stays
 *    (near-duplicates.ts; decided lazily, with the same result).
 * 3. Freshness: score × (1 + freshBoost × 2^(−ageDays / freshnessHalfLifeDays)) (freshness.ts).
 * 4. Greedy MMR with `mmrLambda` and at most `maxPerCategory` items per category picks
 *    count − explorationSlots items (mmr.ts).
 * 5. Exploration: `explorationSlots` items from those not yet picked, preferring categories the
 *    user does not usually watch, drawn by a PRNG seeded with `seed`, placed at fixed spread
 *    positions, e.g. 5 and 15 (0-based) of 20 (exploration.ts).
 * 6. A short reason for every item (reasons.ts).
 *
 * Deterministic: the same candidates and options give the same feed, whatever the order of
 * the candidates (unless one id comes twice with equal scores: then the first copy wins). Fewer
 * usable candidates than `count` give a shorter feed, never a repeat or a seen/hidden item.
 * Cost: O(n log n + count × n × dim) for n candidates at most, plus one pass over the pool per
 * kept item found to have copies; lazy deduplication and lazy MMR make the usual cost a small
 * part of that (about 1 ms for 500 × 64 -> 50 in Node). Throws ValidationError naming the field
 * for bad options or candidates.
 */
export function rerank(candidates: readonly RerankCandidate[], options: RerankOptions): RerankedItem[] {
  const o = resolveRerankOptions(options);
  const dim = checkCandidates(candidates);
  const pool = buildPool(candidates, dim, o);
  if (pool.size === 0) return [];

  const dups = new NearDuplicates(pool, o.duplicateCosine);
  const cap = new CategoryCap(pool, o.maxPerCategory);
  const main = selectMmr(pool, dups, cap, o.mmrLambda, o.count - o.explorationSlots);

  const taken = new Uint8Array(pool.size);
  for (const i of main) taken[i] = 1;
  // Flags per category id, so the exploration draws test an item without string lookups.
  const usual = pool.categoryNames.map((c) => usualShare(o, c) > 0);
  const novel = (i: number): boolean => !pool.categories[i]!.some((id) => usual[id]!);
  const explored = pickExploration(pool, dups, cap, taken, novel, mulberry32(o.seed), o.explorationSlots);

  // Lay out the page: exploration items at their positions, MMR items in order around them.
  // On a short page a slot past the end is not reached and its item follows the MMR items.
  const slots = new Set(explorationPositions(o.count, o.explorationSlots));
  const reasons = new Reasons(pool, o);
  const length = main.length + explored.length;
  const out: RerankedItem[] = [];
  let m = 0;
  let e = 0;
  for (let position = 0; position < length; position++) {
    const exploring = e < explored.length && (m >= main.length || slots.has(position));
    const i = exploring ? explored[e++]! : main[m++]!;
    const c = pool.items[i]!;
    out.push({
      id: c.id,
      score: pool.boosted[i]!,
      pClick: c.pClick,
      watchFraction: c.watchFraction,
      reason: reasons.of(i, exploring),
      position,
    });
  }
  return out;
}
