/** Tunables of the server's drift figures. */
export const DRIFT_DEFAULTS = Object.freeze({
  /** The recent side of the PSI: events of this window before `now`. */
  windowMs: 24 * 3_600_000,
  /**
   * At most this many recent events (the newest) are binned. PSI over 10-30 bins is steady well
   * before that, and it bounds the work of one /v1/metrics refresh on a busy store.
   */
  maxEvents: 100_000,
  /** Releases whose item tables are kept in memory (the current one and a few to compare with). */
  cachedReleases: 4,
});
