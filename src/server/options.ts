/** What createServer takes, and the same with every default filled in. */
import { DEFAULT_ALLOWED_ORIGINS, SERVER_DEFAULTS } from './defaults.ts';
import { ServerConfigError } from './errors.ts';
import type { BucketLimit } from './rate-limit/index.ts';
import type { FeatureStore } from './store/types.ts';

export interface RateLimitOptions {
  perIp: BucketLimit;
  perToken: BucketLimit;
  /** New device tokens per address. */
  tokenIssue: BucketLimit;
  /** Wrong `Key` attempts per address. */
  keyFailures: BucketLimit;
  /** Metrics requests per address. */
  metrics: BucketLimit;
}

export interface TimeoutOptions {
  requestMs: number;
  headersMs: number;
  idleMs: number;
  keepAliveMs: number;
  maxConnections: number;
}

export interface ServerOptions {
  store: FeatureStore;
  /** A release folder (manifest.json, releases/, artifacts/); absent: release routes answer 404. */
  releaseDir?: string;
  /** Server-to-server key (`Authorization: Key <secret>`); also signs device tokens when tokenSecret is not given. */
  secretKey: string;
  /** Signs device tokens; a secret of its own, so the server-to-server key never signs what devices hold. */
  tokenSecret?: string;
  /** Public app keys accepted by POST /v1/tokens (`X-Ondeck-App`). */
  appKeys?: readonly string[];
  /** Origins allowed to POST and read the private routes; patterns may use `*` (e.g. `http://localhost:*`); '*' allows all. */
  allowedOrigins?: readonly string[] | '*';
  /**
   * Host names (optionally `:port`, `*` for any port or label) the server answers for; others get
   * 421. Absent: no check, except that startServer on a loopback address allows loopback names only.
   */
  allowedHosts?: readonly string[] | '*';
  tokenTtlSeconds?: number;
  rateLimit?: { [K in keyof RateLimitOptions]?: Partial<BucketLimit> };
  /** Rows per UTC day per app key and per address (device writes); 0 turns one off. */
  quotas?: { perAppPerDay?: number; perAddressPerDay?: number };
  timeouts?: Partial<TimeoutOptions>;
  /** The local-DP epsilon aggregate batches must carry when they carry noise. */
  aggregateEpsilon?: number;
  /** Store figures of the metrics routes: reuse time, and the store size below which a local write refreshes them. */
  metricsCache?: { cacheMs?: number; freshBelowRows?: number; maxFeeds?: number };
  /** A built static app (index.html at its root), served at / with SPA fallback. */
  appDir?: string;
  /** Clock in ms since the epoch (tests move it). */
  now?: () => number;
  /**
   * Behind a reverse proxy: the proxies whose X-Forwarded-For is believed, as addresses or CIDRs
   * (`['10.0.0.0/8']`), or the number of proxy hops in front. Off by default: the client address
   * is the socket's. `true` (believe any X-Forwarded-For) is refused: clients could pick their address.
   */
  trustProxy?: false | number | readonly string[];
  /** Where 5xx errors are reported; default console.error. */
  onInternalError?: (error: unknown) => void;
  /**
   * Event retention: pseudonymous events of UTC days more than `eventDays` (a whole number >= 1)
   * before today are dropped when the server is ready and every `everyMs` after (default
   * SERVER_DEFAULTS.retentionEveryMs). Day counters are kept. Absent: events are kept forever.
   */
  retention?: { eventDays: number; everyMs?: number };
}

export interface ResolvedOptions {
  store: FeatureStore;
  releaseDir: string | null;
  secretKey: string;
  tokenSecret: string | null;
  appKeys: ReadonlySet<string>;
  allowedOrigins: readonly string[] | '*';
  allowedHosts: readonly string[] | '*';
  tokenTtlSeconds: number;
  rateLimit: RateLimitOptions;
  quotas: { perAppPerDay: number; perAddressPerDay: number };
  timeouts: TimeoutOptions;
  aggregateEpsilon: number;
  metricsCache: { cacheMs: number; freshBelowRows: number; maxFeeds: number };
  appDir: string | null;
  now: () => number;
  trustProxy: false | number | string[];
  onInternalError: (error: unknown) => void;
  retention: { eventDays: number; everyMs: number } | null;
}

function positive(option: string, n: number, allowZero = false): number {
  if (typeof n !== 'number' || !Number.isFinite(n) || n < 0 || (!allowZero && n === 0)) {
    throw new ServerConfigError(option, `must be a finite number ${allowZero ? '>= 0' : '> 0'}, got ${String(n)}`);
  }
  return n;
}

function trustProxyOf(value: ServerOptions['trustProxy'] | boolean | undefined): false | number | string[] {
  if (value === undefined || value === false) return false;
  if (value === true) {
    throw new ServerConfigError('trustProxy', 'true would believe any client-supplied X-Forwarded-For; give the proxy addresses (CIDRs) or the number of hops');
  }
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < 1) throw new ServerConfigError('trustProxy', `a hop count must be an integer >= 1, got ${value}`);
    return value;
  }
  if (!Array.isArray(value) || value.length === 0 || value.some((a) => typeof a !== 'string' || a.trim() === '')) {
    throw new ServerConfigError('trustProxy', 'must be false, a hop count, or a non-empty list of proxy addresses / CIDRs');
  }
  return value.map((a) => a.trim());
}

function retentionOf(r: ServerOptions['retention'] | null | undefined): ResolvedOptions['retention'] {
  if (r === undefined || r === null) return null;
  if (typeof r !== 'object') throw new ServerConfigError('retention', 'must be an object { eventDays, everyMs? }');
  const days = r.eventDays;
  if (typeof days !== 'number' || !Number.isInteger(days) || days < 1 || days > MAX_RETENTION_DAYS) {
    throw new ServerConfigError('retention.eventDays', `must be a whole number of days from 1 to ${MAX_RETENTION_DAYS}, got ${String(days)}`);
  }
  const everyMs = r.everyMs ?? SERVER_DEFAULTS.retentionEveryMs;
  // setInterval takes at most 2^31 - 1 ms (about 24.8 days); more would fire at once, in a loop.
  if (typeof everyMs !== 'number' || !Number.isFinite(everyMs) || everyMs < 1 || everyMs > MAX_TIMER_MS) {
    throw new ServerConfigError('retention.everyMs', `must be a number of ms from 1 to ${MAX_TIMER_MS}, got ${String(everyMs)}`);
  }
  return { eventDays: days, everyMs };
}

/** About 27 years: more is a typo, not a policy (and its cutoff would leave a Date's range soon). */
const MAX_RETENTION_DAYS = 10_000;
const MAX_TIMER_MS = 2 ** 31 - 1;

export function resolveOptions(o: ServerOptions): ResolvedOptions {
  if (typeof o.secretKey !== 'string' || o.secretKey.length < 16) {
    throw new ServerConfigError('secretKey', 'must be a string of at least 16 characters');
  }
  if (o.tokenSecret !== undefined && (typeof o.tokenSecret !== 'string' || o.tokenSecret.length < 16)) {
    throw new ServerConfigError('tokenSecret', 'must be a string of at least 16 characters');
  }
  if (o.tokenSecret !== undefined && o.tokenSecret === o.secretKey) {
    throw new ServerConfigError('tokenSecret', 'must differ from secretKey: the two are separate secrets');
  }
  const ttl = o.tokenTtlSeconds ?? SERVER_DEFAULTS.tokenTtlSeconds;
  positive('tokenTtlSeconds', ttl);
  const d = SERVER_DEFAULTS;
  const limit = (k: keyof RateLimitOptions): BucketLimit => ({ ...d.rateLimit[k], ...o.rateLimit?.[k] });
  const timeouts: TimeoutOptions = { ...d.timeouts, ...o.timeouts };
  for (const [k, v] of Object.entries(timeouts)) positive(`timeouts.${k}`, v);
  const quotas = { ...d.quotas, ...o.quotas };
  for (const [k, v] of Object.entries(quotas)) positive(`quotas.${k}`, v, true);
  const metricsCache = { ...d.metricsCache, ...o.metricsCache };
  for (const [k, v] of Object.entries(metricsCache)) positive(`metricsCache.${k}`, v, k !== 'maxFeeds');
  return {
    store: o.store,
    releaseDir: o.releaseDir ?? null,
    secretKey: o.secretKey,
    tokenSecret: o.tokenSecret ?? null,
    appKeys: new Set(o.appKeys ?? []),
    allowedOrigins: o.allowedOrigins ?? DEFAULT_ALLOWED_ORIGINS,
    allowedHosts: o.allowedHosts ?? '*',
    tokenTtlSeconds: ttl,
    rateLimit: { perIp: limit('perIp'), perToken: limit('perToken'), tokenIssue: limit('tokenIssue'), keyFailures: limit('keyFailures'), metrics: limit('metrics') },
    quotas,
    timeouts,
    aggregateEpsilon: positive('aggregateEpsilon', o.aggregateEpsilon ?? d.aggregate.epsilon),
    metricsCache,
    appDir: o.appDir ?? null,
    now: o.now ?? Date.now,
    trustProxy: trustProxyOf(o.trustProxy),
    onInternalError: o.onInternalError ?? ((e) => console.error('ondeck serve: internal error:', e)),
    retention: retentionOf(o.retention),
  };
}
