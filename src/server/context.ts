/** What every route needs, built once per server from the resolved options. */
import { tokenKey, type AuthConfig } from './auth/index.ts';
import { SERVER_DEFAULTS } from './defaults.ts';
import { IngestCounters } from './metrics/counters.ts';
import type { ResolvedOptions } from './options.ts';
import { TokenBuckets } from './rate-limit/index.ts';
import { ReleaseDir } from './releases/index.ts';

export interface ServerContext {
  options: ResolvedOptions;
  releases: ReleaseDir | null;
  auth: AuthConfig;
  counters: IngestCounters;
  limits: { ip: TokenBuckets; token: TokenBuckets };
}

export function createContext(options: ResolvedOptions): ServerContext {
  return {
    options,
    releases: options.releaseDir === null ? null : new ReleaseDir(options.releaseDir),
    auth: { tokenKey: tokenKey(options.secretKey), secretKey: options.secretKey, appKeys: options.appKeys },
    counters: new IngestCounters(),
    limits: {
      ip: new TokenBuckets(options.rateLimit.perIp, SERVER_DEFAULTS.rateLimitIdleMs),
      token: new TokenBuckets(options.rateLimit.perToken, SERVER_DEFAULTS.rateLimitIdleMs),
    },
  };
}
