/**
 * Tunables of the baselines, in one place; a config passed to a baseline overrides them field
 * by field.
 */

/** Most-popular (popularity.ts). */
export const POPULARITY_DEFAULTS = Object.freeze({
  /**
   * What makes an item popular: its positive train interactions (`positives`), or all of them
   * (`interactions`, rated at all, liked or not). On MovieLens-100K both land within 0.02 of
   * the reference numbers (see evaluate/protocol.ts); positives is what the feed optimises.
   */
  count: 'positives' as 'positives' | 'interactions',
});

/** Logistic regression on the ranker's features (logreg.ts). */
export const LOGREG_DEFAULTS = Object.freeze({
  epochs: 5,
  /**
   * AdaGrad step size. AdaGrad divides by the root of each weight's own squared-gradient sum,
   * so a rare id keeps a large step while a frequent one settles: the right shape for hashed
   * id weights, and 0.1 needs no per-dataset tuning on problems of this size.
   */
  learningRate: 0.1,
  /** Starting value of AdaGrad's accumulators (as TensorFlow's): tames the very first steps. */
  initialAccumulator: 0.1,
  /** Weight of (l2 / 2)·‖w‖² in the loss, applied to the weights a minibatch touches (not the bias). */
  l2: 1e-4,
  batchSize: 64,
  seed: 1,
});

/** EASE and ItemKNN (item-item.ts). */
export const ITEM_ITEM_DEFAULTS = Object.freeze({
  /**
   * EASE's λ grid, chosen on a time-respecting validation slice of train (each user's latest
   * 20% of train), never on test. On MovieLens-100K validation peaks at 200.
   */
  lambdas: Object.freeze([200, 400, 800]) as readonly number[],
  /**
   * Items modelled (the most popular): the inversion costs n³, about 3 s at 1,700 items and
   * 25 s at 3,500 on one core of this machine. Larger catalogues keep their head modelled.
   */
  maxItems: 3000,
  /**
   * Scores an evaluation keeps to reuse (users × catalogue, float32: 16M = 64 MB): the retrieval
   * and feed evaluations score the same users; MovieLens-100K keeps all of them.
   */
  keptScores: 16_000_000,
});
