/**
 * The re-ranker's contract: what the ranking stage hands over, the knobs of one feed request,
 * and what the feed shows. Types only.
 */

/** One ranked candidate, as the ranking stage (DCN) leaves it. */
export interface RerankCandidate {
  id: string;
  /** Base feed score: pClick × (watchFraction ?? 1), i.e. expected watch. Finite, ≥ 0. */
  score: number;
  /** In [0, 1]. */
  pClick: number;
  /** Expected watch fraction if clicked, ≥ 0; null when the release has no watch head. */
  watchFraction: number | null;
  /**
   * Item vector of the two-tower item tower, unit norm in principle. Norms are divided out
   * anyway, so dequantised int8 vectors (a hair off unit length) compare correctly; all
   * candidates must share one length.
   */
  embedding: Float32Array;
  categories: readonly string[];
  /** Upload time, ms since the epoch; absent when unknown (no freshness boost, never "New"). */
  created?: number;
  /** Popularity aggregate from the shard (any finite scale; only compared with other candidates). */
  popularity: number;
  /** `head`: from the popular-and-fresh head shard; `retrieval`: from the user's IVF clusters. */
  source: 'retrieval' | 'head';
}

/**
 * One feed request. Optional fields default from RERANK_DEFAULTS (defaults.ts), which says why
 * each value was chosen.
 */
export interface RerankOptions {
  /** Items wanted; a positive integer. */
  count: number;
  /** Current time, ms since the epoch (passed in, not read, so the result is reproducible). */
  now: number;
  /** Ids already shown to the user: never shown again. */
  seen: ReadonlySet<string>;
  /** Ids the user hid: never shown. */
  hidden: ReadonlySet<string>;
  /** Seeds the exploration PRNG: same input and seed, same feed. Any integer. */
  seed: number;
  /** Two items with cosine above this are near-duplicates; the better-scored one stays. In [−1, 1]. */
  duplicateCosine?: number;
  /** MMR trade-off in [0, 1]: 1 is relevance only, 0 diversity only. */
  mmrLambda?: number;
  /** Most items sharing one category; a positive integer. Default ceil(count × maxCategoryShare). */
  maxPerCategory?: number;
  /** Age at which the freshness boost has halved; > 0. */
  freshnessHalfLifeDays?: number;
  /** Relative boost of an item uploaded just now (0.3: × 1.3); ≥ 0. 0 turns freshness off. */
  freshBoost?: number;
  /** Exploration items in the feed, 0..count. Default floor(count × explorationShare). */
  explorationSlots?: number;
  /** The user's history share per category (0..1), for exploration and reasons. */
  userCategories?: ReadonlyMap<string, number>;
  /**
   * The user has no history yet: nothing in the feed is personal, so the last-resort reason is
   * "Popular with everyone", not "Recommended for you". Default false.
   */
  newUser?: boolean;
  /** A category is one the user usually watches when its share is at least this; in [0, 1]. */
  usualCategoryShare?: number;
  /** A head item is "Popular now" at or above this popularity quantile of the candidates; in [0, 1]. */
  popularQuantile?: number;
  /** An item is "New" up to this age in days; ≥ 0. */
  newWithinDays?: number;
}

/** One feed entry. */
export interface RerankedItem {
  id: string;
  /** The base score after boosts (freshness): what relevance in MMR was computed from. */
  score: number;
  pClick: number;
  watchFraction: number | null;
  /** Why this item is here, in a few words (reasons.ts). */
  reason: string;
  /** 0-based index in the feed (equal to the index in the returned array). */
  position: number;
}
