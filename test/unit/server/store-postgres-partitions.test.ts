// Issue 17: the Postgres event log is partitioned by UTC day. A partition per day with events,
// created on demand; retention drops whole partitions; a database of the unpartitioned schema
// (migrations 1-2) is upgraded in place without losing a row or a seq.
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import type { PseudonymousBatch } from '../../../src/core/sync/wire.ts';
import { MIGRATIONS, openPostgresStore } from '../../../src/server/store/postgres/index.ts';
import type { FeatureStore } from '../../../src/server/store/types.ts';
import { createTestDatabase, type TestDatabase } from '../../support/postgres.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** 2024-05-10T00:00:00Z */
const D = Date.UTC(2024, 4, 10);
const NOW = D + 3 * DAY;

const THREE_DAYS: PseudonymousBatch = {
  batchId: 'batch-days-001',
  mode: 'pseudonymous',
  installId: 'inst-a',
  releaseId: null,
  feed: 'home',
  events: [
    { type: 'impression', itemId: 'a', at: D + HOUR },
    { type: 'click', itemId: 'a', at: D + DAY - 1 },
    { type: 'impression', itemId: 'b', at: D + DAY },
    { type: 'impression', itemId: 'c', at: D + 2 * DAY + HOUR },
  ],
};

const dbs: TestDatabase[] = [];
const stores: FeatureStore[] = [];
const clients: pg.Client[] = [];

afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
  for (const c of clients.splice(0)) await c.end();
  for (const d of dbs.splice(0)) await d.drop();
});

async function database(): Promise<{ db: TestDatabase; sql: pg.Client }> {
  const db = await createTestDatabase('partitions');
  dbs.push(db);
  const sql = new pg.Client({ connectionString: db.url });
  await sql.connect();
  clients.push(sql);
  return { db, sql };
}

async function open(url: string): Promise<FeatureStore> {
  const store = await openPostgresStore(url);
  stores.push(store);
  return store;
}

/** The day partitions of events with their rows, oldest first. */
async function partitions(sql: pg.Client): Promise<Array<[string, number]>> {
  const { rows } = await sql.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'events'::regclass ORDER BY 1`,
  );
  const out: Array<[string, number]> = [];
  for (const r of rows) out.push([r.name, Number((await sql.query(`SELECT count(*) AS n FROM "${r.name}"`)).rows[0].n)]);
  return out;
}

describe('postgres event partitions', () => {
  it('keeps each UTC day of events in its own partition, made when the first event of the day comes', async () => {
    const { db, sql } = await database();
    const store = await open(db.url);
    expect((await sql.query(`SELECT relkind FROM pg_class WHERE relname = 'events'`)).rows).toEqual([{ relkind: 'p' }]);
    expect(await partitions(sql)).toEqual([]);
    await store.ingest(THREE_DAYS, NOW);
    // D + DAY - 1 is the last ms of 2024-05-10; D + DAY the first of 2024-05-11.
    expect(await partitions(sql)).toEqual([['events_20240510', 2], ['events_20240511', 1], ['events_20240512', 1]]);
    // A second store (another server process) on the same database reuses them.
    const other = await open(db.url);
    await other.ingest({ ...THREE_DAYS, batchId: 'batch-days-002', events: [{ type: 'like', itemId: 'a', at: D + 2 * HOUR }] }, NOW);
    expect(await partitions(sql)).toEqual([['events_20240510', 3], ['events_20240511', 1], ['events_20240512', 1]]);
    // An export from a time on reads only the partitions from that day.
    const plan = (await sql.query(`EXPLAIN SELECT seq FROM events WHERE at >= ${D + 2 * DAY} ORDER BY seq LIMIT 10`)).rows.map((r) => r['QUERY PLAN']).join('\n');
    expect(plan).toContain('events_20240512');
    expect(plan).not.toContain('events_20240510');
  });

  it('retention drops whole partitions, and a store that had seen a dropped day makes it anew', async () => {
    const { db, sql } = await database();
    const store = await open(db.url);
    await store.ingest(THREE_DAYS, NOW);
    const other = await open(db.url);
    expect(await other.dropEventsBefore({ before: D + 2 * DAY + 5 * HOUR })).toEqual({ deleted: 3 });
    expect(await partitions(sql)).toEqual([['events_20240512', 1]]);
    // `store` still believes 2024-05-10 exists; its insert misses, it makes the day and retries.
    expect(await store.ingest({ ...THREE_DAYS, batchId: 'batch-days-003', events: [{ type: 'hide', itemId: 'z', at: D + 5 * HOUR }] }, NOW)).toEqual({ stored: 1, duplicate: false });
    expect(await partitions(sql)).toEqual([['events_20240510', 1], ['events_20240512', 1]]);
    expect((await store.exportEvents({ since: 0, afterSeq: 0, limit: 10 })).map((e) => e.item)).toEqual(['c', 'z']);
  });

  it('upgrades a database of the unpartitioned schema in place: every row, seq and counter kept', async () => {
    const { db, sql } = await database();
    // The schema as a server before this change left it: migrations 1 and 2, then some data.
    await sql.query('CREATE TABLE schema_version (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
    for (const m of MIGRATIONS.filter((x) => x.version <= 2)) {
      await sql.query(m.sql);
      await sql.query('INSERT INTO schema_version (version) VALUES ($1)', [m.version]);
    }
    expect((await sql.query(`SELECT relkind FROM pg_class WHERE relname = 'events'`)).rows).toEqual([{ relkind: 'r' }]);
    await sql.query(`INSERT INTO batches (batch_id, mode, install_id, release_id, feed, received_at, stored, body_hash)
      VALUES ('old-batch-0001', 'pseudonymous', 'inst-old', NULL, 'home', ${NOW}, 3, NULL)`);
    // Seqs 1-3 taken, then one row deleted (seq 2): the gap and the sequence position must survive.
    await sql.query(`INSERT INTO events (batch_id, install_id, release_id, feed, item_id, type, at, watch_seconds, watch_fraction) VALUES
      ('old-batch-0001', 'inst-old', NULL, 'home', 'a', 'impression', ${D + HOUR}, NULL, NULL),
      ('old-batch-0001', 'inst-old', NULL, 'home', 'gone', 'impression', ${D + HOUR}, NULL, NULL),
      ('old-batch-0001', 'inst-old', NULL, 'home', 'b', 'watch', ${D + DAY + HOUR}, 30, 0.5),
      ('old-batch-0001', 'inst-old', NULL, 'home', 'c', 'click', ${D + 2 * DAY + HOUR}, NULL, NULL)`);
    await sql.query(`DELETE FROM events WHERE item_id = 'gone'`);
    await sql.query(`INSERT INTO item_day_counts (item_id, day, feed, impressions, clicks, watches, watch_seconds, watch_fraction_sum)
      VALUES ('a', '2024-05-10', 'home', 1, 0, 0, 0, 0), ('b', '2024-05-11', 'home', 0, 0, 1, 30, 0.5), ('c', '2024-05-12', 'home', 0, 1, 0, 0, 0)`);

    const store = await open(db.url);
    expect((await sql.query('SELECT version FROM schema_version ORDER BY version')).rows.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
    expect((await sql.query(`SELECT relkind FROM pg_class WHERE relname = 'events'`)).rows).toEqual([{ relkind: 'p' }]);
    expect((await sql.query(`SELECT to_regclass('events_unpartitioned') AS t`)).rows).toEqual([{ t: null }]);
    expect(await partitions(sql)).toEqual([['events_20240510', 1], ['events_20240511', 1], ['events_20240512', 1]]);
    expect(await store.exportEvents({ since: 0, afterSeq: 0, limit: 10 })).toEqual([
      { seq: 1, install: 'inst-old', item: 'a', type: 'impression', at: D + HOUR },
      { seq: 3, install: 'inst-old', item: 'b', type: 'watch', at: D + DAY + HOUR, watchSeconds: 30, watchFraction: 0.5 },
      { seq: 4, install: 'inst-old', item: 'c', type: 'click', at: D + 2 * DAY + HOUR },
    ]);
    expect(await store.stats()).toEqual({ batches: 1, duplicates: 0, events: 3, countRows: 3 });
    // New events continue the old sequence; the old batch is still known; deletion reaches old rows.
    await store.ingest(THREE_DAYS, NOW);
    expect((await store.exportEvents({ since: 0, afterSeq: 4, limit: 10 })).map((e) => e.seq)).toEqual([5, 6, 7, 8]);
    expect(await store.deleteInstall('inst-old')).toEqual({ deleted: 3 });
    expect(await store.stats()).toMatchObject({ events: 4 });
    // Reopening does not migrate again.
    await store.close();
    stores.splice(stores.indexOf(store), 1);
    const again = await open(db.url);
    expect(await again.stats()).toMatchObject({ events: 4, batches: 1 });
  });
});
