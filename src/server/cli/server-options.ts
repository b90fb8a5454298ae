/** ServerOptions from checked `ondeck serve` flags (shared by `ondeck serve` and `ondeck start`). */
import type { ServerOptions } from '../options.ts';
import type { FeatureStore } from '../store/types.ts';
import type { ServeArgs } from './serve-args.ts';

export function tokenSecretFile(db: string): string {
  return `${db}.token-secret`;
}

export function serverOptionsOf(
  args: ServeArgs,
  o: { store: FeatureStore; secretKey: string; tokenSecret?: string | undefined; releaseDir?: string | undefined; appDir?: string | undefined },
): ServerOptions & { port: number; host: string } {
  const releaseDir = o.releaseDir ?? args.releaseDir;
  const appDir = o.appDir ?? args.appDir;
  return {
    store: o.store,
    secretKey: o.secretKey,
    ...(o.tokenSecret === undefined ? {} : { tokenSecret: o.tokenSecret }),
    appKeys: args.appKeys,
    port: args.port,
    host: args.host,
    rateLimit: {
      ...(args.rateIp === undefined ? {} : { perIp: { perSecond: args.rateIp } }),
      ...(args.rateToken === undefined ? {} : { perToken: { perSecond: args.rateToken } }),
      ...(args.rateTokenIssue === undefined ? {} : { tokenIssue: { perSecond: args.rateTokenIssue } }),
    },
    quotas: {
      ...(args.quotaApp === undefined ? {} : { perAppPerDay: args.quotaApp }),
      ...(args.quotaIp === undefined ? {} : { perAddressPerDay: args.quotaIp }),
    },
    ...(args.requestTimeoutMs === undefined ? {} : { timeouts: { requestMs: args.requestTimeoutMs } }),
    ...(args.trustProxy === undefined ? {} : { trustProxy: args.trustProxy }),
    ...(args.retentionDays === undefined ? {} : { retention: { eventDays: args.retentionDays } }),
    ...(releaseDir === undefined ? {} : { releaseDir }),
    ...(appDir === undefined ? {} : { appDir }),
    ...(args.allowedOrigins === undefined ? {} : { allowedOrigins: args.allowedOrigins }),
    ...(args.allowedHosts === undefined ? {} : { allowedHosts: args.allowedHosts }),
  };
}
