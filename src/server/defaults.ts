/** Tunables of the server, in one place. Every one can be overridden through ServerOptions. */
import { DEFAULT_AGGREGATE_EPSILON } from '../core/sync/wire.ts';

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
    /**
     * New device tokens per address. A fresh token costs one request, so without this the
     * per-token bucket limits nothing; a device needs one an hour, a NAT of many devices a few a
     * minute.
     */
    tokenIssue: Object.freeze({ perSecond: 0.5, burst: 30 }),
    /** Wrong `Authorization: Key` attempts per address: 10 at once, then one a minute. */
    keyFailures: Object.freeze({ perSecond: 1 / 60, burst: 10 }),
    /** GET /v1/metrics and /metrics per address (a dashboard polls every few seconds, Prometheus every 15 s). */
    metrics: Object.freeze({ perSecond: 5, burst: 60 }),
  }),
  /** Buckets idle this long are forgotten (bounds memory under many IPs). */
  rateLimitIdleMs: 10 * 60_000,
  /** At most this many buckets per limit; beyond it the least recently used one is dropped. */
  rateLimitMaxBuckets: 100_000,
  /**
   * IPv6 clients are keyed by this prefix length: one subscriber usually holds a whole /64, so
   * keying by full address would give each of them 2^64 buckets.
   */
  ipv6PrefixBits: 64,
  /**
   * Rows (events or counter rows) stored per UTC day by device writes, per public app key and per
   * address; 0 turns one off. Server-to-server writes (`Key`) are not counted. A device sends a
   * few hundred rows a day; an address may hide a NAT of many.
   */
  quotas: Object.freeze({ perAppPerDay: 50_000_000, perAddressPerDay: 500_000 }),
  /** Daily quota counters kept at most (per scope); the least recently used is dropped beyond it. */
  quotaMaxKeys: 100_000,
  /**
   * HTTP timeouts. requestMs: the whole request, headers and body, must arrive within this (a
   * client trickling a body is cut off; Node answers 408); headersMs: the headers alone; idleMs:
   * a socket with no traffic is closed; keepAliveMs: an idle keep-alive connection is closed.
   * maxConnections: open sockets at most; more are refused at accept.
   */
  timeouts: Object.freeze({ requestMs: 20_000, headersMs: 10_000, idleMs: 30_000, keepAliveMs: 5_000, maxConnections: 2_048 }),
  /**
   * Aggregate batches. epsilon: the only local-DP epsilon accepted (the device's sync option
   * must match); noiseScales: noisy values may pass the exact bounds by this many noise scales
   * (1/epsilon; 600/epsilon for watch seconds): an honest device exceeds 20 scales with odds of
   * about e^-20 per value. maxAgeDays: the oldest `day` accepted, in days before today (the
   * newest is tomorrow, for devices ahead of UTC).
   */
  aggregate: Object.freeze({ epsilon: DEFAULT_AGGREGATE_EPSILON, noiseScales: 20, maxAgeDays: 30 }),
  /**
   * Batch ids are remembered this long for replay detection, then forgotten; events older than
   * this are refused, since a replay of them could no longer be recognised.
   */
  dedupRetentionDays: 90,
  /** Forgotten batch ids are deleted at most this often, this many at a time. */
  dedupExpiry: Object.freeze({ everyMs: 3_600_000, limit: 10_000 }),
  /**
   * With retention on (ServerOptions.retention, `--retention-days`), old event days are dropped at
   * start and then this often: hourly, so a day goes within an hour of passing the limit.
   */
  retentionEveryMs: 3_600_000,
  /** A successful write probe of GET /healthz is reused this long (one fsync per interval at most). */
  healthProbeMs: 5_000,
  /**
   * GET /v1/metrics and /metrics: store figures are reused this long. While the store holds fewer
   * than freshBelowRows counter rows (what a recount reads; about 10 ms for 10k on SQLite), a write
   * through this process refreshes them at once (tests and demos see their own writes). maxFeeds: feeds
   * listed at most, by impressions; the rest are summed under `(other)`.
   */
  metricsCache: Object.freeze({ cacheMs: 15_000, freshBelowRows: 10_000, maxFeeds: 50 }),
  /** Item features: half-life of the decayed recent counts, and the CTR prior (about 5 %). */
  itemFeatures: Object.freeze({ halfLifeDays: 7, priorClicks: 1, priorImpressions: 20 }),
  /** Export page size: default and largest. */
  exportLimit: Object.freeze({ default: 10_000, max: 100_000 }),
  /** Window of the feed metrics and the daily chart of GET /v1/metrics (up to tomorrow, never later). */
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
/**
 * The public app key of the demo. Everyone knows it, so a server accepts it only when no app
 * keys are configured and it listens on loopback (startServer and `ondeck serve` refuse otherwise).
 */
export const DEMO_APP_KEY = 'demo';

/** Host names a server listening on loopback answers for when no allowedHosts are given. */
export const LOOPBACK_HOSTS: readonly string[] = Object.freeze(['localhost', '127.0.0.1', '[::1]']);

export const DEFAULT_ALLOWED_ORIGINS: readonly string[] = Object.freeze(['http://localhost:*', 'http://127.0.0.1:*']);
