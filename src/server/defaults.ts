/** Tunables of the server, in one place. Every one can be overridden through ServerOptions. */
export const SERVER_DEFAULTS = Object.freeze({
  port: 8787,
  host: '127.0.0.1',
  /** Lifetime of a device token from POST /v1/tokens. */
  tokenTtlSeconds: 3600,
  /**
   * Token buckets (requests per second, burst). A device syncs every few seconds at most; an IP
   * may hide many devices behind NAT, hence the larger bucket. Server-to-server requests
   * (Authorization: Key) are not limited. 0 turns a limit off (the load benchmark does that).
   */
  rateLimit: Object.freeze({
    perIp: Object.freeze({ perSecond: 50, burst: 200 }),
    perToken: Object.freeze({ perSecond: 5, burst: 30 }),
  }),
  /** Buckets idle this long are forgotten (bounds memory under many IPs). */
  rateLimitIdleMs: 10 * 60_000,
  /** Item features: half-life of the decayed recent counts, and the CTR prior (about 5 %). */
  itemFeatures: Object.freeze({ halfLifeDays: 7, priorClicks: 1, priorImpressions: 20 }),
  /** Export page size: default and largest. */
  exportLimit: Object.freeze({ default: 10_000, max: 100_000 }),
  /** Window of the feed metrics and the daily chart of GET /v1/metrics. */
  metricsWindowDays: 30,
  /** Drift is recomputed at most this often (it reads up to driftSampleLimit recent events). */
  driftCacheMs: 30_000,
  /** Cache-Control of artifacts: content-addressed, so they never change. */
  immutableCache: 'public, max-age=31536000, immutable',
  /** The latest manifest changes on every release: revalidate (ETag) every time. */
  latestCache: 'no-cache',
  /** A release id's manifest is fixed once written (the pipeline refuses to rewrite it). */
  releaseCache: 'public, max-age=86400',
  /** Responses smaller than this are sent uncompressed. */
  compressThreshold: 1024,
  /** CORS preflight answers are cached this long by browsers. */
  corsMaxAgeSeconds: 600,
});

/**
 * Allowed origins when none are configured: any local development port. The server's own origin
 * is always allowed (http/cors.ts), whatever the list.
 */
export const DEFAULT_ALLOWED_ORIGINS: readonly string[] = Object.freeze(['http://localhost:*', 'http://127.0.0.1:*']);
