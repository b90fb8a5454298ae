/** Tunables of `ondeck build`, in one place. */
export const BUILD_DEFAULTS = Object.freeze({
  out: 'models',
  epochs: 4,
  seed: 42,
  /** The shared MovieLens copy, relative to the repo root (never committed: its licence forbids it). */
  movielensDir: '../shared/datasets/ml-100k',
  /** Sampled negatives per positive for the ranker when the data logs none (ratings, implicit). */
  negativesPerPositive: 2,
  /** Candidates the feed takes from retrieval before ranking, as the device does. */
  retrievalCandidates: 500,
  /** Head-shard candidates every feed also ranks: the most popular and the freshest items. */
  headPopular: 100,
  headFresh: 100,
  /** K of the feed metrics. */
  feedK: 10,
  /** Minibatch sizes (measured best throughput on the wasm backend, see src/pipeline/train). */
  dcnBatchSize: 512,
  twoTowerBatchSize: 256,
  learningRate: 0.003,
});
