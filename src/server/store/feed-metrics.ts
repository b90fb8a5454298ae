/**
 * Feed metrics from the per-feed counter sums both adapters read with their own SQL: one row per
 * feed plus '*' for all feeds together, and the CTR, computed in one place.
 */
import { clampRate } from './item-features.ts';
import type { FeedEngagement } from './types.ts';

export interface FeedSumRow {
  feed: string;
  impressions: number;
  clicks: number;
  watches: number;
  watch_seconds: number;
}

export function feedMetricsOf(rows: readonly FeedSumRow[]): FeedEngagement[] {
  const all: FeedSumRow = { feed: '*', impressions: 0, clicks: 0, watches: 0, watch_seconds: 0 };
  for (const r of rows) {
    all.impressions += r.impressions;
    all.clicks += r.clicks;
    all.watches += r.watches;
    all.watch_seconds += r.watch_seconds;
  }
  return [all, ...rows].map((r) => ({
    feed: r.feed,
    impressions: r.impressions,
    clicks: r.clicks,
    ctr: r.impressions > 0 ? clampRate(r.clicks / r.impressions) : null,
    watchSeconds: r.watch_seconds,
    watches: r.watches,
  }));
}
