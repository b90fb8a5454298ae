/** Tunables of the feed worker, in one place. */
export const FEED_DEFAULTS = Object.freeze({
  /** Candidates taken from retrieval before ranking. */
  candidates: 500,
  /** IVF clusters loaded around the user vector (plus the head shard). */
  clusters: 3,
  /** History events read from IndexedDB per feed (the spec's history features keep their own most recent N of them). */
  historyEvents: 300,
  count: 20,
  maxCount: 200,
});
