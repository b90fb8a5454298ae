/**
 * The Postgres schema as numbered migrations. `schema_version` holds one row per applied
 * migration; `migrate` applies the missing ones in order, each in its own transaction under an
 * advisory lock, so two servers starting on one database at once do not race.
 *
 * Counter columns are double precision: aggregate batches with local differential privacy carry
 * noisy, possibly fractional or negative counts (see WireCounts), and their sums stay unbiased.
 */
import type { Pool } from 'pg';
import { EVENTS_BY_DAY } from './partitions.ts';

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
        batch_id    text PRIMARY KEY,
        mode        text NOT NULL,
        install_id  text,
        release_id  text,
        feed        text NOT NULL,
        received_at bigint NOT NULL,
        stored      integer NOT NULL
      );
      CREATE INDEX batches_install ON batches (install_id) WHERE install_id IS NOT NULL;

      CREATE TABLE events (
        seq            bigserial PRIMARY KEY,
        batch_id       text NOT NULL,
        install_id     text NOT NULL,
        release_id     text,
        feed           text NOT NULL,
        item_id        text NOT NULL,
        type           text NOT NULL,
        at             bigint NOT NULL,
        watch_seconds  double precision,
        watch_fraction double precision
      );
      CREATE INDEX events_install ON events (install_id);
      CREATE INDEX events_at ON events (at);

      CREATE TABLE item_day_counts (
        item_id            text NOT NULL,
        day                date NOT NULL,
        feed               text NOT NULL,
        impressions        double precision NOT NULL DEFAULT 0,
        clicks             double precision NOT NULL DEFAULT 0,
        watches            double precision NOT NULL DEFAULT 0,
        likes              double precision NOT NULL DEFAULT 0,
        hides              double precision NOT NULL DEFAULT 0,
        skips              double precision NOT NULL DEFAULT 0,
        watch_seconds      double precision NOT NULL DEFAULT 0,
        watch_fraction_sum double precision NOT NULL DEFAULT 0,
        PRIMARY KEY (item_id, day, feed)
      );
      CREATE INDEX item_day_counts_day ON item_day_counts (day);
    `,
  },
  {
    version: 2,
    description: 'batch body hashes, install tombstones, batch expiry, health probe',
    sql: `
      ALTER TABLE batches ADD COLUMN body_hash text;
      CREATE INDEX batches_received ON batches (received_at);
      CREATE TABLE deleted_installs (
        install_hash text PRIMARY KEY,
        deleted_at   bigint NOT NULL
      );
      CREATE TABLE health_probe (
        id integer PRIMARY KEY CHECK (id = 1),
        at bigint NOT NULL
      );
    `,
  },
  {
    version: 3,
    description: 'events partitioned by UTC day (RANGE on at), existing rows moved; counter pages keep room for HOT updates',
    sql: EVENTS_BY_DAY,
  },
];

/** Any fixed 64-bit key; only ondeck's migrations take it. */
const MIGRATION_LOCK = 0x6f6e6465636b; // 'ondeck'

export async function runMigrations(pool: Pool): Promise<number[]> {
  const client = await pool.connect();
  const applied: number[] = [];
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await client.query(
        'CREATE TABLE IF NOT EXISTS schema_version (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
      );
      const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_version');
      const done = new Set(rows.map((r) => r.version));
      for (const m of MIGRATIONS) {
        if (done.has(m.version)) continue;
        await client.query('BEGIN');
        try {
          await client.query(m.sql);
          await client.query('INSERT INTO schema_version (version) VALUES ($1)', [m.version]);
          await client.query('COMMIT');
          applied.push(m.version);
        } catch (err) {
          await client.query('ROLLBACK');
          throw err;
        }
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  } finally {
    client.release();
  }
  return applied;
}
