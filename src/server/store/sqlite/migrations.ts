/**
 * The SQLite schema as numbered migrations, applied in order inside one transaction each;
 * `schema_version` holds one row per applied migration, so reopening a file never reapplies one
 * and an older file is upgraded in place.
 *
 * Counter columns are REAL: aggregate batches with local differential privacy carry noisy,
 * possibly fractional or negative counts (see WireCounts); their sums stay unbiased.
 */
import type Database from 'better-sqlite3';

/**
 * The events index's key: the minute of `at`, truncated toward zero also when a device sent a
 * fractional time (a plain `at / 60000` would keep a REAL's fraction and break the order).
 * statements.ts names the same expression, so SQLite uses the index.
 */
export const MINUTE_MS = 60_000;
export const MINUTE_KEY = `CAST(at / ${MINUTE_MS} AS INTEGER)`;

export interface Migration {
  version: number;
  description: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'batches, events, item_day_counts',
    sql: `
      CREATE TABLE batches (
        batch_id    TEXT PRIMARY KEY,
        mode        TEXT NOT NULL,
        feed        TEXT NOT NULL,
        release_id  TEXT,
        install_id  TEXT,
        received_at INTEGER NOT NULL,
        stored      INTEGER NOT NULL
      );
      CREATE INDEX batches_install ON batches (install_id) WHERE install_id IS NOT NULL;

      CREATE TABLE events (
        seq            INTEGER PRIMARY KEY AUTOINCREMENT,
        install        TEXT NOT NULL,
        item           TEXT NOT NULL,
        type           TEXT NOT NULL,
        at             INTEGER NOT NULL,
        watch_seconds  REAL,
        watch_fraction REAL,
        feed           TEXT NOT NULL,
        release_id     TEXT,
        batch_id       TEXT NOT NULL
      );
      CREATE INDEX events_install ON events (install);
      CREATE INDEX events_at ON events (at);

      CREATE TABLE item_day_counts (
        item               TEXT NOT NULL,
        day                TEXT NOT NULL,
        feed               TEXT NOT NULL,
        impressions        REAL NOT NULL DEFAULT 0,
        clicks             REAL NOT NULL DEFAULT 0,
        watches            REAL NOT NULL DEFAULT 0,
        likes              REAL NOT NULL DEFAULT 0,
        hides              REAL NOT NULL DEFAULT 0,
        skips              REAL NOT NULL DEFAULT 0,
        watch_seconds      REAL NOT NULL DEFAULT 0,
        watch_fraction_sum REAL NOT NULL DEFAULT 0,
        PRIMARY KEY (item, day, feed)
      );
      CREATE INDEX item_day_counts_day ON item_day_counts (day);
    `,
  },
  {
    version: 2,
    description: 'batch body hashes, install tombstones, batch expiry, health probe',
    sql: `
      ALTER TABLE batches ADD COLUMN body_hash TEXT;
      CREATE INDEX batches_received ON batches (received_at);
      CREATE TABLE deleted_installs (
        install_hash TEXT PRIMARY KEY,
        deleted_at   INTEGER NOT NULL
      );
      CREATE TABLE health_probe (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        at INTEGER NOT NULL
      );
    `,
  },
  {
    // Devices send events of the last minutes to hours, so an index on `at` took each new event
    // at a random leaf: every commit rewrote a page per event into the WAL (server load bench:
    // 40% of the store's CPU per event). Keyed by the minute (then rowid), new events append at
    // the end of a few minutes' runs. Queries by time name the same expression and filter on
    // `at` itself (statements.ts), and "newest first" sorts within a minute, not the whole range.
    version: 3,
    description: 'events indexed by minute instead of by ms',
    sql: `
      DROP INDEX events_at;
      CREATE INDEX events_minute ON events (${MINUTE_KEY});
    `,
  },
];

/** Applies the missing migrations; returns the versions applied now. */
export function runMigrations(db: Database.Database): number[] {
  db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)');
  const done = new Set(db.prepare('SELECT version FROM schema_version').pluck().all() as number[]);
  const applied: number[] = [];
  const record = db.prepare('INSERT INTO schema_version (version, applied_at) VALUES (?, ?)');
  for (const m of MIGRATIONS) {
    if (done.has(m.version)) continue;
    // BEGIN IMMEDIATE: a second process opening the same file waits for the lock instead of
    // applying the same migration at the same time.
    db.transaction(() => {
      const again = db.prepare('SELECT 1 FROM schema_version WHERE version = ?').get(m.version);
      if (again) return;
      db.exec(m.sql);
      record.run(m.version, Date.now());
      applied.push(m.version);
    }).immediate();
  }
  return applied;
}
