/**
 * Retrieval against its peers, in real headless Chromium: our int8 scan (the head plus the
 * nearest clusters, as the feed loads them; and brute force over every cluster) against
 * hnswlib-wasm and voy-search, on the same shards in the same page. Build time, time from shard
 * bytes to the first answer, query p50/p95, memory, and recall@100 against exact float32 search
 * over the whole catalogue. The page is browser/peers.bench-browser.ts; this side writes the
 * catalogue it reads and turns its result into figures.
 *
 * The catalogue: the pipeline's own release writer (cosine k-means IVF, int8 residual shards)
 * over clustered vectors from test/support/vector-data.ts, 64 topics with noise 0.6 (the shape
 * of test/unit/pipeline/release-write.test.ts's catalogue), L2-normalised like item-tower output. Topics
 * are not IVF clusters: ~1,500 items a topic spread over several of the 224 clusters, so the
 * scan of 3 clusters misses some true neighbours (recall below 1), as with real embeddings. The
 * bench release's own vectors are uniform on the sphere, the worst case for any IVF; the page
 * reports the 3-cluster recall on them too.
 */
import { decodeStepTable } from '../../src/core/feed/index.ts';
import { loadavg } from 'node:os';
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseManifest } from '../../src/core/release/index.ts';
import { writeRelease } from '../../src/pipeline/release/index.ts';
import { ensureFixtureRelease } from '../support/fixture-release.ts';
import { clusteredData } from '../support/vector-data.ts';
import { runBrowserBench } from './device.ts';
import type { PeerResult, Timing } from './page-results.ts';
import type { BenchFigure, BenchSuite } from './types.ts';

const RESULTS = 'test/bench/.results';
const RESULT = `${RESULTS}/peers.json`;
const PAGE = 'test/bench/browser/peers.bench-browser.ts';

/**
 * The catalogue's shape; a change here rebuilds the cached catalogue. The page
 * (peers-catalogue.ts) finds it at test/bench/.results/peers-catalogue-<n>/, n = 10k with
 * --quick, else 100k, and reads dim and the query count from what is there.
 */
const SHAPE = Object.freeze({ dim: 64, topics: 64, spread: 0.6, queries: 50, seed: 5, releaseSeed: 1, version: 1 });

/** Writes (once; cached by shape) the catalogue of `n` items under test/bench/.results. */
async function ensureCatalogue(n: number): Promise<string> {
  const dir = resolve(RESULTS, `peers-catalogue-${n}`);
  const meta = JSON.stringify({ n, ...SHAPE });
  if (existsSync(join(dir, 'meta.json')) && readFileSync(join(dir, 'meta.json'), 'utf8') === meta) return dir;
  const fixture = await ensureFixtureRelease();
  const fm = parseManifest(JSON.parse(readFileSync(join(fixture, 'manifest.json'), 'utf8')));
  const ranker = fm.artifacts.find((a) => a.name === fm.models.ranker.artifact)!;
  const steps = fm.artifacts.find((a) => a.kind === 'steps');
  const { dim } = SHAPE;
  const d = clusteredData({ rows: n, dim, clusters: SHAPE.topics, spread: SHAPE.spread, queries: SHAPE.queries, seed: SHAPE.seed });
  normaliseRows(d.data, dim);
  for (const q of d.queries) normaliseRows(q, dim);
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  await writeRelease({
    outDir: tmp,
    featureSpec: fm.featureSpec,
    embeddingDim: dim,
    // Numeric ids (stored as u32): item i is row i of vectors.f32, so the page maps back exactly.
    items: Array.from({ length: n }, (_, i) => ({ id: i, embedding: d.data.subarray(i * dim, (i + 1) * dim) })),
    popularity: Float32Array.from({ length: n }, (_, i) => 1 / (1 + ((i * 7919) % n))),
    // The fixture release's ranker, only because a release must carry one; unused here.
    models: { ranker: { bytes: new Uint8Array(readFileSync(join(fixture, ranker.url))), inputs: fm.models.ranker.inputs, outputs: { pClick: fm.models.ranker.outputs.pClick! } } },
    // Its step table likewise: the spec reads it.
    ...(steps ? { steps: decodeStepTable(new Uint8Array(readFileSync(join(fixture, steps.url)))) } : {}),
    seed: SHAPE.releaseSeed,
  });
  const queries = new Float32Array(SHAPE.queries * dim);
  d.queries.forEach((q, i) => queries.set(q, i * dim));
  writeFileSync(join(tmp, 'vectors.f32'), new Uint8Array(d.data.buffer, d.data.byteOffset, d.data.byteLength));
  writeFileSync(join(tmp, 'queries.f32'), new Uint8Array(queries.buffer));
  writeFileSync(join(tmp, 'meta.json'), meta);
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  return dir;
}

function normaliseRows(v: Float32Array, dim: number): void {
  for (let i = 0; i < v.length; i += dim) {
    let s = 0;
    for (let j = 0; j < dim; j++) s += v[i + j]! ** 2;
    const inv = 1 / Math.sqrt(s);
    for (let j = 0; j < dim; j++) v[i + j]! *= inv;
  }
}

// ---- the page's result ---------------------------------------------------------------------

interface OursResult {
  probes: number | null;
  /** Items searched per query (loaded shards, duplicates included). */
  items: number;
  recall: number;
  memoryBytes: number;
  memoryNote: string;
  js: { query: Timing; firstAnswer: Timing };
  wasm: { query: Timing; firstAnswer: Timing };
}

interface PeersResult {
  n: number;
  dim: number;
  queries: number;
  k: number;
  browser: string;
  crossOriginIsolated: boolean;
  clusters: number;
  exact: Timing;
  ours: { clusters: OursResult; clustersR95: OursResult | null; brute: OursResult };
  hnsw: PeerResult;
  voy: PeerResult;
  uniform: { n: number; queries: number; probes: number; recall: number } | { error: string };
}

// ---- figures -------------------------------------------------------------------------------

const MiB = 2 ** 20;
const MEMORY_METHOD =
  'Memory is bytes held, not a process measurement: performance.measureUserAgentSpecificMemory() answers only after a GC ' +
  '(about 19 s a call in this headless Chromium), too slow for this budget, and performance.memory leaves wasm memory out';

export const retrievalPeersBench: BenchSuite = {
  name: 'retrieval vs peers (Chromium)',
  async run({ quick }) {
    await ensureCatalogue(quick ? 10_000 : 100_000);
    rmSync(RESULT, { force: true });
    const load = loadavg()[0]!;
    runBrowserBench(PAGE, { ONDECK_BENCH_QUICK: quick ? '1' : '0' });
    const r = JSON.parse(readFileSync(RESULT, 'utf8')) as PeersResult;
    return peersFigures(r, quick, load);
  },
};

function peersFigures(r: PeersResult, quick: boolean, load: number): BenchFigure[] {
  const size = `${r.n / 1000}k × ${r.dim}`;
  const data = `${size}, ${r.clusters} IVF clusters, ${SHAPE.topics} topics σ=${SHAPE.spread}, ${r.queries} queries, k=${r.k}, ${r.browser}, load average ${load.toFixed(1)} at start`;
  const quickNote = quick ? `; --quick: ${r.n / 1000}k items, not 100k (hnswlib's 100k build alone takes 30-70 s here)` : '';
  const figures: BenchFigure[] = [];
  const add = (key: string, label: string, value: number, unit: string, extra: { p95?: number; note?: string } = {}) =>
    figures.push({ key: `retrievalPeers.${key}`, label, value, unit, ...(extra.p95 === undefined ? {} : { p95: extra.p95 }), ...(extra.note ? { note: extra.note } : {}) });

  add('exact.queryMs', `exact float32 scan, ${size} (recall reference)`, r.exact.p50, 'ms', { p95: r.exact.p95, note: data + quickNote });
  const ours = (key: string, o: OursResult, what: string) => {
    add(`ours.${key}.queryMs`, `ours ${what}: query, wasm SIMD int8`, o.wasm.query.p50, 'ms', { p95: o.wasm.query.p95, note: `${o.items.toFixed(0)} items searched per query` });
    add(`ours.${key}.js.queryMs`, `ours ${what}: query, js int8`, o.js.query.p50, 'ms', { p95: o.js.query.p95 });
    add(`ours.${key}.firstAnswerMs`, `ours ${what}: shard bytes → first answer, wasm`, o.wasm.firstAnswer.p50, 'ms', {
      p95: o.wasm.firstAnswer.p95,
      note:
        o.probes === null
          ? 'decode every shard + copy into the kernel + one search; median of 5, JIT warm; fetch not included'
          : 'decode centroids and head + pick clusters + decode them + copy into the kernel + one search; median over queries, JIT warm; fetch not included',
    });
    add(`ours.${key}.js.firstAnswerMs`, `ours ${what}: shard bytes → first answer, js`, o.js.firstAnswer.p50, 'ms', { p95: o.js.firstAnswer.p95 });
    add(`ours.${key}.recall100`, `ours ${what}: recall@100 vs exact over the full catalogue`, o.recall, 'recall');
    add(`ours.${key}.memoryMiB`, `ours ${what}: memory`, o.memoryBytes / MiB, 'MiB', { note: key === 'clusters' ? `${o.memoryNote}. ${MEMORY_METHOD}` : o.memoryNote });
  };
  ours('clusters', r.ours.clusters, `head + ${r.ours.clusters.probes} clusters (feed)`);
  if (r.ours.clustersR95) ours('clustersR95', r.ours.clustersR95, `head + ${r.ours.clustersR95.probes} clusters (recall ≥ 0.95)`);
  ours('brute', r.ours.brute, `brute force int8, all ${size}`);
  if ('recall' in r.uniform) {
    add('ours.clusters.recall100.uniform', `ours head + ${r.uniform.probes} clusters: recall@100 on uniform vectors`, r.uniform.recall, 'recall', {
      note: `the bench release (${r.uniform.n / 1000}k unit vectors uniform on the sphere, no topics: IVF's worst case), ${r.uniform.queries} random queries, exact over its dequantised vectors`,
    });
  } else add('ours.clusters.recall100.uniform', 'ours head + 3 clusters: recall@100 on uniform vectors', NaN, 'recall', { note: `not measured: ${r.uniform.error}` });

  const peer = (key: 'hnsw' | 'voy', name: string, p: PeerResult) => {
    const label = (what: string) => `${name}: ${what}`;
    if (!p.ok) {
      for (const [k, what, unit] of [
        ['buildMs', 'index build', 'ms'],
        ['firstAnswerMs', 'shard bytes → first answer', 'ms'],
        ['queryMs', 'query', 'ms'],
        ['recall100', 'recall@100', 'recall'],
        ['memoryMiB', 'memory', 'MiB'],
      ] as const) {
        add(`${key}.${k}`, label(what), NaN, unit, { note: `not measured: ${p.error}` });
      }
      return;
    }
    const ladder = p.ladder.map((l) => `${l.setting}: ${l.recall.toFixed(3)}`).join(', ');
    add(`${key}.buildMs`, label('index build'), p.buildMs, 'ms', { note: `${p.settings}; from float rows; module load ${p.loadMs.toFixed(0)} ms not included${quickNote}` });
    add(`${key}.firstAnswerMs`, label('shard bytes → first answer'), p.firstAnswerMs, 'ms', { note: `decode + dequantise (${p.dequantiseMs.toFixed(0)} ms) + build + one search; measured once` });
    add(`${key}.queryMs`, label('query'), p.query.p50, 'ms', { p95: p.query.p95, note: p.settings });
    add(`${key}.recall100`, label('recall@100 vs exact'), p.recall, 'recall', { note: `tried ${ladder}${p.recall < 0.95 ? '; below the 0.95 target at every setting tried' : ''}` });
    add(`${key}.memoryMiB`, label('memory'), p.memoryBytes / MiB, 'MiB', { note: p.memoryNote });
  };
  peer('hnsw', 'hnswlib-wasm', r.hnsw);
  peer('voy', 'voy-search', r.voy);

  const ratio = (key: string, label: string, a: number, b: number, note: string) => {
    const v = a / b;
    add(`ratio.${key}`, label, v, '×', { note: Number.isFinite(v) ? note : 'not measured: a figure is missing' });
  };
  const hnswQ = r.hnsw.ok ? r.hnsw.query.p50 : NaN;
  const hnswF = r.hnsw.ok ? r.hnsw.firstAnswerMs : NaN;
  const voyQ = r.voy.ok ? r.voy.query.p50 : NaN;
  const voyF = r.voy.ok ? r.voy.firstAnswerMs : NaN;
  const c = r.ours.clusters;
  const below1 = '< 1: ours is faster';
  ratio('queryOursOverHnsw', 'ratio query: ours (clusters, wasm) / hnswlib', c.wasm.query.p50, hnswQ, below1);
  ratio('firstAnswerOursOverHnsw', 'ratio bytes → first answer: ours (clusters) / hnswlib', c.wasm.firstAnswer.p50, hnswF, below1);
  ratio('queryOursOverVoy', 'ratio query: ours (clusters, wasm) / voy', c.wasm.query.p50, voyQ, below1);
  ratio('firstAnswerOursOverVoy', 'ratio bytes → first answer: ours (clusters) / voy', c.wasm.firstAnswer.p50, voyF, below1);
  if (r.ours.clustersR95) {
    const c95 = r.ours.clustersR95;
    ratio('queryOursR95OverHnsw', `ratio query: ours (${c95.probes} clusters, recall ≥ 0.95) / hnswlib`, c95.wasm.query.p50, hnswQ, below1);
    ratio('firstAnswerOursR95OverHnsw', `ratio bytes → first answer: ours (${c95.probes} clusters) / hnswlib`, c95.wasm.firstAnswer.p50, hnswF, below1);
  }
  ratio('queryBruteOverHnsw', 'ratio query: ours brute force (wasm) / hnswlib', r.ours.brute.wasm.query.p50, hnswQ, below1);
  ratio('firstAnswerBruteOverHnsw', 'ratio bytes → first answer: ours brute force / hnswlib', r.ours.brute.wasm.firstAnswer.p50, hnswF, below1);
  ratio('queryBruteOverVoy', 'ratio query: ours brute force (wasm) / voy', r.ours.brute.wasm.query.p50, voyQ, below1);
  return figures;
}
