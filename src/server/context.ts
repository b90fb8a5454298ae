/** What every route needs, built once per server from the resolved options. */
import type { FastifyRequest } from 'fastify';
import type { AuthConfig } from './auth/authenticate.ts';
import { tokenKey } from './auth/device-token.ts';
import { SERVER_DEFAULTS } from './defaults.ts';
import { IngestCounters } from './metrics/counters.ts';
import type { ResolvedOptions } from './options.ts';
import { DailyQuota, TokenBuckets, addressKey } from './rate-limit/index.ts';
import { ReleaseDir } from './releases/index.ts';

export interface ServerContext {
  options: ResolvedOptions;
  releases: ReleaseDir | null;
  auth: AuthConfig;
  counters: IngestCounters;
  limits: { ip: TokenBuckets; token: TokenBuckets; tokenIssue: TokenBuckets; keyFailures: TokenBuckets; metrics: TokenBuckets };
  quotas: { app: DailyQuota; address: DailyQuota };
  /** The rate-limit and quota key of the request's client (IPv6 by its /64). */
  clientKey(request: FastifyRequest): string;
}

export function createContext(options: ResolvedOptions): ServerContext {
  const d = SERVER_DEFAULTS;
  const buckets = (k: keyof ResolvedOptions['rateLimit']) => new TokenBuckets(options.rateLimit[k], d.rateLimitIdleMs, d.rateLimitMaxBuckets);
  return {
    options,
    releases: options.releaseDir === null ? null : new ReleaseDir(options.releaseDir),
    // Device tokens are signed with a key of their own when one is given (tokenSecret), so the
    // server-to-server key never signs anything a client holds.
    auth: { tokenKey: tokenKey(options.tokenSecret ?? options.secretKey), secretKey: options.secretKey, appKeys: options.appKeys },
    counters: new IngestCounters(),
    limits: { ip: buckets('perIp'), token: buckets('perToken'), tokenIssue: buckets('tokenIssue'), keyFailures: buckets('keyFailures'), metrics: buckets('metrics') },
    quotas: { app: new DailyQuota(options.quotas.perAppPerDay, d.quotaMaxKeys), address: new DailyQuota(options.quotas.perAddressPerDay, d.quotaMaxKeys) },
    clientKey: (request) => addressKey(request.ip, d.ipv6PrefixBits),
  };
}
