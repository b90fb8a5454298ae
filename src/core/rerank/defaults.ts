/**
 * Tunables of the re-ranker, in one place; a field of RerankOptions overrides its counterpart.
 * The values suit a page of 10-50 items drawn from ~500 candidates with 32-128-dim vectors.
 */
export const RERANK_DEFAULTS = Object.freeze({
  /**
   * Cosine above which two items count as the same content (re-uploads, trailers of one film).
   * Item-tower vectors of distinct items in one genre sit around 0.6-0.9; 0.97 leaves those
   * alone and still catches copies after int8 quantisation, which costs about 0.01 of cosine.
   */
  duplicateCosine: 0.97,
  /**
   * MMR weight of relevance. Relevance is normalised to [0, 1] (score / best score), so 0.9
   * means a 0.1 drop in similarity to what is already shown buys a 0.011 drop in relative
   * relevance: a near-copy loses to a different item only slightly worse, not to a bad one.
   * (0.8 cost the served feed 0.002 NDCG@10 on MovieLens-100K for no coverage: the category cap
   * and exploration already spread the page.)
   */
  mmrLambda: 0.9,
  /** maxPerCategory = ceil(count × this): at most a third of a page from one category. */
  maxCategoryShare: 1 / 3,
  /**
   * Freshness multiplier 1 + freshBoost × 2^(−ageDays / halfLife). A 30% head start lets a new
   * upload pass a slightly better old item but not a clearly better one; the half-life of 3 days
   * makes the boost mostly gone (< 1%) after about two weeks, when an item has its own signal.
   */
  freshnessHalfLifeDays: 3,
  freshBoost: 0.3,
  /**
   * explorationSlots = floor(count × this): 1 of 20 (at position 10, the page's middle), none on
   * a page under 20. At 2 of 20 the slot at position 5 cost the served feed 3% of its NDCG@10 on
   * MovieLens-100K; one slot past the first ten keeps exploring at a third of that cost.
   */
  explorationShare: 0.05,
  /**
   * A category is "usual" for the user from this history share on. 0.1 means a real
   * preference even among ~20 genres (where an even spread gives 0.05 each); below it,
   * "Because you watch X" would overclaim, and X still counts as new ground for exploration.
   */
  usualCategoryShare: 0.1,
  /** "Popular now" needs a head item in the top quarter of the candidates' popularity. */
  popularQuantile: 0.75,
  /** "New" up to 2 days old: what a user still reads as new, and within the boost's first half-life. */
  newWithinDays: 2,
});
