/**
 * Tunables of the feed worker, in one place. The candidate mix (how many, how many from the
 * head) is the feed's composition, shared with the pipeline: src/core/feed FEED_COMPOSITION;
 * the page size is src/core/feed FEED_PAGE, shared with the page.
 */
export const FEED_DEFAULTS = Object.freeze({
  /** The in-memory history view re-reads IndexedDB after this many of its own appends. */
  historyReloadEvery: 50,
  /**
   * A user vector is reused while the history is unchanged, for at most this long: recency
   * weights decay with the clock (a 30-day half-life moves them 0.02% in 10 minutes).
   */
  userVectorMaxAgeMs: 10 * 60_000,
  /** Retrievers kept for the most recent cluster sets (each holds its shards in WASM or GPU memory). */
  retrieversKept: 4,
  /**
   * IVF clusters loaded around the user vector (plus the head shard). On a clustered 100k × 64
   * catalogue (224 clusters) the nearest 3 held 0.86 of the exact top 100, the nearest 4 0.97
   * (npm run bench, retrievalPeers): one more ~60 KB shard buys the 0.95 the peers are held to.
   */
  clusters: 4,
  /**
   * When the cluster shards of a release weigh this much or less in all (about 8,000 items),
   * every cluster is loaded: exact retrieval, and a fetch pattern shared by every device.
   */
  wholeCatalogBytes: 1 << 20,
  /** History events read from IndexedDB per feed (the spec's history features keep their own most recent N of them). */
  historyEvents: 300,
});
