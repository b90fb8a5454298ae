/**
 * Fetch-pattern figures of the privacy bench: the release's own clusters through the device code
 * (the worker's rule, and the alternatives it was chosen over), then the same users' session
 * vectors on a catalogue above the whole-catalogue threshold (privacy-catalogue.ts): the lazy
 * nearest-cluster rule against fixed bundles of similar clusters and decoy prefetch.
 */
import { FEED_DEFAULTS } from '../../workers/feed/defaults.ts';
import { anonymitySets, fetchPattern, median, recluster, similarBundles, type FetchRule } from './privacy-catalogue.ts';
import type { Act } from './privacy-data.ts';
import type { BenchFigure } from './types.ts';

export type FetchPolicy = 'today' | 'nearest' | 'bundles' | 'whole';

/** What test/bench/browser/privacy-device.ts exports (DOM-typed, so loaded by path, not imported). */
export interface DeviceSim {
  ORIGIN: string;
  releaseFacts(files: Map<string, Uint8Array>): Promise<{
    clusters: number;
    clusterBytes: number;
    popularity: Map<string, number>;
    vectors: Map<string, Float32Array>;
    tower: unknown;
  }>;
  simulateFetches(acts: readonly Act[], policy: FetchPolicy, files: Map<string, Uint8Array>, tower: unknown): Promise<{ fetches: string[][]; vectors: Float32Array[] }>;
}

/** Cluster counts of larger catalogues (round(sqrt(n / 2))): about 8,000 items (just above 1 MiB of shards) and 100,000. */
export const LARGE_CLUSTER_COUNTS = [64, 224] as const;
/** Bundle sizes and decoy counts measured against the lazy rule. */
export const BUNDLE_SIZES = [8, 16] as const;
export const DECOYS = 4;
export const COHORT = 8;

export async function fetchFigures(o: {
  sim: DeviceSim;
  files: Map<string, Uint8Array>;
  facts: Awaited<ReturnType<DeviceSim['releaseFacts']>>;
  windows: Map<number, readonly Act[]>;
  key: (k: string) => string;
  label: string;
  report: (key: string, label: string, ks: number[], note: string) => void;
}): Promise<BenchFigure[]> {
  const { sim, files, facts, windows } = o;
  const users = [...windows.keys()];
  const note = `${users.length} users, ${facts.clusters} clusters, ${(facts.clusterBytes / 1024).toFixed(0)} KiB of cluster shards (whole catalogue at ≤ ${FEED_DEFAULTS.wholeCatalogBytes / 1024} KiB)`;
  const sessions = new Map<number, Float32Array[]>();
  for (const policy of ['today', 'nearest', 'bundles', 'whole'] as const) {
    const patterns: string[] = [];
    for (const u of users) {
      const device = await sim.simulateFetches(windows.get(u)!, policy, files, facts.tower);
      patterns.push(JSON.stringify(device.fetches));
      if (policy === 'today') sessions.set(u, device.vectors);
    }
    const label = {
      today: `fetch, the worker rule (whole catalogue ≤ ${FEED_DEFAULTS.wholeCatalogBytes / 2 ** 20} MiB)`,
      nearest: `fetch, nearest ${FEED_DEFAULTS.clusters} lazily (rule above 1 MiB)`,
      bundles: `fetch, fixed bundles of ${FEED_DEFAULTS.clusters}`,
      whole: 'fetch, whole catalogue',
    }[policy];
    o.report(`fetch.${policy}`, label, anonymitySets(patterns), note);
  }

  const figures: BenchFigure[] = [];
  const probe = FEED_DEFAULTS.clusters;
  for (const count of LARGE_CLUSTER_COUNTS) {
    const c = recluster(facts.vectors, Math.min(count, facts.vectors.size), 7);
    const rules: { key: string; label: string; rule: FetchRule }[] = [
      { key: 'nearest', label: `nearest ${probe} lazily (the worker rule)`, rule: { kind: 'nearest' } },
      ...BUNDLE_SIZES.map((size) => ({ key: `bundles${size}`, label: `fixed bundles of ${size} similar clusters`, rule: { kind: 'bundles', bundle: similarBundles(c, size) } as FetchRule })),
      { key: `decoys${DECOYS}`, label: `nearest ${probe} + ${DECOYS} random decoys per fetching session`, rule: { kind: 'decoys', count: DECOYS } },
      { key: `cohort${COHORT}`, label: `only the bundle of ${COHORT} around the nearest cluster (a cohort)`, rule: { kind: 'cohort', bundle: similarBundles(c, COHORT) } },
    ];
    let baseFetched = NaN;
    for (const r of rules) {
      const patterns: string[] = [];
      const fetched: number[] = [];
      let needed = 0;
      let total = 0;
      let covered = 0;
      for (const u of users) {
        const p = fetchPattern(c, sessions.get(u)!, probe, r.rule, u);
        patterns.push(JSON.stringify(p.sessions));
        fetched.push(p.fetched);
        needed += p.needed;
        total += p.fetched;
        covered += p.covered / users.length;
      }
      const mean = total / users.length;
      if (r.key === 'nearest') baseFetched = mean;
      const k = `fetch.large${count}.${r.key}`;
      o.report(k, `fetch, ${count} clusters, ${r.label}`, anonymitySets(patterns), `release item vectors re-clustered into ${count}; mean ${mean.toFixed(1)} clusters fetched per user in 30 days (median ${median(fetched)}), ${((100 * needed) / total).toFixed(0)} % of them among a session's nearest; a session holds ${(100 * covered).toFixed(0)} % of its nearest ${probe}`);
      figures.push({ key: o.key(`${k}.clustersFetched`), label: `${o.label}, fetch, ${count} clusters, ${r.label}: clusters fetched per user ÷ the worker rule's`, value: mean / baseFetched, unit: '×' });
    }
  }
  return figures;
}
