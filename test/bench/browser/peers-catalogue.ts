/**
 * The retrieval-vs-peers page's data: the catalogue test/bench/peers.ts wrote (a release made by
 * the pipeline, plus the original float vectors and the queries), the exact top k of every query
 * over the full catalogue, and the small helpers every contender's measurement shares.
 */
import { parseManifest, shardArtifacts, type ReleaseManifest } from '../../../src/core/release/index.ts';
import { decodeShard, itemVector, type Shard } from '../../../src/core/shard/index.ts';
import { scoreRowsF32, topK } from '../../../src/core/vectors/index.ts';

/** The run's settings: --quick or not (inject('benchQuick')), and what the catalogue holds. */
export interface PeersInput {
  quick: boolean;
  n: number;
  dim: number;
  /** URL path of the catalogue folder test/bench/peers.ts wrote. */
  base: string;
  queries: number;
  k: number;
}

export interface Catalogue {
  input: PeersInput;
  manifest: ReleaseManifest;
  /** The shard files as the device holds them after download: bytes, not yet decoded. */
  head: Uint8Array;
  centroids: Uint8Array;
  /** Cluster id -> shard bytes. */
  clusters: Map<number, Uint8Array>;
  /** The items' original float32 vectors (row i = item id i), for the exact reference only. */
  vectors: Float32Array;
  queries: Float32Array[];
  /** Exact top-k item ids of each query over the whole catalogue (float32 dot products). */
  truth: Set<ItemId>[];
  exactMs: number[];
}

/** An item id as shards carry it: u32, or a string when the release's ids are not all numbers. */
export type ItemId = number | string;

export type { Timing } from '../page-results.ts';
import type { Timing } from '../page-results.ts';

export function quantile(xs: readonly number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}

export function timing(xs: readonly number[]): Timing {
  return { p50: quantile(xs, 0.5), p95: quantile(xs, 0.95) };
}

/** |found ∩ truth| / k, averaged over queries. */
export function recall(found: readonly (readonly ItemId[])[], truth: readonly Set<ItemId>[], k: number): number {
  let hits = 0;
  found.forEach((ids, q) => {
    for (const id of ids.slice(0, k)) if (truth[q]!.has(id)) hits++;
  });
  return hits / (k * found.length);
}

export async function loadCatalogue(quick: boolean): Promise<Catalogue> {
  const n = quick ? 10_000 : 100_000;
  const path = `/test/bench/.results/peers-catalogue-${n}/`;
  const base = new URL(path, location.href);
  const bytes = async (file: string) => {
    const res = await fetch(new URL(file, base));
    if (!res.ok) throw new Error(`GET ${path}${file}: ${res.status}; run this page through \`npm run bench\` (test/bench/peers.ts writes the catalogue)`);
    return new Uint8Array(await res.arrayBuffer());
  };
  const text = async (file: string): Promise<unknown> => JSON.parse(new TextDecoder().decode(await bytes(file)));
  const manifest = parseManifest(await text('manifest.json'));
  const meta = (await text('meta.json')) as { n: number; queries: number };
  const input: PeersInput = { quick, n: meta.n, dim: manifest.embeddingDim, base: path, queries: quick ? Math.min(20, meta.queries) : meta.queries, k: 100 };
  const { head, clusters } = shardArtifacts(manifest);
  const centroidsRef = manifest.artifacts.find((a) => a.kind === 'centroids');
  if (!centroidsRef) throw new Error('the catalogue release has no centroids artifact');
  const [headBytes, centroids, vectorBytes, queryBytes, ...clusterBytes] = await Promise.all([
    bytes(head.url),
    bytes(centroidsRef.url),
    bytes('vectors.f32'),
    bytes('queries.f32'),
    ...clusters.map((c) => bytes(c.url)),
  ]);
  const dim = input.dim;
  const vectors = new Float32Array(vectorBytes!.buffer, vectorBytes!.byteOffset, vectorBytes!.byteLength / 4);
  const allQueries = new Float32Array(queryBytes!.buffer, queryBytes!.byteOffset, queryBytes!.byteLength / 4);
  const queries = Array.from({ length: input.queries }, (_, q) => allQueries.slice(q * dim, (q + 1) * dim));
  if (vectors.length !== input.n * dim) throw new Error(`vectors.f32 holds ${vectors.length / dim} rows, expected ${input.n}`);

  const scores = new Float32Array(input.n);
  const exactMs: number[] = [];
  const truth = queries.map((q) => {
    const t0 = performance.now();
    const top = topK(scoreRowsF32(q, vectors, dim, scores), input.k);
    exactMs.push(performance.now() - t0);
    return new Set<ItemId>(Array.from(top.indices, Number));
  });
  return {
    input,
    manifest,
    head: headBytes!,
    centroids: centroids!,
    clusters: new Map(clusters.map((c, i) => [c.cluster!, clusterBytes[i]!])),
    vectors,
    queries,
    truth,
    exactMs,
  };
}

/** Every cluster shard decoded, in cluster order: the whole catalogue, each item once. */
export function decodeAll(c: Catalogue): Shard[] {
  return [...c.clusters.keys()].sort((a, b) => a - b).map((id) => decodeShard(c.clusters.get(id)!));
}

/**
 * What a peer indexes: every item's vector as the shards carry it (int8 · scale + centroid),
 * dequantised to float32 rows, with the item ids. The same bytes our scan reads.
 */
export function dequantise(shards: readonly Shard[], dim: number): { rows: Float32Array; ids: ItemId[] } {
  const n = shards.reduce((s, x) => s + x.count, 0);
  const rows = new Float32Array(n * dim);
  const ids: ItemId[] = new Array<ItemId>(n);
  let at = 0;
  for (const s of shards) {
    for (let i = 0; i < s.count; i++, at++) {
      itemVector(s, i, rows.subarray(at * dim, (at + 1) * dim));
      ids[at] = s.id(i);
    }
  }
  return { rows, ids };
}

/** Let the page breathe between long synchronous phases (GC, the test runner's heartbeat). */
export const pause = (): Promise<void> => new Promise((r) => setTimeout(r, 0));
