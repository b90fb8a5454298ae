/**
 * Builds the body of one batch from the oldest unbatched events, within the wire limits
 * (MAX_BATCH_EVENTS events or rows, MAX_BATCH_BYTES bytes), in the privacy mode of the app:
 * - pseudonymous: the events themselves with the install id;
 * - aggregate: counters per item and UTC day, no identifiers; with epsilon, local-DP noise.
 * Pure: the clock-free inputs come in, a body string goes out, so Node tests assert it exactly.
 */
import type { EventType } from '../../src/core/events.ts';
import { MAX_WATCH_CLIP_SECONDS, MAX_WATCH_SECONDS } from '../../src/core/sync/wire.ts';
import type { AggregateBatch, PseudonymousBatch, SyncMode, WireCounts, WireEvent } from '../../src/core/sync/wire.ts';
import { laplace, twoSidedGeometric } from './noise.ts';
import type { Random } from './noise.ts';
import type { BatchBuilder, BuiltBatch, LogEvent } from './sync-log.ts';

export interface BuildOptions {
  mode: SyncMode;
  feed: string;
  releaseId: string | null;
  /** Pseudonymous mode: the install id to send. */
  installId?: string;
  /** Aggregate mode: local-DP noise with this epsilon; none when null. */
  epsilon: number | null;
  /** Draws the noise (aggregate with epsilon). */
  random: Random;
  maxEvents: number;
  maxBytes: number;
  newBatchId: () => string;
}

const encoder = new TextEncoder();
const bytesOf = (s: string) => encoder.encode(s).length;

export function batchBuilder(options: BuildOptions): BatchBuilder {
  return (events) => (options.mode === 'pseudonymous' ? pseudonymous(events, options) : aggregate(events, options));
}

function pseudonymous(events: readonly LogEvent[], o: BuildOptions): BuiltBatch {
  if (o.installId === undefined) throw new TypeError('pseudonymous batches need an install id');
  const batchId = o.newBatchId();
  const head: Omit<PseudonymousBatch, 'events'> = { batchId, mode: 'pseudonymous', releaseId: o.releaseId, feed: o.feed, installId: o.installId };
  // `{...head,"events":[` + items joined by commas + `]}`.
  let size = bytesOf(JSON.stringify(head)) + '"events":[]'.length + 1;
  const wire: WireEvent[] = [];
  for (const e of events) {
    if (wire.length >= o.maxEvents) break;
    const item = toWireEvent(e);
    const add = bytesOf(JSON.stringify(item)) + (wire.length > 0 ? 1 : 0);
    if (wire.length > 0 && size + add > o.maxBytes) break;
    size += add;
    wire.push(item);
  }
  const body: PseudonymousBatch = { ...head, events: wire };
  return { batchId, body: JSON.stringify(body), take: wire.length };
}

function toWireEvent(e: LogEvent): WireEvent {
  const out: WireEvent = { type: e.type, itemId: e.itemId, at: Math.round(e.at) };
  if (e.watchSeconds !== undefined) out.watchSeconds = Math.min(e.watchSeconds, MAX_WATCH_SECONDS);
  if (e.watchFraction !== undefined) out.watchFraction = e.watchFraction;
  return out;
}

const COUNTER: Record<EventType, 'impressions' | 'clicks' | 'watches' | 'likes' | 'hides' | 'skips'> = {
  impression: 'impressions',
  click: 'clicks',
  watch: 'watches',
  like: 'likes',
  hide: 'hides',
  skip: 'skips',
};
const COUNTS = ['impressions', 'clicks', 'watches', 'likes', 'hides', 'skips'] as const;

/** `YYYY-MM-DD` of a time, in UTC: every device cuts days at the same instant. */
export function utcDay(at: number): string {
  return new Date(at).toISOString().slice(0, 10);
}

function aggregate(events: readonly LogEvent[], o: BuildOptions): BuiltBatch {
  // The longest prefix whose rows fit the row limit...
  const keys = new Set<string>();
  let take = 0;
  for (const e of events) {
    const key = JSON.stringify([e.itemId, utcDay(e.at)]);
    if (!keys.has(key) && keys.size >= o.maxEvents) break;
    keys.add(key);
    take++;
  }
  // ...then halved until its body fits the byte limit (rows with long item ids, noisy decimals).
  for (;;) {
    const built = aggregateBody(events.slice(0, take), o);
    if (take === 1 || bytesOf(built.body) <= o.maxBytes) return { ...built, take };
    take = Math.ceil(take / 2);
  }
}

function aggregateBody(events: readonly LogEvent[], o: BuildOptions): { batchId: string; body: string } {
  // With noise, each event's watch time is clipped first: that bounds what one event can add,
  // which the noise scale assumes.
  const clip = o.epsilon === null ? MAX_WATCH_SECONDS : MAX_WATCH_CLIP_SECONDS;
  const rows = new Map<string, WireCounts>();
  for (const e of events) {
    const day = utcDay(e.at);
    const key = JSON.stringify([e.itemId, day]);
    let row = rows.get(key);
    if (!row) {
      row = { itemId: e.itemId, day, impressions: 0, clicks: 0, watches: 0, likes: 0, hides: 0, skips: 0, watchSeconds: 0, watchFractionSum: 0 };
      rows.set(key, row);
    }
    row[COUNTER[e.type]]++;
    if (e.type === 'watch') {
      row.watchSeconds += Math.min(e.watchSeconds ?? 0, clip);
      row.watchFractionSum += e.watchFraction ?? 0;
    }
  }
  const counts = [...rows.values()];
  if (o.epsilon !== null) for (const row of counts) addNoise(row, o.epsilon, o.random);
  const batchId = o.newBatchId();
  const body: AggregateBatch = { batchId, mode: 'aggregate', releaseId: o.releaseId, feed: o.feed, counts };
  if (o.epsilon !== null) body.noise = { mechanism: 'geometric', epsilon: o.epsilon };
  return { batchId, body: JSON.stringify(body) };
}

/** Noise as wire.ts documents it: geometric on counts (scale 1/epsilon), Laplace on the sums. */
export function addNoise(row: WireCounts, epsilon: number, random: Random): void {
  for (const name of COUNTS) row[name] += twoSidedGeometric(epsilon, random);
  row.watchSeconds += laplace(MAX_WATCH_CLIP_SECONDS / epsilon, random);
  row.watchFractionSum += laplace(1 / epsilon, random);
}
