// Retrieval against its peers in real headless Chromium (cross-origin isolated): our int8 scan
// (head + nearest clusters as the feed loads them, and brute force) against hnswlib-wasm and
// voy-search over the same shards, each peer at a setting where recall@100 ≥ 0.95 where it has
// one. Run by `npm run bench` (test/bench/peers.ts writes the catalogue and reads the result,
// test/bench/.results/peers.json). One test: the contenders run one after another, never
// side by side, on a two-core machine.
import { commands } from 'vitest/browser';
import { expect, inject, it } from 'vitest';
import { parseManifest, shardArtifacts } from '../../../src/core/release/index.ts';
import { decodeShard, type Shard } from '../../../src/core/shard/index.ts';
import { scoreRowsF32, topK } from '../../../src/core/vectors/index.ts';
import { gaussianRows, mulberry32 } from '../../support/vector-data.ts';
import { dequantise, loadCatalogue, pause, timing, type Catalogue, type ItemId } from './peers-catalogue.ts';
import { measureHnsw, type PeerResult } from './peers-hnsw.ts';
import { clusterRecall, measureBrute, measureClusters, type OursResult } from './peers-ours.ts';
import { measureVoy } from './peers-voy.ts';
import { browserInfo } from './ranking-environment.ts';

/** Clusters the feed loads besides the head (FEED_DEFAULTS.clusters). */
const FEED_PROBES = 3;
/** Probe counts tried, in order, for the smallest that reaches recall 0.95. */
const PROBE_LADDER = [4, 6, 8, 12, 16, 24, 32];
const TARGET = 0.95;

async function guarded(name: string, f: () => Promise<PeerResult>): Promise<PeerResult> {
  try {
    return await f();
  } catch (err) {
    console.error(`${name} failed`, err);
    return { ok: false, error: `${name}: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}` };
  }
}

/** The feed's 3-cluster recall on the bench release, whose vectors are uniform on the sphere. */
async function uniformRecall(k: number): Promise<{ n: number; queries: number; probes: number; recall: number } | { error: string }> {
  try {
    const manifestUrl = new URL(inject('benchRelease'), location.href);
    const manifest = parseManifest(await (await fetch(manifestUrl)).json());
    const get = async (url: string) => new Uint8Array(await (await fetch(new URL(url, manifestUrl))).arrayBuffer());
    const { head, clusters } = shardArtifacts(manifest);
    const centroids = manifest.artifacts.find((a) => a.kind === 'centroids')!;
    const src = {
      head: await get(head.url),
      centroids: await get(centroids.url),
      clusters: new Map(await Promise.all(clusters.map(async (c) => [c.cluster!, await get(c.url)] as const))),
    };
    const shards: Shard[] = [...src.clusters.values()].map((b) => decodeShard(b));
    const dim = manifest.embeddingDim;
    const { rows, ids } = dequantise(shards, dim);
    const rand = mulberry32(23);
    const queries = Array.from({ length: 20 }, () => {
      const q = gaussianRows(1, dim, rand);
      const norm = Math.hypot(...q);
      return q.map((x) => x / norm);
    });
    const scores = new Float32Array(ids.length);
    const truth = queries.map((q) => new Set<ItemId>(Array.from(topK(scoreRowsF32(q, rows, dim, scores), k).indices, (i) => ids[i]!)));
    const recall = await clusterRecall(src, queries, truth, FEED_PROBES, k);
    return { n: ids.length, queries: queries.length, probes: FEED_PROBES, recall };
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
}

it('measures our retrieval against hnswlib-wasm and voy-search', async () => {
  const c: Catalogue = await loadCatalogue(inject('benchQuick'));
  const { k } = c.input;

  const clusters = await measureClusters(c, FEED_PROBES);
  let clustersR95: OursResult | null = null;
  if (clusters.recall < TARGET) {
    for (const probes of PROBE_LADDER) {
      if ((await clusterRecall(c, c.queries, c.truth, probes, k)) >= TARGET) {
        clustersR95 = await measureClusters(c, probes);
        break;
      }
    }
  }
  const brute = await measureBrute(c);
  await pause();
  const voy = await guarded('voy-search', () => measureVoy(c));
  await pause();
  const hnsw = await guarded('hnswlib-wasm', () => measureHnsw(c));
  const uniform = await uniformRecall(k);

  const result = {
    n: c.input.n,
    dim: c.input.dim,
    queries: c.queries.length,
    k,
    browser: await browserInfo(),
    crossOriginIsolated,
    clusters: c.clusters.size,
    exact: timing(c.exactMs),
    ours: { clusters, clustersR95, brute },
    hnsw,
    voy,
    uniform,
  };
  console.log(JSON.stringify(result));
  await commands.writeFile('test/bench/.results/peers.json', JSON.stringify(result, null, 2));
  // Ours must find what exact search finds when it scans everything (int8 residual error only).
  expect(brute.recall).toBeGreaterThan(0.9);
}, 600_000);
