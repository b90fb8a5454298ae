/** What createServer takes, and the same with every default filled in. */
import { DEFAULT_ALLOWED_ORIGINS, SERVER_DEFAULTS } from './defaults.ts';
import type { BucketLimit } from './rate-limit/index.ts';
import type { FeatureStore } from './store/types.ts';

export interface ServerOptions {
  store: FeatureStore;
  /** A release folder (manifest.json, releases/, artifacts/); absent: release routes answer 404. */
  releaseDir?: string;
  /** Server-to-server key (`Authorization: Key <secret>`) and the root of the token signing key. */
  secretKey: string;
  /** Public app keys accepted by POST /v1/tokens (`X-Ondeck-App`). */
  appKeys?: readonly string[];
  /** Origins allowed to POST and read the private routes; patterns may use `*` (e.g. `http://localhost:*`); '*' allows all. */
  allowedOrigins?: readonly string[] | '*';
  tokenTtlSeconds?: number;
  rateLimit?: { perIp?: Partial<BucketLimit>; perToken?: Partial<BucketLimit> };
  /** A built static app (index.html at its root), served at / with SPA fallback. */
  appDir?: string;
  /** Clock in ms since the epoch (tests move it). */
  now?: () => number;
  /** Take the client address from X-Forwarded-For (behind a reverse proxy). */
  trustProxy?: boolean;
  /** Where 5xx errors are reported; default console.error. */
  onInternalError?: (error: unknown) => void;
}

export interface ResolvedOptions {
  store: FeatureStore;
  releaseDir: string | null;
  secretKey: string;
  appKeys: ReadonlySet<string>;
  allowedOrigins: readonly string[] | '*';
  tokenTtlSeconds: number;
  rateLimit: { perIp: BucketLimit; perToken: BucketLimit };
  appDir: string | null;
  now: () => number;
  trustProxy: boolean;
  onInternalError: (error: unknown) => void;
}

export function resolveOptions(o: ServerOptions): ResolvedOptions {
  if (typeof o.secretKey !== 'string' || o.secretKey.length < 16) {
    throw new Error('createServer: secretKey must be a string of at least 16 characters');
  }
  const ttl = o.tokenTtlSeconds ?? SERVER_DEFAULTS.tokenTtlSeconds;
  if (!(ttl > 0)) throw new Error(`createServer: tokenTtlSeconds must be > 0, got ${ttl}`);
  return {
    store: o.store,
    releaseDir: o.releaseDir ?? null,
    secretKey: o.secretKey,
    appKeys: new Set(o.appKeys ?? []),
    allowedOrigins: o.allowedOrigins ?? DEFAULT_ALLOWED_ORIGINS,
    tokenTtlSeconds: ttl,
    rateLimit: {
      perIp: { ...SERVER_DEFAULTS.rateLimit.perIp, ...o.rateLimit?.perIp },
      perToken: { ...SERVER_DEFAULTS.rateLimit.perToken, ...o.rateLimit?.perToken },
    },
    appDir: o.appDir ?? null,
    now: o.now ?? Date.now,
    trustProxy: o.trustProxy ?? false,
    onInternalError: o.onInternalError ?? ((e) => console.error('ondeck serve: internal error:', e)),
  };
}
