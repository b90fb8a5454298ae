import { availableParallelism } from 'node:os';

/** Tunables of `ondeck build`, in one place. */
export const BUILD_DEFAULTS = Object.freeze({
  out: 'models',
  epochs: 4,
  seed: 42,
  /**
   * Threads of a build: 2 runs protocol (2) and the refit each on a worker thread beside
   * protocol (1), keeping both cores busy; 1 runs everything on the main thread. Each thread
   * runs tfjs-wasm single-threaded (see train/backend.ts).
   */
  threads: Math.min(2, availableParallelism()),
  /** Nice value of the job threads (protocol (2), the refit): they yield to the main thread's chain. */
  jobThreadNice: 10,
  /**
   * Above this many interactions the refit runs on the main thread after protocol (1), not on a
   * thread of its own: each thread holds its own copy of the data (about 1.3 GB at 10M), and at
   * 10M three copies took the build past its 8 GB. Below it, three threads keep both cores busy
   * to the end (MovieLens: 66 s).
   */
  refitThreadMaxInteractions: 2_000_000,
  /** The shared MovieLens copy, relative to the repo root (never committed: its licence forbids it). */
  movielensDir: '../shared/datasets/ml-100k',
  // The candidate mix (how many, how many from the head) is the feed's: src/core/feed FEED_COMPOSITION.
  /** K of the feed metrics. */
  feedK: 10,
  /** Length of item and user vectors (the rank of the item-item factorisation). */
  retrievalDim: 64,
  /** Items the item-item model covers (the most popular); see baselines ITEM_ITEM_DEFAULTS. */
  itemItemMaxItems: 3000,
  /**
   * History lengths tried on validation (the user tower's pool): the features' default, and all
   * the device reads (workers/feed FEED_DEFAULTS.historyEvents).
   */
  historyLengths: Object.freeze([50, 300]) as readonly number[],
  /** A longer history wins only by more than this share of validation NDCG@10 (0.005 = 0.5%). */
  historyLengthTolerance: 0.005,
  /** Order-recency half-lives tried on validation, in events (null: none). */
  historyHalfLivesEvents: Object.freeze([null, 8, 16, 32]) as readonly (number | null)[],
  /** The ranker's rows: feeds per validation user, and per feed every positive plus these negatives. */
  rankerListsPerUser: 1,
  rankerRandomNegatives: 60,
  /** Every n-th validation user is held out to choose the DCN's epochs. */
  rankerHoldoutEvery: 5,
  /**
   * The shipped DCN's weights are the mean over the steps of its last epoch from this share on
   * (train/weight-average.ts, chosen on a validation world). MovieLens-100K, served NDCG@10 at
   * seeds 42, 1 and 2: 1.043, 1.025 and 1.065x the best baseline with the last step's weights;
   * 1.059, 1.085 and 1.067x with the mean over the second half.
   */
  dcnAverageFrom: 0.5,
  /** Minibatch sizes (measured best throughput on the wasm backend, see src/pipeline/train). */
  dcnBatchSize: 512,
  /**
   * Large data: test users evaluated per protocol (a seeded sample beyond this; the report gives
   * the sample and a 95% interval of NDCG@10), and validation users whose feeds choose the
   * retrieval settings and make the ranker's rows. Evaluation costs users x catalogue, so
   * without a bound it grows with the square of the data. The demo (about 2,000 users) is
   * below both: it is evaluated on everyone.
   */
  evaluationUsers: 5000,
  validationUsers: 5000,
  learningRate: 0.003,
});
