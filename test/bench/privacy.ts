/**
 * [privacy]: what a server learns from default installs over 30 days, measured with the device's
 * own code. MovieLens-100K users (each user's first 30 days of ratings, real timestamps) go
 * through the worker's paths: the release store (createReleaseStore, with an in-memory Cache
 * Storage per device, so a shard fetched once is not fetched again) and Catalog; history entries
 * from item snapshots (workers/history/snapshot.ts) -> the release's user tower on the worker's
 * plain-JS runtime -> cluster choice (clusterProbe, nearestClusters) -> the shard requests; and
 * the sync queue's batch builder for what is uploaded.
 *
 * What the server sees of a device, and the anonymity set k of each user (how many of the
 * simulated users would have produced the same observation; timing is left out, which favours
 * every policy alike):
 * - fetch pattern: the shards fetched, session by session, in order;
 * - batch stream: the units the server can link (batches under one device token), each the set
 *   of items it counts, with their exact counts when no noise is added. A user's k is the
 *   smallest over their units (the unit that singles them out most).
 * The release is built once from MovieLens-100K (about 8 minutes on 2 cores) and kept under
 * test/bench/.results/ (never committed).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { EventType } from '../../src/core/events.ts';
import { DEFAULT_AGGREGATE_EPSILON, MAX_BATCH_BYTES, MAX_BATCH_EVENTS, type AggregateBatch } from '../../src/core/sync/wire.ts';
import { mulberry32 } from '../../src/core/random.ts';
import { batchBuilder } from '../../workers/sync/batch-builder.ts';
import { SYNC_DEFAULTS } from '../../workers/sync/defaults.ts';
import type { LogEvent } from '../../workers/sync/sync-log.ts';
import { ML100K_DIR } from '../support/movielens.ts';
import type { BenchFigure, BenchSuite } from './types.ts';

const RELEASE_DIR = resolve('test/bench/.results/privacy-ml100k');
const DAY_MS = 86_400_000;
const DAYS = 30;
/** Device tokens used to live this long (SERVER_DEFAULTS.tokenTtlSeconds), less the refresh margin. */
const TOKEN_LIFE_MS = 3_600_000 - SYNC_DEFAULTS.tokenRefreshMarginMs;

interface Rating {
  user: number;
  item: string;
  rating: number;
  at: number;
}

type FetchPolicy = 'today' | 'nearest' | 'bundles' | 'whole';

/** What test/bench/browser/privacy-device.ts exports (DOM-typed, so loaded by path, not imported). */
interface DeviceSim {
  ORIGIN: string;
  eventsOf(r: Rating): { type: EventType; at: number }[];
  releaseFacts(files: Map<string, Uint8Array>): Promise<{ clusters: number; clusterBytes: number; popularity: Map<string, number>; tower: unknown }>;
  simulateFetches(ratings: readonly Rating[], policy: FetchPolicy, files: Map<string, Uint8Array>, tower: unknown): Promise<{ fetches: string[][] }>;
}

const WHOLE_CATALOGUE_BYTES = 1 << 20;
const NEAREST_CLUSTERS = 4;

function readRatings(dir: string): Map<number, Rating[]> {
  const byUser = new Map<number, Rating[]>();
  for (const line of readFileSync(join(dir, 'u.data'), 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const [u, i, r, t] = line.split('\t');
    const rating: Rating = { user: Number(u), item: String(Number(i)), rating: Number(r), at: Number(t) * 1000 };
    const list = byUser.get(rating.user) ?? [];
    list.push(rating);
    byUser.set(rating.user, list);
  }
  for (const list of byUser.values()) list.sort((a, b) => a.at - b.at);
  return byUser;
}

interface Unit {
  /** item -> counts as sent (exact) or null counts (noisy: only that the row exists is certain). */
  rows: Map<string, Record<'impressions' | 'clicks' | 'likes', number> | null>;
}

/**
 * The batches a device sends, as the server can link them: bursts of events (2 s apart at most,
 * the queue's notify delay) make one batch each through the real batch builder; batches under one
 * token form a unit (a token lived an hour; now one per batch).
 */
function simulateBatches(
  sim: DeviceSim,
  ratings: readonly Rating[],
  noisy: boolean,
  batchesPerToken: number,
  seed: number,
  candidate: { rowsPerBatch: number; keep: (item: string) => boolean } = { rowsPerBatch: MAX_BATCH_EVENTS, keep: () => true },
): Unit[] {
  const random = mulberry32(seed);
  const build = batchBuilder({
    mode: 'aggregate',
    feed: 'default',
    releaseId: 'r',
    epsilon: noisy ? DEFAULT_AGGREGATE_EPSILON : null,
    random,
    maxEvents: candidate.rowsPerBatch,
    maxBytes: MAX_BATCH_BYTES - 4096,
    newBatchId: () => 'b_bench_batch',
  });
  const events: LogEvent[] = [];
  let seq = 0;
  for (const r of ratings) if (candidate.keep(r.item)) for (const e of sim.eventsOf(r)) events.push({ seq: ++seq, type: e.type, itemId: r.item, at: e.at });
  const units: Unit[] = [];
  let unit: Unit | null = null;
  let tokenAt = -Infinity;
  let inToken = 0;
  let i = 0;
  while (i < events.length) {
    let j = i + 1;
    while (j < events.length && events[j]!.at - events[j - 1]!.at <= SYNC_DEFAULTS.notifyDelayMs) j++;
    let burst = events.slice(i, j);
    const sentAt = burst[burst.length - 1]!.at + SYNC_DEFAULTS.notifyDelayMs;
    while (burst.length > 0) {
      const built = build(burst);
      burst = burst.slice(built.take);
      if (!unit || inToken >= batchesPerToken || sentAt - tokenAt >= TOKEN_LIFE_MS) {
        unit = { rows: new Map() };
        units.push(unit);
        tokenAt = sentAt;
        inToken = 0;
      }
      inToken++;
      const body = JSON.parse(built.body) as AggregateBatch;
      for (const c of body.counts) {
        const before = unit.rows.get(c.itemId);
        if (noisy) unit.rows.set(c.itemId, null);
        else unit.rows.set(c.itemId, { impressions: c.impressions + (before?.impressions ?? 0), clicks: c.clicks + (before?.clicks ?? 0), likes: c.likes + (before?.likes ?? 0) });
      }
    }
    i = j;
  }
  return units;
}

/** k of each unit: users whose 30 days hold its items (with at least its exact counts, when it has them). */
function unitK(unit: Unit, byItem: Map<string, Map<number, Record<'impressions' | 'clicks' | 'likes', number>>>): number {
  const rows = [...unit.rows].sort((a, b) => (byItem.get(a[0])?.size ?? 0) - (byItem.get(b[0])?.size ?? 0));
  let users: number[] | null = null;
  for (const [item, counts] of rows) {
    const holders = byItem.get(item) ?? new Map();
    const ok = (u: number) => {
      const c = holders.get(u);
      return c !== undefined && (counts === null || (c.impressions >= counts.impressions && c.clicks >= counts.clicks && c.likes >= counts.likes));
    };
    users = users === null ? [...holders.keys()].filter(ok) : users.filter(ok);
    if (users.length <= 1) break;
  }
  return Math.max(1, users?.length ?? 1);
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function ensureRelease(quick: boolean): string | null {
  if (existsSync(join(RELEASE_DIR, 'manifest.json'))) return null;
  if (quick) return 'not measured with --quick: the MovieLens-100K release is built once (about 8 minutes) by a full run';
  if (!existsSync(join(ML100K_DIR, 'u.data'))) return `MovieLens-100K not found at ${ML100K_DIR}`;
  const r = spawnSync(process.execPath, ['src/cli/ondeck.mjs', 'build', '--dataset', 'movielens', '--path', ML100K_DIR, '--out', RELEASE_DIR], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) throw new Error(`ondeck build --dataset movielens failed:\n${(r.stdout + r.stderr).split('\n').slice(-20).join('\n')}`);
  return null;
}

function releaseFiles(): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>();
  const manifestText = readFileSync(join(RELEASE_DIR, 'manifest.json'));
  files.set('manifest.json', new Uint8Array(manifestText));
  const manifest = JSON.parse(manifestText.toString('utf8')) as { artifacts: { url: string }[] };
  for (const a of manifest.artifacts) {
    const bytes = new Uint8Array(readFileSync(join(RELEASE_DIR, a.url)));
    // Requested by their URL relative to the manifest; the tower is looked up by file name.
    files.set(a.url, bytes);
    files.set(a.url.replace(/^.*\//, ''), bytes);
  }
  return files;
}

export const privacyBench: BenchSuite = {
  name: 'privacy (MovieLens-100K, 30 days)',
  async run({ quick }) {
    const skipped = ensureRelease(quick);
    if (skipped) return [{ key: 'privacy.fetch.today.medianK', label: 'privacy', value: NaN, unit: '', note: skipped }];
    const files = releaseFiles();
    const sim = (await import(pathToFileURL(resolve('test/bench/browser/privacy-device.ts')).href)) as DeviceSim;
    const facts = await sim.releaseFacts(files);
    const all = readRatings(ML100K_DIR);
    const users = [...all.keys()].sort((a, b) => a - b).slice(0, quick ? 150 : undefined);
    const windows = new Map(users.map((u) => {
      const list = all.get(u)!;
      return [u, list.filter((r) => r.at < list[0]!.at + DAYS * DAY_MS)] as const;
    }));
    const note = `${users.length} users, ${facts.clusters} clusters, ${(facts.clusterBytes / 1024).toFixed(0)} KiB of cluster shards (whole catalogue at ≤ ${WHOLE_CATALOGUE_BYTES / 1024} KiB)`;
    const figures: BenchFigure[] = [];
    const report = (key: string, label: string, ks: number[], extra?: string) => {
      figures.push({ key: `privacy.${key}.medianK`, label: `${label}: median k`, value: median(ks), unit: 'users', note: extra ?? note });
      figures.push({ key: `privacy.${key}.unique`, label: `${label}: unique users`, value: ks.filter((k) => k === 1).length / ks.length, unit: 'fraction' });
    };
    for (const policy of ['today', 'nearest', 'bundles', 'whole'] as const) {
      const patterns = new Map<number, string>();
      for (const u of users) patterns.set(u, JSON.stringify((await sim.simulateFetches(windows.get(u)!, policy, files, facts.tower)).fetches));
      const counts = new Map<string, number>();
      for (const p of patterns.values()) counts.set(p, (counts.get(p) ?? 0) + 1);
      const label = { today: 'fetch, the worker rule (whole catalogue ≤ 1 MiB)', nearest: `fetch, nearest ${NEAREST_CLUSTERS} lazily (rule above 1 MiB)`, bundles: `fetch, fixed bundles of ${NEAREST_CLUSTERS}`, whole: 'fetch, whole catalogue' }[policy];
      report(`fetch.${policy}`, label, users.map((u) => counts.get(patterns.get(u)!)!));
    }
    // What each user did in 30 days, for consistency checks of batch units.
    const byItem = new Map<string, Map<number, Record<'impressions' | 'clicks' | 'likes', number>>>();
    for (const u of users) {
      for (const r of windows.get(u)!) {
        const holders = byItem.get(r.item) ?? new Map();
        const c = holders.get(u) ?? { impressions: 0, clicks: 0, likes: 0 };
        c.impressions++;
        c.clicks++;
        if (r.rating >= 4) c.likes++;
        holders.set(u, c);
        byItem.set(r.item, holders);
      }
    }
    const popular = (item: string) => (facts.popularity.get(item) ?? 0) >= SYNC_DEFAULTS.aggregateMinItemPopularity;
    const batchCases: { key: string; label: string; noisy: boolean; perToken: number; candidate?: { rowsPerBatch: number; keep: (item: string) => boolean } }[] = [
      { key: 'batches.before', label: 'batches, before (exact counts, a token an hour)', noisy: false, perToken: Infinity },
      { key: 'batches.tokenPerBatch', label: 'batches, exact counts, a token per batch', noisy: false, perToken: 1 },
      { key: 'batches.noiseTokenPerBatch', label: `batches, noise ε=${DEFAULT_AGGREGATE_EPSILON}, a token per batch`, noisy: true, perToken: 1 },
      { key: 'batches.oneRow', label: 'batches, as above, one item per batch', noisy: true, perToken: 1, candidate: { rowsPerBatch: 1, keep: () => true } },
      {
        key: 'batches.now',
        label: `batches, now (noise, a token and ${SYNC_DEFAULTS.aggregateRowsPerBatch} item per batch, items of popularity ≥ ${SYNC_DEFAULTS.aggregateMinItemPopularity})`,
        noisy: DEFAULT_AGGREGATE_EPSILON > 0,
        perToken: SYNC_DEFAULTS.batchesPerToken,
        candidate: { rowsPerBatch: SYNC_DEFAULTS.aggregateRowsPerBatch, keep: popular },
      },
    ];
    for (const c of batchCases) {
      const ks: number[] = [];
      const unitKs: number[] = [];
      const sizes: number[] = [];
      for (const u of users) {
        const units = simulateBatches(sim, windows.get(u)!, c.noisy, c.perToken, u, c.candidate);
        const k = units.map((x) => unitK(x, byItem));
        unitKs.push(...k);
        sizes.push(...units.map((x) => x.rows.size));
        // A user who sent nothing was seen by no unit: anonymous among all.
        ks.push(k.length > 0 ? Math.min(...k) : users.length);
      }
      report(c.key, c.label, ks, `a user's k is their most identifying unit's; median over units ${median(unitKs)}, ${unitKs.length} units of median ${median(sizes)} items`);
      if (c.key === 'batches.now') {
        // What the defaults cost: the events left out (rare items) and the requests per active day.
        let kept = 0;
        let total = 0;
        for (const u of users) for (const r of windows.get(u)!) {
          total++;
          if (popular(r.item)) kept++;
        }
        const activeDays = users.reduce((n, u) => n + new Set(windows.get(u)!.map((r) => Math.floor((r.at - windows.get(u)![0]!.at) / DAY_MS))).size, 0);
        figures.push({ key: 'privacy.batches.now.eventsSent', label: 'batches, now: share of events counted', value: kept / total, unit: 'fraction', note: 'the rest are items of release popularity below the floor' });
        figures.push({ key: 'privacy.batches.now.requestsPerDay', label: 'batches, now: requests per active user-day', value: (2 * unitKs.length) / activeDays, unit: 'requests', note: 'a token and a POST per batch' });
      }
    }
    return figures;
  },
};
