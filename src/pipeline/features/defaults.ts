/** Tunables of the feature derivation, in one place. */
export const FEATURE_DEFAULTS = Object.freeze({
  /** Up to this many items, item ids get an exact vocabulary (shipped in the spec); beyond, hashing. */
  maxVocabItems: 20_000,
  /** Hash buckets per item when hashing: 8 keeps an item's chance of sharing a bucket near 12%. */
  hashBucketsPerItem: 8,
  /** Categories kept per item (the rest are dropped, in the item's order). */
  maxCategoriesPerItem: 4,
  /** The most recent history entries the towers see. */
  historyLength: 50,
  /**
   * History entries a row keeps (of the events some history feature counts), as the device reads
   * its last 300 events (workers/feed FEED_DEFAULTS.historyEvents): each feature then keeps its
   * own most recent `maxLength`.
   */
  historyEntriesKept: 300,
  /** Recency half-life of history weights. */
  historyHalfLifeDays: 30,
  /** Item age buckets, in days. */
  ageBoundariesDays: [1, 3, 7, 14, 30, 90, 365, 1095, 3650] as readonly number[],
  /** Quantiles that bucket numeric user features (age...). */
  userQuantiles: [0.125, 0.25, 0.375, 0.5, 0.625, 0.75, 0.875] as readonly number[],
  /** String user features with more distinct values than this are left out (zip codes). */
  maxUserVocab: 100,
});
