/**
 * Our retrieval in the peers benchmark, through the feed's own code: shards decoded by
 * src/core/shard, clusters picked by the centroids as Catalog.nearestClusters picks them, and the
 * workers/retrieval backends (wasm SIMD int8 kernel, js) searching head + clusters, or every
 * cluster for brute force.
 */
import type { RetrievalBackend } from '../../../src/core/feed/index.ts';
import { decodeShard, scoreShard, type Shard } from '../../../src/core/shard/index.ts';
import { topK } from '../../../src/core/vectors/index.ts';
import { createRetriever, type Retriever } from '../../../workers/retrieval/index.ts';
import type { SearchResult } from '../../../workers/retrieval/types.ts';
import { decodeAll, pause, recall, timing, type Catalogue, type ItemId, type Timing } from './peers-catalogue.ts';

export interface OursResult {
  /** Clusters loaded besides the head; null for brute force (every cluster, no head). */
  probes: number | null;
  /** Items searched per query (loaded shards, duplicates included), mean over queries. */
  items: number;
  recall: number;
  memoryBytes: number;
  memoryNote: string;
  js: { query: Timing; firstAnswer: Timing };
  wasm: { query: Timing; firstAnswer: Timing };
}

const BACKENDS = ['wasm', 'js'] as const satisfies readonly RetrievalBackend[];

function ids(shards: readonly Shard[], r: SearchResult): ItemId[] {
  return Array.from(r.item, (item, j) => shards[r.shard[j]!]!.id(item));
}

/** Where shard bytes come from: a Catalogue, or another release's shards. */
export type ShardSource = Pick<Catalogue, 'head' | 'centroids' | 'clusters'>;

/** The head plus the `probes` clusters nearest `query` (in cluster order, as the feed loads them). */
function loadShards(c: ShardSource, query: Float32Array, probes: number): Shard[] {
  const centroids = decodeShard(c.centroids);
  const best = Array.from(topK(scoreShard(query, centroids), probes).indices, (i) => Number(centroids.id(i))).sort((a, b) => a - b);
  return [decodeShard(c.head), ...best.map((id) => decodeShard(c.clusters.get(id)!))];
}

/**
 * Bytes the wasm backend holds for `shards`, as workers/retrieval/wasm/wasm-retriever.ts lays its
 * memory out (split query, rows padded to 16 dims, scales, scores; whole 64 KiB pages). Computed,
 * not observed: the retriever does not expose its memory.
 */
function wasmKernelBytes(shards: readonly Shard[], dim: number): number {
  const chunks = Math.ceil(dim / 16);
  const align16 = (x: number) => Math.ceil(x / 16) * 16;
  let at = chunks * 64;
  let count = 0;
  for (const s of shards) {
    at = align16(at + s.count * chunks * 16 + s.count * 4);
    count += s.count;
  }
  return Math.max(1, Math.ceil((at + count * 4) / 65536)) * 65536;
}

/** Head + `probes` nearest clusters per query, as the feed does; a retriever per query's clusters. */
export async function measureClusters(c: Catalogue, probes: number): Promise<OursResult> {
  const { k, dim } = c.input;
  const out: OursResult = emptyResult(probes);
  const found: ItemId[][] = [];
  let items = 0;
  let shardBytes = 0;
  let kernelBytes = 0;
  let jsBytes = 0;
  for (const backend of BACKENDS) {
    const first: number[] = [];
    const query: number[] = [];
    // Three untimed rounds first: V8's optimising tiers are not a per-feed cost.
    for (let w = 0; w < 3; w++) await once(c.queries[w]!, backend);
    for (const [qi, q] of c.queries.entries()) {
      const t0 = performance.now();
      const { shards, retriever, result } = await once(q, backend);
      first.push(performance.now() - t0);
      // The loaded clusters' retriever is kept between feeds: a later query is a search alone.
      const t1 = performance.now();
      await retriever.search(q, k);
      query.push(performance.now() - t1);
      retriever.dispose();
      if (backend === 'wasm') {
        found[qi] = ids(shards, result);
        items += retriever.count;
        shardBytes += shards.reduce((s, x) => s + x.byteLength, 0);
        kernelBytes += wasmKernelBytes(shards, dim);
        jsBytes += retriever.count * 4;
      }
    }
    out[backend] = { query: timing(query), firstAnswer: timing(first) };
    await pause();
  }
  const nq = c.queries.length;
  out.items = items / nq;
  out.recall = recall(found, c.truth, k);
  out.memoryBytes = (shardBytes + kernelBytes) / nq;
  out.memoryNote =
    `loaded shard bytes (${(shardBytes / nq / 1024).toFixed(0)} KiB, kept by the feed) + the wasm kernel's copy of their rows ` +
    `(${(kernelBytes / nq / 1024).toFixed(0)} KiB, computed from its layout); js backend: shard bytes + a ${(jsBytes / nq / 1024).toFixed(0)} KiB score buffer`;
  return out;

  async function once(q: Float32Array, backend: RetrievalBackend): Promise<{ shards: Shard[]; retriever: Retriever; result: SearchResult }> {
    const shards = loadShards(c, q, probes);
    const retriever = await createRetriever(backend, shards);
    return { shards, retriever, result: await retriever.search(q, k) };
  }
}

/** Brute force: every cluster shard (the whole catalogue, each item once) in one retriever. */
export async function measureBrute(c: Catalogue): Promise<OursResult> {
  const { k, dim } = c.input;
  const out: OursResult = emptyResult(null);
  for (const backend of BACKENDS) {
    // Bytes -> first answer is tens of ms at 100k: five cold starts (after one to warm up) suffice.
    const first: number[] = [];
    for (let r = 0; r < 6; r++) {
      const q = c.queries[r % c.queries.length]!;
      const t0 = performance.now();
      const retriever = await createRetriever(backend, decodeAll(c));
      await retriever.search(q, k);
      if (r > 0) first.push(performance.now() - t0);
      retriever.dispose();
    }
    const shards = decodeAll(c);
    const retriever = await createRetriever(backend, shards);
    for (let w = 0; w < 3; w++) await retriever.search(c.queries[w]!, k);
    const query: number[] = [];
    const found: ItemId[][] = [];
    for (const q of c.queries) {
      const t0 = performance.now();
      const r = await retriever.search(q, k);
      query.push(performance.now() - t0);
      found.push(ids(shards, r));
    }
    out[backend] = { query: timing(query), firstAnswer: timing(first) };
    if (backend === 'wasm') {
      const shardBytes = shards.reduce((s, x) => s + x.byteLength, 0);
      const kernel = wasmKernelBytes(shards, dim);
      out.items = retriever.count;
      out.recall = recall(found, c.truth, k);
      out.memoryBytes = shardBytes + kernel;
      out.memoryNote = `all shard bytes (${(shardBytes / 2 ** 20).toFixed(1)} MiB) + the wasm kernel's copy (${(kernel / 2 ** 20).toFixed(1)} MiB, computed from its layout); js: shard bytes + ${((retriever.count * 4) / 2 ** 20).toFixed(1)} MiB of scores`;
    }
    retriever.dispose();
    await pause();
  }
  return out;
}

/** Recall@k of head + `probes` clusters (js backend, untimed): to choose a probe count. */
export async function clusterRecall(c: ShardSource, queries: readonly Float32Array[], truth: readonly Set<ItemId>[], probes: number, k: number): Promise<number> {
  const found: ItemId[][] = [];
  for (const q of queries) {
    const shards = loadShards(c, q, probes);
    const retriever = await createRetriever('js', shards);
    found.push(ids(shards, await retriever.search(q, k)));
    retriever.dispose();
  }
  return recall(found, truth, k);
}

function emptyResult(probes: number | null): OursResult {
  const none = { query: { p50: NaN, p95: NaN }, firstAnswer: { p50: NaN, p95: NaN } };
  return { probes, items: 0, recall: NaN, memoryBytes: NaN, memoryNote: '', js: none, wasm: { ...none } };
}
