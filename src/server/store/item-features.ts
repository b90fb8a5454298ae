/** Item features from per-item, per-day counter sums (both adapters read the same rows). */
import { dayStart } from './day-counts.ts';
import type { ItemFeatureOptions, ItemFeatures } from './types.ts';

export interface ItemDaySums {
  item: string;
  day: string;
  impressions: number;
  clicks: number;
  watches: number;
  watchSeconds: number;
  watchFractionSum: number;
}

const DAY_MS = 86_400_000;

/** A rate read from noisy sums, held to [0, 1] (NaN, from 0/0 or worse, reads as 0). */
export function clampRate(x: number): number {
  return x > 0 ? Math.min(1, x) : 0;
}
/** A day's counts are dated at its midpoint (12:00 UTC): on average that is when they happened. */
const MIDDAY_MS = DAY_MS / 2;

/**
 * Folds rows (any order) into one ItemFeatures per item, sorted by item id. Recent counts weigh
 * each day by 2^(-age / halfLife), age in days from the day's midpoint to `now` (never negative).
 */
export function foldItemFeatures(rows: Iterable<ItemDaySums>, o: ItemFeatureOptions): ItemFeatures[] {
  const acc = new Map<string, { imp: number; clk: number; wat: number; ws: number; wfs: number; rImp: number; rClk: number }>();
  for (const r of rows) {
    const start = dayStart(r.day);
    // Rows dated after tomorrow (or on no calendar day) were never a real device's: left out.
    if (!(start <= o.now + DAY_MS)) continue;
    let a = acc.get(r.item);
    if (!a) {
      a = { imp: 0, clk: 0, wat: 0, ws: 0, wfs: 0, rImp: 0, rClk: 0 };
      acc.set(r.item, a);
    }
    const ageDays = Math.max(0, (o.now - (start + MIDDAY_MS)) / DAY_MS);
    const w = 2 ** (-ageDays / o.halfLifeDays);
    a.imp += r.impressions;
    a.clk += r.clicks;
    a.wat += r.watches;
    a.ws += r.watchSeconds;
    a.wfs += r.watchFractionSum;
    a.rImp += w * r.impressions;
    a.rClk += w * r.clicks;
  }
  return [...acc.keys()].sort().map((itemId) => {
    const a = acc.get(itemId)!;
    return {
      itemId,
      impressions: a.imp,
      clicks: a.clk,
      // Noisy counters (local DP) can make either sum small or negative: rates stay rates.
      smoothedCtr: clampRate((a.clk + o.priorClicks) / (a.imp + o.priorImpressions)),
      watchSeconds: a.ws,
      meanWatchFraction: a.wat > 0 ? clampRate(a.wfs / a.wat) : null,
      recentImpressions: a.rImp,
      recentClicks: a.rClk,
    };
  });
}
