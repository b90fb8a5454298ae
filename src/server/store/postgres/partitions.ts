/**
 * Events partitioned by UTC day: `events` is RANGE-partitioned on `at` (ms), one partition per
 * day, [day * 86400000, (day + 1) * 86400000), named events_YYYYMMDD. Partitions are created on
 * demand, before the first ingest that needs one (ensureEventDays); retention drops whole
 * partitions (DROP TABLE, no row-by-row DELETE, no dead tuples to vacuum), and an export from a
 * time on reads only the partitions from that day.
 *
 * There is no DEFAULT partition on purpose: a new day's partition could not be created while a
 * default partition held rows of that day, and the default would grow without bound.
 */

const DAY_MS = 86_400_000;

/** Advisory lock key serialising partition creation ('ondecp'); see ondeck_ensure_event_days. */
const PARTITION_LOCK = 0x6f6e64656370;

/** SQL of the functions that name and create day partitions (also used by migration 3). */
const FUNCTIONS = `
  -- 0001-01-01 is day -719162 and 9999-12-31 day 2932896 since 1970-01-01; beyond, the day number names it.
  CREATE OR REPLACE FUNCTION ondeck_event_partition(day bigint) RETURNS text LANGUAGE sql IMMUTABLE AS $fn$
    SELECT CASE WHEN day BETWEEN -719162 AND 2932896
      THEN 'events_' || to_char(date '1970-01-01' + day::int, 'YYYYMMDD')
      ELSE 'events_n' || replace(day::text, '-', 'm') END
  $fn$;

  -- Creates the missing partitions of the given day numbers. Concurrent callers are serialised by
  -- an advisory lock and a duplicate is ignored, so two servers needing one new day both succeed.
  -- The day is made as a table of its own, then attached: ATTACH PARTITION takes SHARE UPDATE
  -- EXCLUSIVE on events, which ingests in flight (ROW EXCLUSIVE) do not block, where CREATE TABLE
  -- ... PARTITION OF would wait for every open ingest and stall new ones behind it.
  CREATE OR REPLACE FUNCTION ondeck_ensure_event_days(days bigint[]) RETURNS void LANGUAGE plpgsql AS $fn$
  DECLARE
    d bigint;
    part text;
  BEGIN
    FOREACH d IN ARRAY days LOOP
      part := ondeck_event_partition(d);
      CONTINUE WHEN to_regclass(quote_ident(part)) IS NOT NULL;
      PERFORM pg_advisory_xact_lock(${PARTITION_LOCK});
      BEGIN
        EXECUTE format('CREATE TABLE %I (LIKE events)', part);
        EXECUTE format('ALTER TABLE events ATTACH PARTITION %I FOR VALUES FROM (%s) TO (%s)', part, d * ${DAY_MS}, (d + 1) * ${DAY_MS});
      EXCEPTION WHEN duplicate_table OR unique_violation THEN
        NULL;
      END;
    END LOOP;
  END
  $fn$;
`;

/**
 * Migration 3: the unpartitioned `events` of versions 1-2 becomes a partitioned table with the
 * same columns, indexes and sequence (seq values are kept, so export cursors stay valid), and
 * every existing row is moved into its day's partition before the old table is dropped. The
 * primary key becomes (seq, at): a key of a partitioned table must hold the partition column.
 */
export const EVENTS_BY_DAY = `
  ALTER SEQUENCE events_seq_seq OWNED BY NONE;
  ALTER TABLE events RENAME TO events_unpartitioned;
  ALTER INDEX events_pkey RENAME TO events_unpartitioned_pkey;
  ALTER INDEX events_install RENAME TO events_unpartitioned_install;
  ALTER INDEX events_at RENAME TO events_unpartitioned_at;

  CREATE TABLE events (
    seq            bigint NOT NULL DEFAULT nextval('events_seq_seq'),
    batch_id       text NOT NULL,
    install_id     text NOT NULL,
    release_id     text,
    feed           text NOT NULL,
    item_id        text NOT NULL,
    type           text NOT NULL,
    at             bigint NOT NULL,
    watch_seconds  double precision,
    watch_fraction double precision,
    PRIMARY KEY (seq, at)
  ) PARTITION BY RANGE (at);
  ALTER SEQUENCE events_seq_seq OWNED BY events.seq;
  CREATE INDEX events_install ON events (install_id);
  CREATE INDEX events_at ON events (at);
  ${FUNCTIONS}

  SELECT ondeck_ensure_event_days(ARRAY(SELECT DISTINCT floor(at / ${DAY_MS}.0)::bigint FROM events_unpartitioned));
  INSERT INTO events (seq, batch_id, install_id, release_id, feed, item_id, type, at, watch_seconds, watch_fraction)
    SELECT seq, batch_id, install_id, release_id, feed, item_id, type, at, watch_seconds, watch_fraction
    FROM events_unpartitioned ORDER BY seq;
  DROP TABLE events_unpartitioned;

  -- Counter rows are updated in place by every batch; free room on their pages lets Postgres
  -- write the new row version there without touching the indexes (a HOT update).
  ALTER TABLE item_day_counts SET (fillfactor = 70);
`;

/** The UTC day number (days since 1970-01-01) of a time in ms, as the partition bounds count it. */
export function dayNumber(at: number): number {
  return Math.floor(at / DAY_MS);
}

/** Creates the partitions of these day numbers that do not exist yet. $1 bigint[]. */
export const ENSURE_EVENT_DAYS = 'SELECT ondeck_ensure_event_days($1::bigint[])';

/**
 * Every day partition of `events` with its bounds in ms, oldest first; the bounds come from the
 * catalog (pg_get_expr of the partition bound), not from the names.
 */
export const EVENT_PARTITIONS = `
  SELECT c.relname AS name, b[1]::float8 AS lower, b[2]::float8 AS upper
  FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid,
    LATERAL regexp_match(pg_get_expr(c.relpartbound, c.oid), 'FROM \\(''?(-?\\d+)''?\\) TO \\(''?(-?\\d+)''?\\)') AS b
  WHERE i.inhparent = 'events'::regclass
  ORDER BY 2`;

/** A partition's name as an SQL identifier. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
