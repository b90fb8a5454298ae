/** The figures of GET /v1/metrics (ServerMetrics), gathered from the store, the counters and the release folder. */
import type { ServerMetrics } from '../../core/sync/metrics.ts';
import type { ServerContext } from '../context.ts';
import { SERVER_DEFAULTS } from '../defaults.ts';
import type { StoreStats } from '../store/types.ts';
import type { DriftCache } from './drift.ts';

const DAY_MS = 86_400_000;

export interface CollectedMetrics {
  metrics: ServerMetrics;
  /** Totals in the store (all processes, all time), for the Prometheus gauges. */
  store: StoreStats;
}

export async function collectMetrics(ctx: ServerContext, drift: DriftCache): Promise<CollectedMetrics> {
  const { store, now } = ctx.options;
  const at = now();
  const since = at - SERVER_DEFAULTS.metricsWindowDays * DAY_MS;
  const [stats, feeds, daily, releases] = await Promise.all([
    store.stats(),
    store.feedMetrics({ since }),
    store.dailyCounts({ since }),
    ctx.releases ? ctx.releases.list() : Promise.resolve([]),
  ]);
  const current = releases.find((r) => r.current)?.releaseId ?? null;
  const c = ctx.counters;
  return {
    metrics: {
      at,
      ingest: { batches: c.batches, events: c.events, duplicates: c.duplicates, rejected: c.rejected() },
      feeds,
      daily,
      drift: await drift.get(current),
      releases,
    },
    store: stats,
  };
}
