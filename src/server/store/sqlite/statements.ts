/** Every SQL statement of the SQLite store, prepared once when the store opens. */
import type Database from 'better-sqlite3';
import { MINUTE_KEY, MINUTE_MS } from './migrations.ts';

/**
 * The key of the events index (migration 3), written exactly as there so SQLite uses it. It never
 * decreases as `at` grows, so a time bound is the same bound on the key (minuteOf) plus the exact
 * one on `at`, and ordering by the key then by `at` is ordering by `at`.
 */
const MINUTE = MINUTE_KEY;

/** The index key of a time, as SQLite computes it (CAST truncates toward zero). */
export function minuteOf(ms: number): number {
  return Math.trunc(ms / MINUTE_MS);
}

const EVENT_COLUMNS = '(install, item, type, at, watch_seconds, watch_fraction, feed, release_id, batch_id)';
const COUNT_COLUMNS = '(item, day, feed, impressions, clicks, watches, likes, hides, skips, watch_seconds, watch_fraction_sum)';
const ADD_ON_CONFLICT = `
  ON CONFLICT (item, day, feed) DO UPDATE SET
    impressions = impressions + excluded.impressions,
    clicks = clicks + excluded.clicks,
    watches = watches + excluded.watches,
    likes = likes + excluded.likes,
    hides = hides + excluded.hides,
    skips = skips + excluded.skips,
    watch_seconds = watch_seconds + excluded.watch_seconds,
    watch_fraction_sum = watch_fraction_sum + excluded.watch_fraction_sum`;

/** Rows per multi-row INSERT: one statement step per chunk instead of one per row. */
export const ROWS_PER_INSERT = 128;
export const EVENT_FIELDS = 9;
export const COUNT_FIELDS = 11;

function values(rows: number, fields: number): string {
  const one = `(${Array.from({ length: fields }, () => '?').join(', ')})`;
  return Array.from({ length: rows }, () => one).join(', ');
}

/** Multi-row INSERT statements by row count, prepared on first use. */
export class MultiRowInserts {
  readonly #events = new Map<number, Database.Statement>();
  readonly #counts = new Map<number, Database.Statement>();
  readonly #db: Database.Database;
  constructor(db: Database.Database) {
    this.#db = db;
  }
  insertEvents(rows: number): Database.Statement {
    let st = this.#events.get(rows);
    if (!st) {
      st = this.#db.prepare(`INSERT INTO events ${EVENT_COLUMNS} VALUES ${values(rows, EVENT_FIELDS)}`);
      this.#events.set(rows, st);
    }
    return st;
  }
  addCounts(rows: number): Database.Statement {
    let st = this.#counts.get(rows);
    if (!st) {
      st = this.#db.prepare(`INSERT INTO item_day_counts ${COUNT_COLUMNS} VALUES ${values(rows, COUNT_FIELDS)} ${ADD_ON_CONFLICT}`);
      this.#counts.set(rows, st);
    }
    return st;
  }
}

export function prepareStatements(db: Database.Database) {
  return {
    multi: new MultiRowInserts(db),
    insertBatch: db.prepare(
      'INSERT OR IGNORE INTO batches (batch_id, mode, feed, release_id, install_id, received_at, stored, body_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    batchHashOf: db.prepare('SELECT body_hash FROM batches WHERE batch_id = ?'),
    isDeletedInstall: db.prepare('SELECT 1 FROM deleted_installs WHERE install_hash = ?'),
    addTombstone: db.prepare('INSERT OR IGNORE INTO deleted_installs (install_hash, deleted_at) VALUES (?, ?)'),
    /** Oldest first, a bounded number per call: one call never holds the database for long. */
    expireBatches: db.prepare('DELETE FROM batches WHERE rowid IN (SELECT rowid FROM batches WHERE received_at < ? ORDER BY received_at LIMIT ?)'),
    probeWrite: db.prepare('INSERT INTO health_probe (id, at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET at = excluded.at'),
    /** After a deletion: a counter row that only that install made is removed, not left at zero. */
    dropEmptyCounts: db.prepare(`
      DELETE FROM item_day_counts WHERE item = ? AND day = ? AND feed = ?
        AND impressions = 0 AND clicks = 0 AND watches = 0 AND likes = 0 AND hides = 0 AND skips = 0
        AND abs(watch_seconds) < 1e-9 AND abs(watch_fraction_sum) < 1e-9`),
    itemDaySums: db.prepare(`
      SELECT item, day, SUM(impressions) AS impressions, SUM(clicks) AS clicks, SUM(watches) AS watches,
             SUM(watch_seconds) AS watchSeconds, SUM(watch_fraction_sum) AS watchFractionSum
      FROM item_day_counts GROUP BY item, day`),
    exportEvents: db.prepare(
      'SELECT seq, install, item, type, at, watch_seconds, watch_fraction FROM events WHERE seq > ? AND at >= ? ORDER BY seq LIMIT ?',
    ),
    eventsOfInstall: db.prepare('SELECT item, type, at, feed, watch_seconds, watch_fraction FROM events WHERE install = ?'),
    deleteEventsOfInstall: db.prepare('DELETE FROM events WHERE install = ?'),
    /** Retention, one bounded step: events before $1 (ms), at most $2 of them, oldest first. */
    dropEventsBefore: db.prepare(
      `DELETE FROM events WHERE seq IN (SELECT seq FROM events WHERE ${MINUTE} <= :minute AND at < :before ORDER BY ${MINUTE} LIMIT :limit)`,
    ),
    deleteBatchesOfInstall: db.prepare('DELETE FROM batches WHERE install_id = ?'),
    feedSums: db.prepare(`
      SELECT feed, SUM(impressions) AS impressions, SUM(clicks) AS clicks, SUM(watches) AS watches, SUM(watch_seconds) AS watch_seconds
      FROM item_day_counts WHERE day >= ? AND day <= ? GROUP BY feed ORDER BY feed`),
    dailySums: db.prepare(`
      SELECT day, SUM(impressions) AS impressions, SUM(clicks) AS clicks, SUM(watches) AS watches,
             SUM(likes) AS likes, SUM(hides) AS hides, SUM(skips) AS skips
      FROM item_day_counts WHERE day >= ? AND day <= ? GROUP BY day ORDER BY day`),
    /** Newest first: the index gives minutes newest first, so only within a minute is sorted. */
    recentEvents: db.prepare(
      `SELECT item, type, at, watch_fraction FROM events WHERE ${MINUTE} >= :minute AND at >= :since ORDER BY ${MINUTE} DESC, at DESC LIMIT :limit`,
    ),
    stats: db.prepare(`
      SELECT (SELECT COUNT(*) FROM batches) AS batches, (SELECT COUNT(*) FROM events) AS events,
             (SELECT COUNT(*) FROM item_day_counts) AS countRows`),
    ping: db.prepare('SELECT 1'),
  };
}

export type Statements = ReturnType<typeof prepareStatements>;
