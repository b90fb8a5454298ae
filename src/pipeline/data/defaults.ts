/**
 * Tunables of the data layer, in one place. Loaders, the generator and the splits read their
 * defaults from here, so the CLI can print them and a test can pin them.
 */
export const DATA_DEFAULTS = Object.freeze({
  /** A rating at or above this is a positive (MovieLens convention: 4 and 5 of 5 stars). */
  positiveRating: 4,
  /**
   * Numeric timestamps are told apart by magnitude. Below 1e11 they are seconds: 1e11 s is the
   * year 5138, while 1e11 ms is 1973-03-03, before any event log we expect. From 1e11 up to
   * 1e14 they are milliseconds (1e14 ms is again the year 5138). Larger values are most likely
   * micro- or nanoseconds and are refused rather than guessed.
   */
  secondsBelow: 1e11,
  millisecondsBelow: 1e14,
});

export const SPLIT_DEFAULTS = Object.freeze({
  /** Per-user split: the share of each user's latest interactions held out. */
  testFraction: 0.2,
  /** Per-user split: users with fewer interactions stay wholly in train. */
  minInteractions: 5,
  /** Global split: the share of all interactions, earliest first, before the cut. */
  trainFraction: 0.8,
});

/**
 * Size and shape of the synthetic video platform. The defaults give about 160k interactions,
 * the size of MovieLens-100K, in well under two seconds.
 */
export const SYNTHETIC_DEFAULTS = Object.freeze({
  users: 2000,
  items: 3000,
  categories: 12,
  days: 60,
  /** A fixed start (2024-01-01 UTC), not the clock, so the same seed gives the same dataset. */
  start: Date.UTC(2024, 0, 1),
  /** Mean sessions per user over the period; activity is log-normal, so a few users do most. */
  sessionsPerUser: 5.5,
  /** Impressions per session, uniform in [min, max]. */
  minImpressions: 10,
  maxImpressions: 20,
  /** Share of items already online before the period starts (the back catalogue). */
  backCatalogShare: 0.4,
});

/** What `interactions` may ask of the synthetic generator (see synthetic.ts sessionsFor). */
export const SYNTHETIC_LIMITS = Object.freeze({
  /** Every user has at least one session, so fewer than this would come out high. */
  minSessionsPerUser: 1,
  /** A user's sessions are log-normal capped at 200; past a mean of 30 the cap bites. */
  maxSessionsPerUser: 30,
});

/** The latent model behind the synthetic clicks and watch times; see synthetic.ts. */
export const SYNTHETIC_MODEL = Object.freeze({
  /** Zipf exponent of item popularity: weight ∝ 1 / rank^s. */
  zipfExponent: 0.9,
  /** Dimension of the user and item latent vectors (taste beyond categories). */
  latentDim: 8,
  /** Share of a user's category preference on their 1-3 favourites. */
  favouriteMass: 0.75,
  /** How the feed picks an impression: by popularity, among recent uploads, or by taste. */
  feedPopular: 0.55,
  feedRecent: 0.3,
  /** Recent means uploaded within this many days. */
  recentDays: 7,
  /** Click logit = bias + taste·log(C·pref) + quality·q + affinity·(u·v) + position·rank. */
  clickBias: -2.1,
  clickTaste: 0.9,
  clickQuality: 0.5,
  clickAffinity: 0.8,
  clickPosition: -0.06,
  /** Watch-fraction logit, for clicked items; taste matters more than for the click itself. */
  watchBias: -0.5,
  watchTaste: 1.1,
  watchQuality: 0.3,
  watchAffinity: 0.4,
  /** Longer videos are watched less completely: subtracted per e-fold over 5 minutes. */
  watchLength: 0.35,
  watchNoise: 0.6,
});

/** The judgement against the synthetic world's truth; see synthetic-truth.ts. */
export const TRUTH_DEFAULTS = Object.freeze({
  /**
   * A user truly likes an item when the world would have them click it, shown in the first
   * feed slot, more often than not. On the default world that is a median of about 90 of 3000
   * items per user (10th percentile about 50, 90th about 180): enough for NDCG@10 and
   * recall@100 to mean something, few enough that popularity alone does not find them.
   */
  minClickProbability: 0.5,
});
