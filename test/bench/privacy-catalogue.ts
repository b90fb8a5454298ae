/**
 * Fetch patterns of a catalogue above the whole-catalogue threshold (FEED_DEFAULTS.wholeCatalogBytes),
 * where the worker fetches the nearest clusters lazily. The release's own item vectors are
 * re-clustered (the pipeline's k-means, cosine, as a release is) into the cluster count of a larger
 * catalogue (round(sqrt(n / 2)): 64 for about 8,000 items, 224 for 100,000), and each session's
 * user vector, from the worker's own tower, picks clusters as Catalog.nearestClusters does (the
 * highest dot products with the centroids). A shard fetched once is cached, so a session fetches
 * only what it lacks; the server sees, session by session, which clusters came.
 */
import { kmeans } from '../../src/pipeline/release/kmeans.ts';
import { mulberry32 } from '../../src/core/random.ts';

export interface Clustering {
  count: number;
  dim: number;
  /** count × dim, unit rows. */
  centroids: Float32Array;
}

export function recluster(vectors: ReadonlyMap<string, Float32Array>, count: number, seed: number): Clustering {
  const rows = [...vectors.values()];
  const dim = rows[0]?.length ?? 0;
  const flat = new Float32Array(rows.length * dim);
  rows.forEach((v, i) => flat.set(v, i * dim));
  return { count, dim, centroids: kmeans(flat, dim, count, { seed, metric: 'cosine' }).centroids };
}

/** The `n` clusters whose centroids score highest against `user`, best first (ties to the lower id). */
export function nearest(c: Clustering, user: Float32Array, n: number): number[] {
  const scores = Array.from({ length: c.count }, (_, k) => {
    let s = 0;
    for (let i = 0; i < c.dim; i++) s += user[i]! * c.centroids[k * c.dim + i]!;
    return s;
  });
  return scores.map((_, k) => k).sort((a, b) => scores[b]! - scores[a]! || a - b).slice(0, n);
}

/**
 * Fixed bundles of `size` clusters that lie close together: the lowest unbundled cluster and its
 * size - 1 nearest unbundled ones, until none is left (the last bundle may be smaller). Returns
 * the bundle of each cluster; every device sees the same bundles (they would ship in the manifest).
 */
export function similarBundles(c: Clustering, size: number): Uint32Array {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`bundle size must be an integer >= 1, got ${size}`);
  const bundle = new Uint32Array(c.count).fill(0xffffffff);
  let next = 0;
  for (let k = 0; k < c.count; k++) {
    if (bundle[k] !== 0xffffffff) continue;
    const free = nearest(c, c.centroids.subarray(k * c.dim, (k + 1) * c.dim), c.count).filter((j) => bundle[j] === 0xffffffff);
    for (const j of free.slice(0, size)) bundle[j] = next;
    next++;
  }
  return bundle;
}

export type FetchRule =
  | { kind: 'nearest' }
  /** Whole bundles: every cluster of each bundle that holds one of the nearest. */
  | { kind: 'bundles'; bundle: Uint32Array }
  /** The nearest, plus `count` clusters drawn at random from those not yet fetched, whenever a session fetches. */
  | { kind: 'decoys'; count: number }
  /** Only the bundle of the single nearest cluster (a cohort): the feed then searches what that bundle holds. */
  | { kind: 'cohort'; bundle: Uint32Array };

export interface FetchPattern {
  /** Per session that fetched anything, the clusters fetched, sorted. */
  sessions: number[][];
  fetched: number;
  /** Of those, clusters that were among a session's nearest (the rest are decoys or bundle mates). */
  needed: number;
  /** Mean over sessions of the share of the session's nearest clusters held once it has fetched (1 but for cohorts). */
  covered: number;
}

export function fetchPattern(c: Clustering, sessions: readonly Float32Array[], probe: number, rule: FetchRule, seed: number): FetchPattern {
  const random = mulberry32(seed);
  const have = new Set<number>();
  const needed = new Set<number>();
  const out: number[][] = [];
  let covered = 0;
  for (const user of sessions) {
    const near = nearest(c, user, probe);
    for (const k of near) needed.add(k);
    let want = near.filter((k) => !have.has(k));
    if (rule.kind === 'bundles' || rule.kind === 'cohort') {
      const bundles = new Set((rule.kind === 'cohort' ? near.slice(0, 1) : near).map((k) => rule.bundle[k]!));
      want = Array.from({ length: c.count }, (_, k) => k).filter((k) => bundles.has(rule.bundle[k]!) && !have.has(k));
    } else if (rule.kind === 'decoys' && want.length > 0) {
      const pool = Array.from({ length: c.count }, (_, k) => k).filter((k) => !have.has(k) && !want.includes(k));
      for (let d = 0; d < rule.count && pool.length > 0; d++) want.push(pool.splice(Math.floor(random() * pool.length), 1)[0]!);
    }
    for (const k of want) have.add(k);
    covered += near.filter((k) => have.has(k)).length / near.length;
    if (want.length > 0) out.push([...want].sort((a, b) => a - b));
  }
  return { sessions: out, fetched: have.size, needed: [...have].filter((k) => needed.has(k)).length, covered: sessions.length > 0 ? covered / sessions.length : 1 };
}

/** k of each observation: how many observations are identical to it. */
export function anonymitySets(seen: readonly string[]): number[] {
  const counts = new Map<string, number>();
  for (const s of seen) counts.set(s, (counts.get(s) ?? 0) + 1);
  return seen.map((s) => counts.get(s)!);
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
