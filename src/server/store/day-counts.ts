/**
 * How events become the per-item, per-UTC-day counters that aggregate batches send directly.
 * Pseudonymous events are counted into the same rows, so item features and feed metrics see both
 * modes; deleting an install subtracts its events the same way (sign -1).
 */
import type { EventType } from '../../core/events.ts';
import type { AggregateBatch, WireEvent } from '../../core/sync/wire.ts';

export interface DayCounts {
  item: string;
  day: string;
  feed: string;
  impressions: number;
  clicks: number;
  watches: number;
  likes: number;
  hides: number;
  skips: number;
  watchSeconds: number;
  watchFractionSum: number;
}

/** The counter column each event type adds one to. */
export const COUNTER_OF_TYPE: Readonly<Record<EventType, 'impressions' | 'clicks' | 'watches' | 'likes' | 'hides' | 'skips'>> = {
  impression: 'impressions',
  click: 'clicks',
  watch: 'watches',
  like: 'likes',
  hide: 'hides',
  skip: 'skips',
};

const DAY_MS = 86_400_000;
const dayNames = new Map<number, string>();

/** `YYYY-MM-DD` (UTC) of a time in ms; memoised, as a batch's events share a handful of days. */
export function utcDay(at: number): string {
  const n = Math.floor(at / DAY_MS);
  let name = dayNames.get(n);
  if (name === undefined) {
    name = new Date(n * DAY_MS).toISOString().slice(0, 10);
    if (dayNames.size > 10_000) dayNames.clear();
    dayNames.set(n, name);
  }
  return name;
}

/** Milliseconds of 00:00 UTC of a `YYYY-MM-DD` day. */
export function dayStart(day: string): number {
  return Date.parse(`${day}T00:00:00Z`);
}

interface CountableEvent {
  item: string;
  type: EventType;
  at: number;
  feed: string;
  watchSeconds?: number | null | undefined;
  watchFraction?: number | null | undefined;
}

/**
 * Sums events into day counters. Watch seconds count from any event that carries them; the
 * watch-fraction sum takes watch events only (it is divided by `watches` for the mean).
 */
export function countEvents(events: Iterable<CountableEvent>, sign: 1 | -1 = 1): DayCounts[] {
  const rows = new Map<string, DayCounts>();
  for (const e of events) addEvent(rows, e.item, e.type, e.at, e.feed, e.watchSeconds, e.watchFraction, sign);
  return [...rows.values()];
}

/** countEvents of a batch's wire events, all of one feed, without a copy of each event. */
export function countWireEvents(events: readonly WireEvent[], feed: string): DayCounts[] {
  const rows = new Map<string, DayCounts>();
  for (const e of events) addEvent(rows, e.itemId, e.type, e.at, feed, e.watchSeconds, e.watchFraction, 1);
  return [...rows.values()];
}

function addEvent(
  rows: Map<string, DayCounts>,
  item: string,
  type: EventType,
  at: number,
  feed: string,
  watchSeconds: number | null | undefined,
  watchFraction: number | null | undefined,
  sign: 1 | -1,
): void {
  const day = utcDay(at);
  const key = `${item}\u0000${day}\u0000${feed}`;
  let row = rows.get(key);
  if (!row) {
    row = { item, day, feed, impressions: 0, clicks: 0, watches: 0, likes: 0, hides: 0, skips: 0, watchSeconds: 0, watchFractionSum: 0 };
    rows.set(key, row);
  }
  row[COUNTER_OF_TYPE[type]] += sign;
  if (watchSeconds != null) row.watchSeconds += sign * watchSeconds;
  if (type === 'watch' && watchFraction != null) row.watchFractionSum += sign * watchFraction;
}

/** The rows of an aggregate batch as day counters of its feed. */
export function countsOfAggregate(batch: AggregateBatch): DayCounts[] {
  return batch.counts.map((c) => ({
    item: c.itemId,
    day: c.day,
    feed: batch.feed,
    impressions: c.impressions,
    clicks: c.clicks,
    watches: c.watches,
    likes: c.likes,
    hides: c.hides,
    skips: c.skips,
    watchSeconds: c.watchSeconds,
    watchFractionSum: c.watchFractionSum,
  }));
}
