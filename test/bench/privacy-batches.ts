/**
 * What a server receives from one device's sync queue in `aggregate` mode, built by the worker's
 * own batch builder, and the ways it can group those batches: by device token (a credential it
 * sees on every batch), or by the client's address and time (requests close together).
 */
import { MAX_BATCH_BYTES, MAX_BATCH_EVENTS, type AggregateBatch } from '../../src/core/sync/wire.ts';
import { mulberry32 } from '../../src/core/random.ts';
import { batchBuilder } from '../../workers/sync/batch-builder.ts';
import { SYNC_DEFAULTS } from '../../workers/sync/defaults.ts';
import type { LogEvent } from '../../workers/sync/sync-log.ts';
import type { Act } from './privacy-data.ts';

/** Device tokens used to live this long (SERVER_DEFAULTS.tokenTtlSeconds), less the refresh margin. */
export const TOKEN_LIFE_MS = 3_600_000 - SYNC_DEFAULTS.tokenRefreshMarginMs;
/** Requests from one address this close together are taken as one device's (a session's gap). */
export const ADDRESS_WINDOW_MS = 30 * 60_000;

export type Counts = Record<'impressions' | 'clicks' | 'likes', number>;

/** One batch as the server sees it: when it came, under which token, and its rows (null counts when noisy: only the row's presence is certain). */
export interface SentBatch {
  at: number;
  token: number;
  rows: Map<string, Counts | null>;
}

/** Batches linked together (by token, or by address and time): the union of their rows, from the time of the first. */
export interface Unit {
  at: number;
  rows: Map<string, Counts | null>;
}

export interface SyncCase {
  noisy: boolean;
  epsilon: number;
  batchesPerToken: number;
  rowsPerBatch: number;
  keep: (item: string) => boolean;
}

/**
 * The batches a device sends: bursts of events (2 s apart at most, the queue's notify delay)
 * go through the real batch builder; a token serves `batchesPerToken` batches within its life.
 */
export function simulateBatches(acts: readonly Act[], c: SyncCase, seed: number): SentBatch[] {
  const build = batchBuilder({
    mode: 'aggregate',
    feed: 'default',
    releaseId: 'r',
    epsilon: c.noisy ? c.epsilon : null,
    random: mulberry32(seed),
    maxEvents: Math.min(c.rowsPerBatch, MAX_BATCH_EVENTS),
    maxBytes: MAX_BATCH_BYTES - 4096,
    newBatchId: () => 'b_bench_batch',
  });
  const events: LogEvent[] = [];
  let seq = 0;
  for (const r of acts) if (c.keep(r.item)) for (const e of r.events) events.push({ seq: ++seq, type: e.type, itemId: r.item, at: e.at });
  const out: SentBatch[] = [];
  let token = -1;
  let tokenAt = -Infinity;
  let inToken = Infinity;
  let i = 0;
  while (i < events.length) {
    let j = i + 1;
    while (j < events.length && events[j]!.at - events[j - 1]!.at <= SYNC_DEFAULTS.notifyDelayMs) j++;
    let burst = events.slice(i, j);
    const sentAt = burst[burst.length - 1]!.at + SYNC_DEFAULTS.notifyDelayMs;
    while (burst.length > 0) {
      const built = build(burst);
      burst = burst.slice(built.take);
      if (inToken >= c.batchesPerToken || sentAt - tokenAt >= TOKEN_LIFE_MS) {
        token++;
        tokenAt = sentAt;
        inToken = 0;
      }
      inToken++;
      const rows = new Map<string, Counts | null>();
      for (const row of (JSON.parse(built.body) as AggregateBatch).counts) {
        const before = rows.get(row.itemId);
        rows.set(row.itemId, c.noisy ? null : add(before ?? null, row));
      }
      out.push({ at: sentAt, token, rows });
    }
    i = j;
  }
  return out;
}

function add(a: Counts | null, b: Counts): Counts {
  return { impressions: b.impressions + (a?.impressions ?? 0), clicks: b.clicks + (a?.clicks ?? 0), likes: b.likes + (a?.likes ?? 0) };
}

function merge(into: Unit, batch: SentBatch): void {
  for (const [item, counts] of batch.rows) {
    const before = into.rows.get(item);
    into.rows.set(item, counts === null || before === null ? null : add(before ?? null, counts));
  }
}

/** Batches grouped by their device token. */
export function byToken(batches: readonly SentBatch[]): Unit[] {
  const units = new Map<number, Unit>();
  for (const b of batches) {
    let u = units.get(b.token);
    if (!u) units.set(b.token, (u = { at: b.at, rows: new Map() }));
    merge(u, b);
  }
  return [...units.values()];
}

/** Batches grouped by address and time: one device's requests with gaps under `windowMs` (tokens are linked too). */
export function byAddressWindow(batches: readonly SentBatch[], windowMs = ADDRESS_WINDOW_MS): Unit[] {
  const units: Unit[] = [];
  let last = -Infinity;
  let lastToken = -1;
  for (const b of batches) {
    if (units.length === 0 || (b.at - last >= windowMs && b.token !== lastToken)) units.push({ at: b.at, rows: new Map() });
    merge(units[units.length - 1]!, b);
    last = b.at;
    lastToken = b.token;
  }
  return units;
}

/** Who did what in the 30 days: item -> user -> counts, for consistency checks of units. */
export type Holdings = Map<string, Map<number, Counts>>;

export function holdings(population: Map<number, readonly Act[]>): Holdings {
  const byItem: Holdings = new Map();
  for (const [u, acts] of population) {
    for (const r of acts) {
      const holders = byItem.get(r.item) ?? new Map<number, Counts>();
      const c = holders.get(u) ?? { impressions: 0, clicks: 0, likes: 0 };
      for (const e of r.events) {
        if (e.type === 'impression') c.impressions++;
        else if (e.type === 'click') c.clicks++;
        else if (e.type === 'like') c.likes++;
      }
      holders.set(u, c);
      byItem.set(r.item, holders);
    }
  }
  return byItem;
}

/** k of a unit: users whose 30 days hold its items (with at least its exact counts, when it has them). */
export function unitK(unit: Unit, byItem: Holdings): number {
  const rows = [...unit.rows].sort((a, b) => (byItem.get(a[0])?.size ?? 0) - (byItem.get(b[0])?.size ?? 0));
  let users: number[] | null = null;
  for (const [item, counts] of rows) {
    const holders = byItem.get(item) ?? new Map<number, Counts>();
    const ok = (u: number) => {
      const c = holders.get(u);
      return c !== undefined && (counts === null || (c.impressions >= counts.impressions && c.clicks >= counts.clicks && c.likes >= counts.likes));
    };
    users = users === null ? [...holders.keys()].filter(ok) : users.filter(ok);
    if (users.length <= 1) break;
  }
  return Math.max(1, users?.length ?? 1);
}
