/**
 * The adapter's SQL. An ingest is one statement, so it is its own transaction: the batch row,
 * its events and its day counters commit together or not at all, in one round trip.
 *
 * Idempotency: the batch row is inserted with ON CONFLICT DO NOTHING and the events are selected
 * FROM its RETURNING output. A concurrent insert of the same batch id waits on the primary key
 * until the first commits, then inserts nothing, so its events are not written either.
 */

/**
 * Adds day counters FROM b (the batch row just claimed, so nothing is added for a replay).
 * `feed` is the parameter of the feed; `first` the first of the 10 array parameters (items,
 * days, then the eight counters in CountColumns order).
 */
function upsertCounts(feed: string, first: string): string {
  const n = Number(first.slice(1));
  const p = (k: number) => `$${n + k}`;
  return `INSERT INTO item_day_counts AS t
      (item_id, day, feed, impressions, clicks, watches, likes, hides, skips, watch_seconds, watch_fraction_sum)
    SELECT u.item_id, u.day::date, ${feed}, u.impressions, u.clicks, u.watches, u.likes, u.hides, u.skips, u.watch_seconds, u.watch_fraction_sum
    FROM b CROSS JOIN unnest(${p(0)}::text[], ${p(1)}::text[], ${p(2)}::float8[], ${p(3)}::float8[], ${p(4)}::float8[], ${p(5)}::float8[],
                             ${p(6)}::float8[], ${p(7)}::float8[], ${p(8)}::float8[], ${p(9)}::float8[])
      AS u (item_id, day, impressions, clicks, watches, likes, hides, skips, watch_seconds, watch_fraction_sum)
    ON CONFLICT (item_id, day, feed) DO UPDATE SET
      impressions = t.impressions + EXCLUDED.impressions,
      clicks = t.clicks + EXCLUDED.clicks,
      watches = t.watches + EXCLUDED.watches,
      likes = t.likes + EXCLUDED.likes,
      hides = t.hides + EXCLUDED.hides,
      skips = t.skips + EXCLUDED.skips,
      watch_seconds = t.watch_seconds + EXCLUDED.watch_seconds,
      watch_fraction_sum = t.watch_fraction_sum + EXCLUDED.watch_fraction_sum`;
}

/**
 * Advisory lock key that orders export pages with ingests. An ingest holds it shared from before
 * its events take their seqs until it commits; exportEvents reads the sequence's last value, then
 * takes the lock exclusively for an instant, so every seq up to that value is committed (or
 * rolled back) before the page is read. Without it, a page could return seq 12 while seq 11 is
 * still being committed by another connection, and the next page (seq > 12) would skip 11.
 */
export const SEQ_LOCK = 0x6f6e6465636c; // 'ondecl'

/**
 * Every ingest answers `fresh` (1: claimed and written), `gone` (the install has a tombstone:
 * nothing written) and `prev_hash` (the body hash of an earlier batch of that id, as the
 * statement's snapshot saw it; null for a row from before hashes were kept, or one committed by
 * a concurrent ingest while this one waited, which the adapter then reads again).
 * $22 the install's hash, $23 the body hash.
 */
export const INSERT_EVENTS = `
  WITH t AS (
    SELECT EXISTS (SELECT 1 FROM deleted_installs WHERE install_hash = $22) AS gone
  ), b AS (
    INSERT INTO batches (batch_id, mode, install_id, release_id, feed, received_at, stored, body_hash)
    SELECT $1, 'pseudonymous', $2, $3, $4, $5, $6, $23 FROM (SELECT pg_advisory_xact_lock_shared(${SEQ_LOCK})) AS seq_lock, t
    WHERE NOT t.gone
    ON CONFLICT (batch_id) DO NOTHING
    RETURNING batch_id
  ), e AS (
    INSERT INTO events (batch_id, install_id, release_id, feed, item_id, type, at, watch_seconds, watch_fraction)
    SELECT b.batch_id, $2, $3, $4, u.item_id, u.type, u.at, u.watch_seconds, u.watch_fraction
    FROM b CROSS JOIN unnest($7::text[], $8::text[], $9::bigint[], $10::float8[], $11::float8[])
      WITH ORDINALITY AS u (item_id, type, at, watch_seconds, watch_fraction, ord)
    ORDER BY u.ord
  ), c AS (
    ${upsertCounts('$4', '$12')}
  )
  SELECT (SELECT count(*) FROM b)::int AS fresh, (SELECT gone FROM t) AS gone,
         (SELECT body_hash FROM batches WHERE batch_id = $1) AS prev_hash`;

/** As INSERT_EVENTS, for aggregate batches (no install, never gone); $16 the body hash. */
export const UPSERT_COUNTS = `
  WITH b AS (
    INSERT INTO batches (batch_id, mode, install_id, release_id, feed, received_at, stored, body_hash)
    VALUES ($1, 'aggregate', NULL, $2, $3, $4, $5, $16)
    ON CONFLICT (batch_id) DO NOTHING
    RETURNING batch_id
  ), c AS (
    ${upsertCounts('$3', '$6')}
  )
  SELECT (SELECT count(*) FROM b)::int AS fresh, false AS gone,
         (SELECT body_hash FROM batches WHERE batch_id = $1) AS prev_hash`;

export const BATCH_HASH = 'SELECT body_hash FROM batches WHERE batch_id = $1';

export const ADD_TOMBSTONE = 'INSERT INTO deleted_installs (install_hash, deleted_at) VALUES ($1, $2) ON CONFLICT (install_hash) DO NOTHING';

/** Oldest first, at most $2 per call. */
export const EXPIRE_BATCHES = `
  DELETE FROM batches WHERE ctid IN (SELECT ctid FROM batches WHERE received_at < $1 ORDER BY received_at LIMIT $2)`;

export const PROBE_WRITE = 'INSERT INTO health_probe (id, at) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET at = EXCLUDED.at';

/** Adds counter rows (possibly negative, for a deletion) to item_day_counts. $1 feed, $2.. columns. */
export const ADD_COUNTS = `
  WITH b AS (SELECT 1)
  ${upsertCounts('$1', '$2')}`;

/** Removes the counter rows a deletion brought back to zero. $1 feed, $2 items, $3 days. */
export const DROP_EMPTY_COUNTS = `
  DELETE FROM item_day_counts t
  USING unnest($2::text[], $3::date[]) AS u (item_id, day)
  WHERE t.item_id = u.item_id AND t.day = u.day AND t.feed = $1
    AND t.impressions = 0 AND t.clicks = 0 AND t.watches = 0 AND t.likes = 0 AND t.hides = 0 AND t.skips = 0
    AND abs(t.watch_seconds) < 1e-9 AND abs(t.watch_fraction_sum) < 1e-9`;

/** Counter sums per item and day, folded into ItemFeatures by foldItemFeatures (shared with sqlite). */
export const ITEM_DAY_SUMS = `
  SELECT item_id AS item, to_char(day, 'YYYY-MM-DD') AS day, sum(impressions) AS impressions, sum(clicks) AS clicks,
    sum(watches) AS watches, sum(watch_seconds) AS "watchSeconds", sum(watch_fraction_sum) AS "watchFractionSum"
  FROM item_day_counts GROUP BY item_id, day`;

/** $1 the UTC day of `since`: counters are per day, so the whole day holding `since` counts; $2 the last day. */
export const FEED_SUMS = `
  SELECT feed, sum(impressions) AS impressions, sum(clicks) AS clicks, sum(watches) AS watches, sum(watch_seconds) AS watch_seconds
  FROM item_day_counts WHERE day >= $1::date AND day <= $2::date GROUP BY feed ORDER BY feed`;

/** $1 the UTC day of `since`, $2 the last day. */
export const DAILY_SUMS = `
  SELECT to_char(day, 'YYYY-MM-DD') AS day, sum(impressions) AS impressions, sum(clicks) AS clicks, sum(watches) AS watches,
    sum(likes) AS likes, sum(hides) AS hides, sum(skips) AS skips
  FROM item_day_counts WHERE day >= $1::date AND day <= $2::date GROUP BY day ORDER BY day`;

/** The highest seq handed out so far (0 before the first). */
export const LAST_SEQ = `
  SELECT (CASE WHEN is_called THEN last_value ELSE 0 END)::float8 AS last FROM events_seq_seq`;

export const WAIT_FOR_SEQS = `SELECT pg_advisory_xact_lock(${SEQ_LOCK})`;

/** $4: LAST_SEQ read before WAIT_FOR_SEQS, so no lower seq can still appear. */
export const EXPORT_EVENTS = `
  SELECT seq::float8 AS seq, install_id, item_id, type, at::float8 AS at, watch_seconds, watch_fraction
  FROM events WHERE seq > $1 AND seq <= $4 AND at >= $2 ORDER BY seq LIMIT $3`;

export const RECENT_EVENTS = `
  SELECT item_id, type, at::float8 AS at, watch_fraction
  FROM events WHERE at >= $1 ORDER BY at DESC, seq DESC LIMIT $2`;

/** Inside the deletion's transaction: the events go, returned so their counters can be taken out. */
export const DELETE_EVENTS_OF_INSTALL = `
  DELETE FROM events WHERE install_id = $1
  RETURNING item_id AS item, type, at::float8 AS at, feed, watch_seconds, watch_fraction`;

export const DELETE_BATCHES_OF_INSTALL = 'DELETE FROM batches WHERE install_id = $1';

export const STATS = `
  SELECT (SELECT count(*) FROM batches)::float8 AS batches,
         (SELECT count(*) FROM events)::float8 AS events,
         (SELECT count(*) FROM item_day_counts)::float8 AS count_rows`;
