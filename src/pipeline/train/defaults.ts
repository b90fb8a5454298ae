/**
 * Tunables of model training, in one place. The CLI prints them, tests pin them, and a config
 * passed to `initDcn` / `initTwoTower` / `train*` overrides them field by field.
 */

/** Backends training may run on, in order of preference; see backend.ts for why wasm only. */
export const TRAINING_BACKENDS = Object.freeze(['wasm'] as const);
export type TrainingBackend = (typeof TRAINING_BACKENDS)[number];

/** The minibatch loop shared by both models (fit.ts). */
export const FIT_DEFAULTS = Object.freeze({
  epochs: 5,
  /**
   * 512: large enough that per-step overhead (creating tensors, one kernel call per op) stays
   * small on the wasm backend; the two-tower's in-batch softmax also gets more negatives.
   */
  batchSize: 512,
  /** Adam step size. 3e-3 trains the small models here in a few epochs without diverging. */
  learningRate: 3e-3,
  adamBeta1: 0.9,
  adamBeta2: 0.999,
  adamEpsilon: 1e-7,
  /** Reshuffle the examples every epoch (seeded). */
  shuffle: true,
  /** Rows per call when predicting or embedding; only memory depends on it, not the result. */
  predictBatchSize: 4096,
  /**
   * The DCN's embedding tables of at least this many rows train with lazy Adam (lazy-adam.ts):
   * a step updates the rows its batch read, not the whole table. 65,536 rows is 8,192 items at
   * 8 hash buckets each: MovieLens-100K's 13,456-row item table stays on tfjs's dense Adam (the
   * same numbers as before), while at 50,000 items dense Adam and the table-sized gradients
   * were 71 % of training.
   */
  lazyTableRows: 65_536,
  /** No tail averaging unless asked (the build asks for the DCN: BUILD_DEFAULTS.dcnAverageFrom). */
  averageFrom: null as number | null,
});

/** Initialisation scales shared by both models (variables.ts). */
export const INIT_DEFAULTS = Object.freeze({
  /**
   * Embedding rows are uniform in [-s, s]. Small, so that x0 starts dominated by neither the
   * embeddings nor the numeric inputs (which are standardised, about unit scale).
   */
  embeddingScale: 0.05,
});

/** DCN-V2 ranker (dcn.ts). */
export const DCN_DEFAULTS = Object.freeze({
  /** Columns of every embedding table unless `embeddingDims` names the feature. */
  embeddingDim: 16,
  /** Cross layers x_{l+1} = x0 ⊙ (x_l·W_l + b_l) + x_l. DCN-V2 finds 2-3 enough in practice. */
  crossLayers: 2,
  /**
   * 0 = full W [D, D]; r > 0 = low rank V [D, r]·U [r, D]. Full is cheap for the few-hundred
   * wide x0 of a feed ranker, and the rank is one more thing to tune.
   */
  crossRank: 0,
  /** Hidden sizes of the deep network that runs beside the cross network on x0. */
  deepLayers: Object.freeze([128, 64]) as readonly number[],
  /** The watch-fraction head: created only when the training data has watch fractions. */
  watchHead: true,
  /** Weight of the watch head's loss (BCE against the watch fraction, on clicked rows). */
  watchLossWeight: 1,
});

/** Two-tower retrieval model (two-tower.ts). */
export const TWO_TOWER_DEFAULTS = Object.freeze({
  /** Columns of every embedding table unless `embeddingDims` names the feature. */
  embeddingDim: 32,
  /** Hidden sizes of each tower's MLP (relu); a linear layer to `outputDim` follows. */
  userLayers: Object.freeze([128]) as readonly number[],
  itemLayers: Object.freeze([128]) as readonly number[],
  /** Length of the user and item vectors (what the shards store and the device dots). */
  outputDim: 64,
  /**
   * Score = u·v / temperature on unit vectors. 0.05 turns cosines in [-1, 1] into logits in
   * [-20, 20]: sharp enough for the softmax over in-batch negatives to separate items.
   */
  temperature: 0.05,
  /** Subtract log q_j (the item's share of training positives) from in-batch logits. */
  logQCorrection: true,
  /** Added to logits of in-batch duplicates of the positive, so an item is not its own negative. */
  duplicateMask: -1e9,
});
