/**
 * The feed's composition, written once for both runtimes: the worker serves it and the
 * pipeline's evaluation measures it, so the report's headline is the feed users get.
 *
 *   candidates: up to `headSlots` head items (popular and fresh, alternating), then the user's
 *               nearest items by retrieval score, `candidates` in all (a new user: head only);
 *   features:   each candidate row carries its retrieval score (user vector · item vector) in
 *               `context.retrievalScore`, so the ranker sees how the candidate relates to the
 *               user's history, not only the history's mean;
 *   score:      P(click) × E[watch fraction | click] (expected watch; the click alone without
 *               a watch head);
 *   re-ranking: seen/hidden, near-duplicates, freshness, MMR, category cap, exploration.
 */
import type { HistoryEntry } from '../features/index.ts';
import { rerank, type RerankCandidate, type RerankedItem, type RerankOptions } from '../rerank/index.ts';

export const FEED_COMPOSITION = Object.freeze({
  /** Candidates ranked per feed (the ranker's cost is per row). */
  candidates: 500,
  /**
   * Of the candidates, how many come from the head by popularity and freshness rather than by
   * the user vector (fresh uploads have no history pointing at them).
   */
  headSlots: 50,
  /** Items per next() unless the caller asks otherwise: the page the re-ranker composes. */
  pageSize: 20,
});

/** How many head items a feed takes: all of the budget for a new user, `headSlots` otherwise. */
export function headSlotsFor(personal: boolean, budget: number, headSlots: number = FEED_COMPOSITION.headSlots): number {
  return personal ? Math.min(headSlots, budget) : budget;
}

/**
 * Head items in the order a feed offers them: the most popular and the newest, alternating,
 * each once (ties to the lower index). `created` undefined = unknown upload time.
 */
export function interleaveHead(popularity: ArrayLike<number>, created: ArrayLike<number | undefined>): Uint32Array {
  const n = popularity.length;
  const all = Array.from({ length: n }, (_, i) => i);
  const popular = [...all].sort((a, b) => (popularity[b] ?? 0) - (popularity[a] ?? 0) || a - b);
  const fresh = all.filter((i) => created[i] !== undefined).sort((a, b) => created[b]! - created[a]! || a - b);
  const order: number[] = [];
  const taken = new Uint8Array(n);
  for (let r = 0; order.length < n; r++) {
    for (const list of [popular, fresh]) {
      const i = list[r];
      if (i !== undefined && !taken[i]) {
        taken[i] = 1;
        order.push(i);
      }
    }
  }
  return Uint32Array.from(order);
}

/** The ranker's `context.retrievalScore` of a candidate: user vector · item vector. */
export function retrievalScore(user: Float32Array, item: ArrayLike<number>): number {
  let s = 0;
  for (let k = 0; k < user.length; k++) s += user[k]! * item[k]!;
  return s;
}

/**
 * The `context` scope of each candidate row: its retrieval score, and its rank by that score
 * among the feed's candidates (0 = best), which says the same on every user's scale.
 */
export function candidateContexts(scores: ArrayLike<number>): { retrievalScore: number; retrievalRank: number }[] {
  const order = Array.from({ length: scores.length }, (_, j) => j).sort((a, b) => scores[b]! - scores[a]! || a - b);
  const out = Array.from({ length: scores.length }, (_, j) => ({ retrievalScore: scores[j]!, retrievalRank: 0 }));
  order.forEach((j, r) => (out[j]!.retrievalRank = r));
  return out;
}

/** The feed score of a ranked candidate: expected watch, or P(click) without a watch head. */
export function feedScore(pClick: number, watchFraction: number | null): number {
  return pClick * (watchFraction ?? 1);
}

/**
 * A new user's feed score (no history at all): the item's popularity over the best popularity
 * among the candidates, on [0, 1]. The ranker knows nothing about such a user, and asked anyway
 * it ranked new users' feeds far below most-popular (MovieLens-100K global split, cold users:
 * NDCG@10 0.04-0.20 across builds against 0.33), so it is not asked. Not the head's position:
 * the head alternates popular and fresh items (they are candidates for everyone), and a score
 * falling linearly with position was so flat that MMR reordered the page at will (cold users
 * 0.160); by popularity, 0.336. Fresh items still reach a new user through the re-ranker's
 * freshness boost and exploration slot.
 */
export function newUserScore(popularity: number, bestPopularity: number): number {
  return bestPopularity > 0 && popularity > 0 ? Math.min(popularity / bestPopularity, 1) : 0;
}

/** The best popularity among candidates (for newUserScore); 0 when none is positive. */
export function bestPopularity(popularity: Iterable<number | undefined>): number {
  let best = 0;
  for (const p of popularity) if (p !== undefined && p > best) best = p;
  return best;
}

/** The user's history share per category (for the re-ranker's reasons and exploration). */
export function categoryShares(entries: readonly HistoryEntry[]): Map<string, number> {
  const counts = new Map<string, number>();
  let total = 0;
  for (const e of entries) {
    if (e.type === 'impression' || e.type === 'hide' || e.type === 'skip') continue;
    const cats = (e.item['categories'] as readonly string[] | undefined) ?? [];
    for (const c of cats) counts.set(c, (counts.get(c) ?? 0) + 1 / cats.length);
    if (cats.length > 0) total++;
  }
  for (const [c, n] of counts) counts.set(c, n / Math.max(total, 1));
  return counts;
}

export type ComposeOptions = Pick<RerankOptions, 'count' | 'now' | 'seen' | 'hidden' | 'seed'> & Partial<RerankOptions>;

/** The served feed: ranked candidates through the re-ranker, with the user's category shares. */
export function composeFeed(candidates: RerankCandidate[], history: readonly HistoryEntry[], options: ComposeOptions): RerankedItem[] {
  return rerank(candidates, { userCategories: categoryShares(history), newUser: history.length === 0, ...options });
}
