/**
 * [privacy]: what a server learns from default installs over 30 days, measured with the device's
 * own code, for two populations: the MovieLens-100K users (each user's first 30 days of ratings,
 * real timestamps) and the synthetic world's users (its impressions and clicks). They go through
 * the worker's paths: the release store (createReleaseStore, with an in-memory Cache Storage per
 * device, so a shard fetched once is not fetched again) and Catalog; history entries from item
 * snapshots (workers/history/snapshot.ts) -> the release's user tower on the worker's plain-JS
 * runtime -> cluster choice (clusterProbe, nearestClusters) -> the shard requests; and the sync
 * queue's batch builder for what is uploaded.
 *
 * What the server sees of a device, and the anonymity set k of each user (how many of the
 * simulated users would have produced the same observation; timing is left out, which favours
 * every policy alike):
 * - fetch pattern: the shards fetched, session by session, in order (privacy-fetch.ts);
 * - batch stream: the units the server can link (batches under one device token), each the set
 *   of items it counts, with their exact counts when no noise is added. A user's k is the
 *   smallest over their units (the unit that singles them out most);
 * - a linking attack across days (privacy-linking.ts), per batch and per address and time.
 * Each release is built once (MovieLens about 8 minutes on 2 cores, the synthetic one about 4) and
 * kept under test/bench/.results/ (never committed).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DEFAULT_AGGREGATE_EPSILON, MAX_BATCH_EVENTS } from '../../src/core/sync/wire.ts';
import { SYNC_DEFAULTS } from '../../workers/sync/defaults.ts';
import { ML100K_DIR } from '../support/movielens.ts';
import { byAddressWindow, byToken, holdings, simulateBatches, unitK, type SyncCase, type Unit } from './privacy-batches.ts';
import { median } from './privacy-catalogue.ts';
import { DAY_MS, dayOf, movieLensPopulation, syntheticPopulation, type Population } from './privacy-data.ts';
import { fetchFigures, type DeviceSim } from './privacy-fetch.ts';
import { linkAcrossDays, type Observation } from './privacy-linking.ts';
import type { BenchFigure, BenchSuite } from './types.ts';

const SYNTHETIC_SEED = 42;

interface World {
  /** Key prefix under `privacy.` ('' for MovieLens, whose keys came first). */
  prefix: string;
  name: string;
  dir: string;
  build: string[];
  missing: () => string | null;
  population: () => Population;
}

const WORLDS: World[] = [
  {
    prefix: '',
    name: 'MovieLens-100K',
    dir: resolve('test/bench/.results/privacy-ml100k'),
    build: ['--dataset', 'movielens', '--path', ML100K_DIR],
    missing: () => (existsSync(join(ML100K_DIR, 'u.data')) ? null : `MovieLens-100K not found at ${ML100K_DIR}`),
    population: () => movieLensPopulation(ML100K_DIR),
  },
  {
    prefix: 'synthetic.',
    name: 'synthetic world',
    dir: resolve('test/bench/.results/privacy-synthetic'),
    build: ['--dataset', 'synthetic', '--seed', String(SYNTHETIC_SEED)],
    missing: () => null,
    population: () => syntheticPopulation(SYNTHETIC_SEED),
  },
];

function ensureRelease(world: World, quick: boolean): string | null {
  if (existsSync(join(world.dir, 'manifest.json'))) return null;
  if (quick) return `not measured with --quick: the ${world.name} release is built once by a full run`;
  const missing = world.missing();
  if (missing) return missing;
  const r = spawnSync(process.execPath, ['src/cli/ondeck.mjs', 'build', ...world.build, '--out', world.dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (r.status !== 0) throw new Error(`ondeck build ${world.build.join(' ')} failed:\n${(r.stdout + r.stderr).split('\n').slice(-20).join('\n')}`);
  return null;
}

function releaseFiles(dir: string): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>();
  const manifestText = readFileSync(join(dir, 'manifest.json'));
  files.set('manifest.json', new Uint8Array(manifestText));
  const manifest = JSON.parse(manifestText.toString('utf8')) as { artifacts: { url: string }[] };
  for (const a of manifest.artifacts) {
    const bytes = new Uint8Array(readFileSync(join(dir, a.url)));
    // Requested by their URL relative to the manifest; the tower is looked up by file name.
    files.set(a.url, bytes);
    files.set(a.url.replace(/^.*\//, ''), bytes);
  }
  return files;
}

/** Units as the linking attack sees them: the device, the day (from the device's day 0), the items. */
function observations(user: number, first: number, units: readonly Unit[]): Observation[] {
  return units.map((u) => ({ user, day: dayOf(u.at, first), items: [...u.rows.keys()] }));
}

async function measureWorld(world: World, sim: DeviceSim, quick: boolean): Promise<BenchFigure[]> {
  const key = (k: string) => `privacy.${world.prefix}${k}`;
  const skipped = ensureRelease(world, quick);
  if (skipped) return [{ key: key('fetch.today.medianK'), label: `privacy, ${world.name}`, value: NaN, unit: '', note: skipped }];
  const files = releaseFiles(world.dir);
  const facts = await sim.releaseFacts(files);
  const all = world.population();
  const users = [...all.keys()].slice(0, quick ? 150 : undefined);
  const windows = new Map(users.map((u) => [u, all.get(u)!] as const));
  const figures: BenchFigure[] = [];
  const report = (k: string, label: string, ks: number[], note: string) => {
    figures.push({ key: key(`${k}.medianK`), label: `${world.name}, ${label}: median k`, value: median(ks), unit: 'users', note });
    figures.push({ key: key(`${k}.unique`), label: `${world.name}, ${label}: unique users`, value: ks.filter((x) => x === 1).length / ks.length, unit: 'fraction' });
  };
  figures.push(...(await fetchFigures({ sim, files, facts, windows, key, label: world.name, report })));

  const byItem = holdings(windows);
  const popular = (item: string) => (facts.popularity.get(item) ?? 0) >= SYNC_DEFAULTS.aggregateMinItemPopularity;
  const exact = { noisy: false, epsilon: DEFAULT_AGGREGATE_EPSILON, rowsPerBatch: MAX_BATCH_EVENTS, keep: () => true };
  const now: SyncCase = {
    noisy: DEFAULT_AGGREGATE_EPSILON > 0,
    epsilon: DEFAULT_AGGREGATE_EPSILON,
    batchesPerToken: SYNC_DEFAULTS.batchesPerToken,
    rowsPerBatch: SYNC_DEFAULTS.aggregateRowsPerBatch,
    keep: popular,
  };
  const batchCases: { key: string; label: string; c: SyncCase; link?: 'before' | 'now' }[] = [
    { key: 'batches.before', label: 'batches, before (exact counts, a token an hour)', c: { ...exact, batchesPerToken: Infinity }, link: 'before' },
    { key: 'batches.tokenPerBatch', label: 'batches, exact counts, a token per batch', c: { ...exact, batchesPerToken: 1 } },
    { key: 'batches.noiseTokenPerBatch', label: `batches, noise ε=${DEFAULT_AGGREGATE_EPSILON}, a token per batch`, c: { ...exact, noisy: true, batchesPerToken: 1 } },
    { key: 'batches.oneRow', label: 'batches, as above, one item per batch', c: { ...exact, noisy: true, batchesPerToken: 1, rowsPerBatch: 1 } },
    {
      key: 'batches.now',
      label: `batches, now (noise, a token and ${SYNC_DEFAULTS.aggregateRowsPerBatch} item per batch, items of popularity ≥ ${SYNC_DEFAULTS.aggregateMinItemPopularity})`,
      c: now,
      link: 'now',
    },
  ];
  for (const bc of batchCases) {
    const ks: number[] = [];
    const unitKs: number[] = [];
    const sizes: number[] = [];
    const windowKs: number[] = [];
    const perCredential: Observation[] = [];
    const perAddress: Observation[] = [];
    for (const u of users) {
      const acts = windows.get(u)!;
      const batches = simulateBatches(acts, bc.c, u);
      const units = byToken(batches);
      const k = units.map((x) => unitK(x, byItem));
      unitKs.push(...k);
      sizes.push(...units.map((x) => x.rows.size));
      // A user who sent nothing was seen by no unit: anonymous among all.
      ks.push(k.length > 0 ? Math.min(...k) : users.length);
      if (bc.link) {
        const grouped = byAddressWindow(batches);
        const wk = grouped.map((x) => unitK(x, byItem));
        windowKs.push(wk.length > 0 ? Math.min(...wk) : users.length);
        perCredential.push(...observations(u, acts[0]!.at, units));
        perAddress.push(...observations(u, acts[0]!.at, grouped));
      }
    }
    report(bc.key, bc.label, ks, `a user's k is their most identifying unit's; median over units ${median(unitKs)}, ${unitKs.length} units of median ${median(sizes)} items`);
    if (bc.link) {
      const what = bc.link === 'before' ? 'batches, before' : 'batches, now';
      report(`${bc.key}.address`, `${what}, grouped by address and 30-minute window`, windowKs, 'batches from one address with gaps under 30 minutes taken as one device\'s');
      for (const [view, obs, label] of [
        ['token', perCredential, bc.link === 'before' ? 'per token (an hour)' : 'per batch'],
        ['address', perAddress, 'per address and 30-minute window'],
      ] as const) {
        const r = linkAcrossDays(obs, facts.vectors);
        const note = `${r.scored} day-d observations of devices seen on day d+1; by chance ${r.chance.toExponential(2)}`;
        figures.push({ key: key(`link.${bc.link}.${view}`), label: `${world.name}, linking day d to d+1, ${what}, ${label}`, value: r.linked, unit: 'fraction', note });
        figures.push({ key: key(`link.${bc.link}.${view}.chance`), label: `${world.name}, linking day d to d+1, ${what}, ${label}: by chance`, value: r.chance, unit: 'fraction' });
      }
    }
    if (bc.key === 'batches.now') {
      // What the defaults cost: the events left out (rare items) and the requests per active day.
      let kept = 0;
      let total = 0;
      for (const u of users) for (const r of windows.get(u)!) {
        total++;
        if (popular(r.item)) kept++;
      }
      const activeDays = users.reduce((n, u) => n + new Set(windows.get(u)!.map((r) => Math.floor((r.at - windows.get(u)![0]!.at) / DAY_MS))).size, 0);
      figures.push({ key: key('batches.now.eventsSent'), label: `${world.name}, batches, now: share of events counted`, value: kept / total, unit: 'fraction', note: 'the rest are items of release popularity below the floor' });
      figures.push({ key: key('batches.now.requestsPerDay'), label: `${world.name}, batches, now: requests per active user-day`, value: (2 * unitKs.length) / activeDays, unit: 'requests', note: 'a token and a POST per batch' });
    }
  }
  return figures;
}

export const privacyBench: BenchSuite = {
  name: 'privacy (MovieLens-100K and the synthetic world, 30 days)',
  async run({ quick }) {
    const sim = (await import(pathToFileURL(resolve('test/bench/browser/privacy-device.ts')).href)) as DeviceSim;
    const figures: BenchFigure[] = [];
    for (const world of WORLDS) figures.push(...(await measureWorld(world, sim, quick)));
    return figures;
  },
};
