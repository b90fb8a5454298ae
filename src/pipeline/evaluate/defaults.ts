/**
 * Tunables of the evaluation harness, in one place, so the CLI can print them and the report
 * can quote them.
 */
export const EVALUATE_DEFAULTS = Object.freeze({
  /** Cutoffs of Recall@K for retrieval: the ranker sees a few hundred candidates at most. */
  retrievalKs: Object.freeze([10, 50, 100]) as readonly number[],
  /** The cutoffs of the Recall@K curve the report plots. */
  curveKs: Object.freeze([10, 20, 50, 100, 200]) as readonly number[],
  /** Length of a feed page: NDCG / Precision / MAP at this k, coverage and diversity of these lists. */
  feedK: 10,
});
