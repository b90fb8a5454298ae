/**
 * The feature store on Postgres (pg Pool). Semantics are the sqlite adapter's, and the shared
 * pieces are the same code (day-counts.ts, item-features.ts): pseudonymous events are counted
 * into the same per-item, per-day rows as aggregate counters, and item features, feed metrics and
 * daily counts read those rows. One conformance suite (test/unit/server/store-conformance.test.ts) runs
 * against both adapters.
 *
 * Writes: an ingest is one statement (batch row, events and counters; see queries.ts), so it is
 * atomic and committed when the query resolves, in one round trip; the first time this process
 * meets a UTC day, one statement before it makes that day's event partition (partitions.ts). Postgres's default
 * synchronous_commit=on fsyncs the WAL before acknowledging, like the sqlite adapter's
 * synchronous=FULL: an acknowledged batch survives a crash.
 */
import pg from 'pg';
import type { EventType } from '../../../core/events.ts';
import type { EventBatch } from '../../../core/sync/wire.ts';
import { batchHash, installHash } from '../batch-identity.ts';
import { checkStorable } from '../check-storable.ts';
import { countEvents, countsOfAggregate, utcDay, type DayCounts } from '../day-counts.ts';
import { BatchConflictError, InstallDeletedError, StoreClosedError } from '../errors.ts';
import { feedMetricsOf } from '../feed-metrics.ts';
import { foldItemFeatures, type ItemDaySums } from '../item-features.ts';
import type {
  DailyCount,
  ExportedEvent,
  FeatureStore,
  FeedEngagement,
  IngestResult,
  ItemFeatureOptions,
  ItemFeatures,
  StoreStats,
} from '../types.ts';
import { POSTGRES_DEFAULTS } from './defaults.ts';
import { PostgresUnavailableError } from './errors.ts';
import { countColumns, eventBatchParams, numberArray, textArray } from './ingest-rows.ts';
import { runMigrations } from './migrations.ts';
import { ENSURE_EVENT_DAYS, EVENT_PARTITIONS, dayNumber, quoteIdent } from './partitions.ts';
import {
  ADD_COUNTS,
  ADD_TOMBSTONE,
  BATCH_HASH,
  EXPIRE_BATCHES,
  PROBE_WRITE,
  DAILY_SUMS,
  DELETE_BATCHES_OF_INSTALL,
  DELETE_EVENTS_OF_INSTALL,
  DROP_EMPTY_COUNTS,
  EXPORT_EVENTS,
  FEED_SUMS,
  INSERT_EVENTS,
  ITEM_DAY_SUMS,
  LAST_SEQ,
  RECENT_EVENTS,
  STATS,
  UPSERT_COUNTS,
  WAIT_FOR_SEQS,
} from './queries.ts';

const DAILY_TYPES: ReadonlyArray<[EventType, 'impressions' | 'clicks' | 'watches' | 'likes' | 'hides' | 'skips']> = [
  ['impression', 'impressions'],
  ['click', 'clicks'],
  ['watch', 'watches'],
  ['like', 'likes'],
  ['hide', 'hides'],
  ['skip', 'skips'],
];

/** Postgres's code for a row that no partition takes (its day's partition was dropped meanwhile). */
const NO_PARTITION = '23514';

/** Query parameters in ms are clamped to a JS Date's range (±8.64e15), which bigint holds. */
function clampMs(ms: number): number {
  return Math.max(-8.64e15, Math.min(8.64e15, Math.floor(ms)));
}

/** The last day a `until` bound can name: no bound. */
const NO_END_DAY = '9999-12-31';

/** The UTC day of a time, clamped to the years a `YYYY-MM-DD` (and Postgres `date`) can name. */
function dayOf(ms: number): string {
  return utcDay(Math.max(-62_135_596_800_000, Math.min(253_402_300_799_999, Math.floor(ms))));
}

interface IngestRow {
  fresh: number;
  gone: boolean;
  prev_hash: string | null;
}

interface SumRow {
  impressions: number;
  clicks: number;
  watches: number;
  watch_seconds: number;
}

export class PostgresStore implements FeatureStore {
  readonly kind = 'postgres' as const;
  readonly #pool: pg.Pool;
  #closed = false;
  /** Replays acknowledged by this process, as the sqlite adapter counts them (not persisted). */
  #duplicates = 0;
  /** Day numbers whose event partition this process knows to exist (created or seen). */
  readonly #days = new Set<number>();

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async migrate(): Promise<void> {
    await runMigrations(this.#pool);
  }

  async ingest(batch: EventBatch, receivedAt: number): Promise<IngestResult> {
    if (this.#closed) throw new StoreClosedError();
    checkStorable(batch);
    const release = batch.releaseId ?? null;
    const hash = batchHash(batch);
    let outcome: IngestRow;
    let stored: number;
    if (batch.mode === 'pseudonymous') {
      stored = batch.events.length;
      const p = eventBatchParams(batch);
      const query = {
        name: 'ondeck-insert-events-v3',
        text: INSERT_EVENTS,
        values: [batch.batchId, batch.installId, release, batch.feed, Math.round(receivedAt), stored, ...p.arrays, installHash(batch.installId), hash],
      };
      await this.#ensureDays(p.days);
      let rows: IngestRow[];
      try {
        ({ rows } = await this.#pool.query<IngestRow>(query));
      } catch (err) {
        // Another process's retention dropped a day this process had seen: create it again, once.
        if ((err as { code?: string }).code !== NO_PARTITION) throw err;
        this.#days.clear();
        await this.#ensureDays(p.days);
        ({ rows } = await this.#pool.query<IngestRow>(query));
      }
      outcome = rows[0]!;
    } else {
      stored = batch.counts.length;
      const c = countColumns(countsOfAggregate(batch));
      const { rows } = await this.#pool.query<IngestRow>({ name: 'ondeck-upsert-counts-v2', text: UPSERT_COUNTS, values: [
        batch.batchId, release, batch.feed, Math.round(receivedAt), stored, textArray(c.items), textArray(c.days), ...c.values.map(numberArray), hash,
      ] });
      outcome = rows[0]!;
    }
    if (outcome.gone) throw new InstallDeletedError();
    if (outcome.fresh === 1) return { stored, duplicate: false };
    // Committed by a concurrent ingest after this statement's snapshot: read it now.
    const prev = outcome.prev_hash ?? (await this.#pool.query<{ body_hash: string | null }>(BATCH_HASH, [batch.batchId])).rows[0]?.body_hash ?? null;
    if (prev !== null && prev !== hash) throw new BatchConflictError(batch.batchId);
    this.#duplicates++;
    return { stored: 0, duplicate: true };
  }

  /** Creates the day partitions (UTC day numbers) that this process has not seen yet. */
  async #ensureDays(days: readonly number[]): Promise<void> {
    const missing = days.filter((d) => !this.#days.has(d));
    if (missing.length === 0) return;
    await this.#pool.query(ENSURE_EVENT_DAYS, [missing]);
    for (const d of missing) this.#days.add(d);
  }

  async dropEventsBefore(o: { before: number }): Promise<{ deleted: number }> {
    if (this.#closed) throw new StoreClosedError();
    const cutoff = dayNumber(clampMs(o.before)) * 86_400_000;
    const { rows } = await this.#pool.query<{ name: string; lower: number; upper: number }>(EVENT_PARTITIONS);
    let deleted = 0;
    for (const p of rows) {
      if (p.upper > cutoff) continue;
      const client = await this.#pool.connect();
      try {
        await client.query('BEGIN');
        try {
          // Counted for the answer (one read of a day being dropped), then dropped whole.
          const n = (await client.query<{ n: number }>(`SELECT count(*)::float8 AS n FROM ${quoteIdent(p.name)}`)).rows[0]!.n;
          await client.query(`DROP TABLE ${quoteIdent(p.name)}`);
          await client.query('COMMIT');
          deleted += n;
          this.#days.delete(dayNumber(p.lower));
        } catch (err) {
          await client.query('ROLLBACK').catch(() => {});
          throw err;
        }
      } finally {
        client.release();
      }
    }
    return { deleted };
  }

  async itemFeatures(o: ItemFeatureOptions): Promise<ItemFeatures[]> {
    const { rows } = await this.#pool.query<ItemDaySums>(ITEM_DAY_SUMS);
    return foldItemFeatures(rows, o);
  }

  async exportEvents(o: { since: number; afterSeq: number; limit: number }): Promise<ExportedEvent[]> {
    // Seqs are handed out in statement order but committed in any order (see SEQ_LOCK); a page
    // stops at a seq below which every ingest has finished.
    const client = await this.#pool.connect();
    let last: number;
    try {
      await client.query('BEGIN');
      last = (await client.query<{ last: number }>(LAST_SEQ)).rows[0]!.last;
      await client.query(WAIT_FOR_SEQS);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      client.release();
    }
    const { rows } = await this.#pool.query<{
      seq: number; install_id: string; item_id: string; type: EventType; at: number;
      watch_seconds: number | null; watch_fraction: number | null;
    }>(EXPORT_EVENTS, [Math.floor(o.afterSeq), clampMs(o.since), Math.max(0, Math.floor(o.limit)), last]);
    return rows.map((r) => {
      const e: ExportedEvent = { seq: r.seq, install: r.install_id, item: r.item_id, type: r.type, at: r.at };
      if (r.watch_seconds !== null) e.watchSeconds = r.watch_seconds;
      if (r.watch_fraction !== null) e.watchFraction = r.watch_fraction;
      return e;
    });
  }

  async deleteInstall(installId: string, at = Date.now()): Promise<{ deleted: number }> {
    if (this.#closed) throw new StoreClosedError();
    const client = await this.#pool.connect();
    try {
      await client.query('BEGIN');
      try {
        await client.query(ADD_TOMBSTONE, [installHash(installId), Math.round(at)]);
        const { rows } = await client.query<{ item: string; type: EventType; at: number; feed: string; watch_seconds: number | null; watch_fraction: number | null }>(
          DELETE_EVENTS_OF_INSTALL,
          [installId],
        );
        // Its events were counted into the day counters; take them out again, per feed.
        const minus = countEvents(rows.map((e) => ({ item: e.item, type: e.type, at: e.at, feed: e.feed, watchSeconds: e.watch_seconds, watchFraction: e.watch_fraction })), -1);
        const byFeed = new Map<string, DayCounts[]>();
        for (const r of minus) byFeed.set(r.feed, [...(byFeed.get(r.feed) ?? []), r]);
        for (const [feed, counts] of [...byFeed].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
          const c = countColumns(counts);
          await client.query(ADD_COUNTS, [feed, c.items, c.days, ...c.values]);
          await client.query(DROP_EMPTY_COUNTS, [feed, c.items, c.days]);
        }
        await client.query(DELETE_BATCHES_OF_INSTALL, [installId]);
        await client.query('COMMIT');
        return { deleted: rows.length };
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        throw err;
      }
    } finally {
      client.release();
    }
  }

  async feedMetrics(o: { since: number; until?: number }): Promise<FeedEngagement[]> {
    const { rows } = await this.#pool.query<SumRow & { feed: string }>(FEED_SUMS, [dayOf(o.since), o.until === undefined ? NO_END_DAY : dayOf(o.until)]);
    return feedMetricsOf(rows);
  }

  async dailyCounts(o: { since: number; until?: number }): Promise<DailyCount[]> {
    const { rows } = await this.#pool.query<{ day: string } & Record<(typeof DAILY_TYPES)[number][1], number>>(DAILY_SUMS, [
      dayOf(o.since),
      o.until === undefined ? NO_END_DAY : dayOf(o.until),
    ]);
    const out: DailyCount[] = [];
    for (const r of rows) {
      for (const [type, column] of DAILY_TYPES) if (r[column] !== 0) out.push({ day: r.day, type, count: r[column] });
    }
    return out;
  }

  async recentEvents(o: { since: number; limit: number }): Promise<Array<{ item: string; type: EventType; at: number; watchFraction?: number }>> {
    const { rows } = await this.#pool.query<{ item_id: string; type: EventType; at: number; watch_fraction: number | null }>(
      RECENT_EVENTS,
      [clampMs(o.since), Math.max(0, Math.floor(o.limit))],
    );
    return rows.map((r) =>
      r.watch_fraction === null ? { item: r.item_id, type: r.type, at: r.at } : { item: r.item_id, type: r.type, at: r.at, watchFraction: r.watch_fraction },
    );
  }

  async stats(): Promise<StoreStats> {
    const { rows } = await this.#pool.query<{ batches: number; events: number; count_rows: number }>(STATS);
    const r = rows[0]!;
    return { batches: r.batches, duplicates: this.#duplicates, events: r.events, countRows: r.count_rows };
  }

  async ping(): Promise<void> {
    await this.#pool.query('SELECT 1');
  }

  async expireBatches(o: { before: number; limit: number }): Promise<{ deleted: number }> {
    if (this.#closed) throw new StoreClosedError();
    const r = await this.#pool.query(EXPIRE_BATCHES, [clampMs(o.before), Math.max(0, Math.floor(o.limit))]);
    return { deleted: r.rowCount ?? 0 };
  }

  async probeWrite(at: number): Promise<void> {
    if (this.#closed) throw new StoreClosedError();
    await this.#pool.query(PROBE_WRITE, [Math.round(at)]);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pool.end();
  }
}

/**
 * Opens a pool on `url` (e.g. postgres://user:pass@host:5432/db), checks that the server answers,
 * and brings the schema up to date. Fails with PostgresUnavailableError when it cannot connect.
 */
export async function openPostgresStore(url: string): Promise<FeatureStore> {
  const pool = new pg.Pool({
    connectionString: url,
    max: POSTGRES_DEFAULTS.poolSize,
    connectionTimeoutMillis: POSTGRES_DEFAULTS.connectTimeoutMs,
    idleTimeoutMillis: POSTGRES_DEFAULTS.idleTimeoutMs,
    // Our statements are named and parameterised by arrays (unnest), so one plan fits every
    // batch; left to choose, Postgres re-planned the ingest statements on every call.
    options: '-c plan_cache_mode=force_generic_plan',
  });
  // An idle connection dropped by the server emits 'error' on the pool; without a listener that
  // would crash the process. The pool replaces the connection on the next query.
  pool.on('error', () => {});
  try {
    await pool.query('SELECT 1');
  } catch (err) {
    await pool.end().catch(() => {});
    throw new PostgresUnavailableError(url, { cause: err });
  }
  const store = new PostgresStore(pool);
  try {
    await store.migrate();
  } catch (err) {
    await store.close().catch(() => {});
    throw err;
  }
  return store;
}
