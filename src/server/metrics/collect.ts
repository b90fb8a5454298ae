/**
 * The figures of GET /v1/metrics (ServerMetrics), gathered from the store, the counters and the
 * release folder. The store's figures go through a cache (StoreFigureCache): the metrics routes
 * need no credential, so they must not let anyone make the store sum its whole window on demand.
 * The ingest counters are this process's own and always current.
 */
import type { ServerMetrics } from '../../core/sync/metrics.ts';
import type { ServerContext } from '../context.ts';
import { SERVER_DEFAULTS } from '../defaults.ts';
import type { FeedEngagement, StoreStats } from '../store/types.ts';
import type { DriftCache } from './drift.ts';

const DAY_MS = 86_400_000;

export interface CollectedMetrics {
  metrics: ServerMetrics;
  /** Totals in the store (all processes, all time), for the Prometheus gauges. */
  store: StoreStats;
}

interface StoreFigures {
  at: number;
  stats: StoreStats;
  feeds: FeedEngagement[];
  daily: ServerMetrics['daily'];
  releases: ServerMetrics['releases'];
}

/** Feed name of the sum of the feeds past `maxFeeds` (no device can send it: see FEED_PATTERN). */
export const OTHER_FEEDS = '(other)';

/** The all-feeds row, then the `maxFeeds` feeds with the most impressions, then the rest summed. */
export function capFeeds(feeds: readonly FeedEngagement[], maxFeeds: number): FeedEngagement[] {
  const [all, ...rest] = feeds;
  if (!all || rest.length <= maxFeeds) return [...feeds];
  const ranked = [...rest].sort((a, b) => b.impressions - a.impressions || (a.feed < b.feed ? -1 : 1));
  const kept = ranked.slice(0, maxFeeds).sort((a, b) => (a.feed < b.feed ? -1 : 1));
  const other = { feed: OTHER_FEEDS, impressions: 0, clicks: 0, ctr: null as number | null, watchSeconds: 0, watches: 0 };
  for (const f of ranked.slice(maxFeeds)) {
    other.impressions += f.impressions;
    other.clicks += f.clicks;
    other.watchSeconds += f.watchSeconds;
    other.watches += f.watches;
  }
  other.ctr = other.impressions > 0 ? Math.max(0, Math.min(1, other.clicks / other.impressions)) : null;
  return [all, ...kept, other];
}

/**
 * Store figures, computed at most once per `cacheMs` and by one caller at a time (others wait for
 * the same promise). A write through this process makes them stale at once only while the store
 * is small (under `freshBelowRows` counter rows): there a recount is cheap, and a demo or a test sees its
 * own writes; on a big store a busy ingest must not turn every metrics call into a recount.
 */
export class StoreFigureCache {
  #cached: { value: StoreFigures; generation: number } | null = null;
  #pending: Promise<StoreFigures> | null = null;
  /** Recounts so far (tests assert that repeated calls do not query the store). */
  computations = 0;
  readonly #ctx: ServerContext;

  constructor(ctx: ServerContext) {
    this.#ctx = ctx;
  }

  async get(): Promise<StoreFigures> {
    const { now, metricsCache } = this.#ctx.options;
    const c = this.#cached;
    if (c) {
      const young = now() - c.value.at < metricsCache.cacheMs;
      // The recount reads counter rows only (events are counted into them), so their number is its cost.
      const small = c.value.stats.countRows < metricsCache.freshBelowRows;
      const unchanged = c.generation === this.#ctx.counters.generation;
      if (young && (unchanged || !small)) return c.value;
    }
    this.#pending ??= this.#compute().finally(() => {
      this.#pending = null;
    });
    return this.#pending;
  }

  async #compute(): Promise<StoreFigures> {
    const { store, now, metricsCache } = this.#ctx.options;
    const generation = this.#ctx.counters.generation;
    const at = now();
    this.computations++;
    // From the window's first day to tomorrow: rows dated later were never a real device's.
    const window = { since: at - SERVER_DEFAULTS.metricsWindowDays * DAY_MS, until: at + DAY_MS };
    const [stats, feeds, daily, releases] = await Promise.all([
      store.stats(),
      store.feedMetrics(window),
      store.dailyCounts(window),
      this.#ctx.releases ? this.#ctx.releases.list() : Promise.resolve([]),
    ]);
    const value = { at, stats, feeds: capFeeds(feeds, metricsCache.maxFeeds), daily, releases };
    this.#cached = { value, generation };
    return value;
  }
}

export async function collectMetrics(ctx: ServerContext, figures: StoreFigureCache, drift: DriftCache): Promise<CollectedMetrics> {
  const f = await figures.get();
  const current = f.releases.find((r) => r.current)?.releaseId ?? null;
  const c = ctx.counters;
  return {
    metrics: {
      at: ctx.options.now(),
      ingest: { batches: c.batches, events: c.events, duplicates: c.duplicates, rejected: c.rejected() },
      feeds: f.feeds,
      daily: f.daily,
      drift: await drift.get(current),
      releases: f.releases,
    },
    store: f.stats,
  };
}
