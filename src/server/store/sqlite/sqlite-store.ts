/**
 * The embedded feature store: one SQLite file through better-sqlite3.
 *
 * Durability: WAL with synchronous=FULL. With NORMAL, a WAL commit is not fsynced, so a power
 * cut can lose transactions that were already acknowledged; an acknowledged batch must survive,
 * so every commit syncs the WAL. Group commit (group-commit.ts) keeps that affordable: batches
 * arriving together share one transaction and one fsync, each batch in its own savepoint, and
 * the group's day counters are summed and upserted once, after its batches. The server opens this
 * store on a thread of its own (threaded-store.ts); tests and tools may use it in-thread.
 *
 * Idempotency: the batch row is inserted first (INSERT OR IGNORE on its primary key) in the same
 * transaction as its events; when it was there already, nothing else is written.
 */
import Database from 'better-sqlite3';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { EventType } from '../../../core/events.ts';
import type { EventBatch } from '../../../core/sync/wire.ts';
import { batchHash, installHash } from '../batch-identity.ts';
import { checkStorable } from '../check-storable.ts';
import { countEvents, countWireEvents, countsOfAggregate, dayStart, utcDay, type DayCounts } from '../day-counts.ts';
import { BatchConflictError, InstallDeletedError, StoreClosedError } from '../errors.ts';
import { feedMetricsOf, type FeedSumRow } from '../feed-metrics.ts';
import { foldItemFeatures, type ItemDaySums } from '../item-features.ts';
import type { DailyCount, ExportedEvent, FeatureStore, FeedEngagement, IngestResult, StoreStats } from '../types.ts';
import { GroupCommit } from './group-commit.ts';
import { runMigrations } from './migrations.ts';
import { COUNT_FIELDS, EVENT_FIELDS, ROWS_PER_INSERT, minuteOf, prepareStatements, type Statements } from './statements.ts';

/** Batches committed in one transaction at most (bounds the time the event loop is held). */
const MAX_GROUP = 64;
/**
 * How long a batch waits for others to share its commit and fsync (group-commit.ts). Server load
 * bench, 16 connections × 100-event batches, quick runs of one session: 0 ms 34.5k events/s
 * (p99 60 ms), 2 ms 36.5k (68 ms), 5 ms 40.7k (64 ms).
 */
const GROUP_WINDOW_MS = 5;

/** Events deleted per retention step (one transaction each), so one step never holds the file long. */
const RETENTION_STEP = 20_000;

const DAILY_TYPES: ReadonlyArray<[EventType, keyof DailyRow]> = [
  ['impression', 'impressions'],
  ['click', 'clicks'],
  ['watch', 'watches'],
  ['like', 'likes'],
  ['hide', 'hides'],
  ['skip', 'skips'],
];

interface DailyRow {
  day: string;
  impressions: number;
  clicks: number;
  watches: number;
  likes: number;
  hides: number;
  skips: number;
}

/** The UTC day of a time, clamped to the years a `YYYY-MM-DD` can name. */
function dayOf(ms: number): string {
  return utcDay(Math.max(-62_135_596_800_000, Math.min(253_402_300_799_999, ms)));
}

interface Job {
  batch: EventBatch;
  receivedAt: number;
  hash: string;
}

interface Written {
  result: IngestResult;
  counts: readonly DayCounts[];
}

const COUNT_FIELDS_OF_ROW = ['impressions', 'clicks', 'watches', 'likes', 'hides', 'skips', 'watchSeconds', 'watchFractionSum'] as const;

/** Adds day counter rows into `into`, keyed by item, day and feed. */
function mergeCounts(into: Map<string, DayCounts>, rows: readonly DayCounts[]): void {
  for (const r of rows) {
    const key = `${r.item}\u0000${r.day}\u0000${r.feed}`;
    const prev = into.get(key);
    if (prev === undefined) into.set(key, { ...r });
    else for (const f of COUNT_FIELDS_OF_ROW) prev[f] += r[f];
  }
}

/** The last day a `until` bound can name: no bound. */
const NO_END_DAY = '9999-12-31';

/**
 * The database, its WAL and its shared-memory file hold install ids: owner-only (0600). SQLite
 * creates the WAL and SHM files with the database file's mode, so creating that one 0600 before
 * SQLite opens it is enough; files a looser umask made earlier are tightened.
 */
function ownerOnly(file: string): void {
  if (!existsSync(file)) closeSync(openSync(file, 'a', 0o600));
  for (const f of [file, `${file}-wal`, `${file}-shm`, `${file}-journal`]) if (existsSync(f)) chmodSync(f, 0o600);
}

export async function openSqliteStore(file: string): Promise<FeatureStore> {
  return openSqliteStoreHere(file);
}

/** openSqliteStore with the class's own type, for the store thread (ingestChecked). */
export async function openSqliteStoreHere(file: string): Promise<SqliteStore> {
  if (file !== ':memory:') {
    mkdirSync(dirname(resolve(file)), { recursive: true });
    ownerOnly(file);
  }
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  // Another process (a second server, a backup) may hold the write lock for a moment.
  db.pragma('busy_timeout = 5000');
  // Index pages of a busy store stay in memory (64 MB page cache; reads through mmap).
  db.pragma('cache_size = -65536');
  db.pragma('mmap_size = 268435456');
  runMigrations(db);
  return new SqliteStore(db, prepareStatements(db));
}

/** Runs `rows` through multi-row statements of at most ROWS_PER_INSERT rows each. */
function inChunks<T>(rows: readonly T[], fields: number, statement: (n: number) => Database.Statement, bind: (row: T, out: unknown[]) => void): void {
  for (let start = 0; start < rows.length; start += ROWS_PER_INSERT) {
    const end = Math.min(rows.length, start + ROWS_PER_INSERT);
    const params: unknown[] = [];
    for (let i = start; i < end; i++) bind(rows[i]!, params);
    if (params.length !== (end - start) * fields) throw new Error('inChunks: a row bound the wrong number of fields');
    statement(end - start).run(params);
  }
}

export class SqliteStore implements FeatureStore {
  readonly kind = 'sqlite' as const;
  #duplicates = 0;
  #closed = false;
  readonly #ingestOne: (job: Job) => Written;
  readonly #group: GroupCommit<Job, IngestResult>;
  readonly #db: Database.Database;
  readonly #st: Statements;

  constructor(
    db: Database.Database,
    st: Statements,
  ) {
    this.#db = db;
    this.#st = st;
    // Called inside the group's transaction, so better-sqlite3 makes it a savepoint.
    this.#ingestOne = db.transaction((job: Job) => this.#write(job));
    this.#group = new GroupCommit<Job, IngestResult>({
      maxGroup: MAX_GROUP,
      windowMs: GROUP_WINDOW_MS,
      commit: (jobs) =>
        db.transaction(() => {
          // The day counters of the whole group go in at the end, merged: one upsert per
          // item-day-feed the group touched, not one per batch (check-storable.ts refused the
          // values that could make it fail, so it cannot sink the batches written before it).
          const counts = new Map<string, DayCounts>();
          const outcomes = jobs.map((job) => {
            try {
              const written = this.#ingestOne(job);
              mergeCounts(counts, written.counts);
              return { ok: true as const, value: written.result };
            } catch (error) {
              return { ok: false as const, error };
            }
          });
          this.#addCounts([...counts.values()]);
          return outcomes;
        })(),
    });
  }

  async migrate(): Promise<void> {
    runMigrations(this.#db);
  }

  ingest(batch: EventBatch, receivedAt: number): Promise<IngestResult> {
    if (this.#closed) return Promise.reject(new StoreClosedError());
    let hash: string;
    try {
      checkStorable(batch);
      hash = batchHash(batch);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.ingestChecked(batch, receivedAt, hash);
  }

  /**
   * ingest() of a batch that checkStorable accepted and whose batchHash is `hash`: the threaded
   * store does both on the server's thread, so the store's own thread only writes.
   */
  ingestChecked(batch: EventBatch, receivedAt: number, hash: string): Promise<IngestResult> {
    if (this.#closed) return Promise.reject(new StoreClosedError());
    return this.#group.submit({ batch, receivedAt, hash }).then((r) => {
      if (r.duplicate) this.#duplicates++;
      return r;
    });
  }

  /** Writes the batch row and its events; returns the day counters it adds, for the group to write. */
  #write({ batch, receivedAt, hash }: Job): Written {
    const stored = batch.mode === 'pseudonymous' ? batch.events.length : batch.counts.length;
    const installId = batch.mode === 'pseudonymous' ? batch.installId : null;
    if (installId !== null && this.#st.isDeletedInstall.get(installHash(installId))) throw new InstallDeletedError();
    const claimed = this.#st.insertBatch.run(batch.batchId, batch.mode, batch.feed, batch.releaseId, installId, receivedAt, stored, hash);
    if (claimed.changes === 0) {
      // A replay carries the same body; a row from before hashes were kept (null) cannot tell.
      const before = this.#st.batchHashOf.get(batch.batchId) as { body_hash: string | null } | undefined;
      if (before && before.body_hash !== null && before.body_hash !== hash) throw new BatchConflictError(batch.batchId);
      return { result: { stored: 0, duplicate: true }, counts: [] };
    }
    let rows: DayCounts[];
    if (batch.mode === 'pseudonymous') {
      const { installId, feed, releaseId, batchId } = batch;
      inChunks(batch.events, EVENT_FIELDS, (n) => this.#st.multi.insertEvents(n), (e, out) => {
        out.push(installId, e.itemId, e.type, e.at, e.watchSeconds ?? null, e.watchFraction ?? null, feed, releaseId, batchId);
      });
      rows = countWireEvents(batch.events, feed);
    } else {
      rows = countsOfAggregate(batch);
    }
    return { result: { stored, duplicate: false }, counts: rows };
  }

  #addCounts(rows: readonly DayCounts[]): void {
    inChunks(rows, COUNT_FIELDS, (n) => this.#st.multi.addCounts(n), (r, out) => {
      out.push(r.item, r.day, r.feed, r.impressions, r.clicks, r.watches, r.likes, r.hides, r.skips, r.watchSeconds, r.watchFractionSum);
    });
  }

  async itemFeatures(options: Parameters<FeatureStore['itemFeatures']>[0]) {
    return foldItemFeatures(this.#st.itemDaySums.all() as ItemDaySums[], options);
  }

  async exportEvents(o: { since: number; afterSeq: number; limit: number }): Promise<ExportedEvent[]> {
    const rows = this.#st.exportEvents.all(o.afterSeq, o.since, o.limit) as Array<{
      seq: number;
      install: string;
      item: string;
      type: EventType;
      at: number;
      watch_seconds: number | null;
      watch_fraction: number | null;
    }>;
    return rows.map((r) => {
      const e: ExportedEvent = { seq: r.seq, install: r.install, item: r.item, type: r.type, at: r.at };
      if (r.watch_seconds !== null) e.watchSeconds = r.watch_seconds;
      if (r.watch_fraction !== null) e.watchFraction = r.watch_fraction;
      return e;
    });
  }

  async deleteInstall(installId: string, at = Date.now()): Promise<{ deleted: number }> {
    if (this.#closed) throw new StoreClosedError();
    // Flush first: a batch of this install that is queued but not committed must go too.
    this.#group.flush();
    return this.#db.transaction(() => {
      this.#st.addTombstone.run(installHash(installId), Math.round(at));
      const events = this.#st.eventsOfInstall.all(installId) as Array<{ item: string; type: EventType; at: number; feed: string; watch_seconds: number | null; watch_fraction: number | null }>;
      // Its events were counted into the day counters; take them out again.
      const minus = countEvents(events.map((e) => ({ item: e.item, type: e.type, at: e.at, feed: e.feed, watchSeconds: e.watch_seconds, watchFraction: e.watch_fraction })), -1);
      this.#addCounts(minus);
      for (const r of minus) this.#st.dropEmptyCounts.run(r.item, r.day, r.feed);
      const deleted = this.#st.deleteEventsOfInstall.run(installId).changes;
      this.#st.deleteBatchesOfInstall.run(installId);
      return { deleted };
    })();
  }

  async feedMetrics(o: { since: number; until?: number }): Promise<FeedEngagement[]> {
    const rows = this.#st.feedSums.all(dayOf(o.since), o.until === undefined ? NO_END_DAY : dayOf(o.until)) as FeedSumRow[];
    return feedMetricsOf(rows);
  }

  async dailyCounts(o: { since: number; until?: number }): Promise<DailyCount[]> {
    const out: DailyCount[] = [];
    for (const r of this.#st.dailySums.all(dayOf(o.since), o.until === undefined ? NO_END_DAY : dayOf(o.until)) as DailyRow[]) {
      for (const [type, column] of DAILY_TYPES) {
        const count = r[column] as number;
        if (count !== 0) out.push({ day: r.day, type, count });
      }
    }
    return out;
  }

  async recentEvents(o: { since: number; limit: number }) {
    const rows = this.#st.recentEvents.all({ minute: minuteOf(o.since), since: o.since, limit: o.limit }) as Array<{ item: string; type: EventType; at: number; watch_fraction: number | null }>;
    return rows.map((r) => (r.watch_fraction === null ? { item: r.item, type: r.type, at: r.at } : { item: r.item, type: r.type, at: r.at, watchFraction: r.watch_fraction }));
  }

  async stats(): Promise<StoreStats> {
    const s = this.#st.stats.get() as { batches: number; events: number; countRows: number };
    return { ...s, duplicates: this.#duplicates };
  }

  async ping(): Promise<void> {
    this.#st.ping.get();
  }

  async expireBatches(o: { before: number; limit: number }): Promise<{ deleted: number }> {
    if (this.#closed) throw new StoreClosedError();
    return { deleted: this.#st.expireBatches.run(Math.floor(o.before), Math.max(0, Math.floor(o.limit))).changes };
  }

  async dropEventsBefore(o: { before: number }): Promise<{ deleted: number }> {
    const cutoff = dayStart(dayOf(o.before));
    let deleted = 0;
    for (;;) {
      if (this.#closed) throw new StoreClosedError();
      // Each step is its own short transaction; ingests queued meanwhile commit in between.
      const n = this.#db.transaction(() => this.#st.dropEventsBefore.run({ minute: minuteOf(cutoff), before: cutoff, limit: RETENTION_STEP }).changes)();
      deleted += n;
      if (n < RETENTION_STEP) return { deleted };
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  async probeWrite(at: number): Promise<void> {
    if (this.#closed) throw new StoreClosedError();
    this.#db.transaction(() => this.#st.probeWrite.run(Math.round(at)))();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#group.flush();
    this.#closed = true;
    this.#db.close();
  }
}
