/**
 * hnswlib-wasm (hnswlib compiled by Emscripten, as published on npm) in the peers benchmark:
 * an HNSW graph over the dequantised shard vectors, inner-product space (the vectors are unit
 * length, so this is cosine), M = 16, efConstruction = 200 (hnswlib's defaults). efSearch climbs
 * a ladder until recall@100 reaches 0.95; the queries at that setting are the timed ones.
 *
 * Its module keeps an IDBFS file system for saving indexes; nothing is saved here, the index
 * lives in the module's wasm memory only.
 */
import type { HnswlibModule } from 'hnswlib-wasm';
import { decodeAll, dequantise, pause, recall, timing, type Catalogue, type Timing } from './peers-catalogue.ts';

export const HNSW_M = 16;
export const HNSW_EF_CONSTRUCTION = 200;
const EF_LADDER = [100, 128, 160, 200, 300, 400, 800];
const TARGET = 0.95;
const ADD_SLICE = 5000;

export type { PeerResult } from '../page-results.ts';
import type { PeerResult } from '../page-results.ts';

/** Emscripten's heap view; present on the module object, not in the package's types. */
type WithHeap = HnswlibModule & { HEAP8?: Int8Array };

export async function measureHnsw(c: Catalogue): Promise<PeerResult> {
  const { k, dim } = c.input;
  let t = performance.now();
  const { loadHnswlib } = await import('hnswlib-wasm');
  const lib = (await loadHnswlib()) as WithHeap;
  const loadMs = performance.now() - t;
  const heap = () => lib.HEAP8?.buffer.byteLength ?? NaN;
  const before = heap();

  const t0 = performance.now();
  const { rows, ids } = dequantise(decodeAll(c), dim);
  const n = ids.length;
  const dequantiseMs = performance.now() - t0;
  t = performance.now();
  const index = new lib.HierarchicalNSW('ip', dim, '');
  index.initIndex(n, HNSW_M, HNSW_EF_CONSTRUCTION, 100);
  // In slices with a pause between them: a 30 s block of the page would starve the test
  // runner's connection. Only the time spent adding is counted.
  let buildMs = performance.now() - t;
  for (let at = 0; at < n; at += ADD_SLICE) {
    t = performance.now();
    for (let i = at; i < Math.min(n, at + ADD_SLICE); i++) index.addPoint(rows.subarray(i * dim, (i + 1) * dim), Number(ids[i]), false);
    buildMs += performance.now() - t;
    await pause();
  }
  t = performance.now();
  index.setEfSearch(EF_LADDER[0]!);
  index.searchKnn(c.queries[0]!, k, undefined);
  const firstAnswerMs = dequantiseMs + buildMs + (performance.now() - t);
  const after = heap();

  // Warm-up, then one timed pass per efSearch: the pass that reaches the target is the timing.
  for (let w = 0; w < 3; w++) index.searchKnn(c.queries[w]!, k, undefined);
  const ladder: { setting: string; recall: number }[] = [];
  let query: number[] = [];
  let best = 0;
  let settings = '';
  for (const ef of EF_LADDER) {
    index.setEfSearch(ef);
    const samples: number[] = [];
    const found = c.queries.map((q) => {
      const t1 = performance.now();
      const r = index.searchKnn(q, k, undefined);
      samples.push(performance.now() - t1);
      return r.neighbors;
    });
    const rec = recall(found, c.truth, k);
    ladder.push({ setting: `ef ${ef}`, recall: rec });
    if (rec > best || query.length === 0) {
      best = rec;
      query = samples;
      settings = `M ${HNSW_M}, efConstruction ${HNSW_EF_CONSTRUCTION}, efSearch ${ef}, space ip`;
    }
    if (rec >= TARGET) break;
  }
  (index as { delete?: () => void }).delete?.();
  return {
    ok: true,
    settings,
    ladder,
    recall: best,
    buildMs,
    dequantiseMs,
    firstAnswerMs,
    query: timing(query),
    memoryBytes: after,
    memoryNote:
      `the module's wasm memory after the build (${(before / 2 ** 20).toFixed(0)} MiB before it, the module's initial size): ` +
      `the graph, its copy of the vectors, allocator slack; wasm memory never shrinks, so this is a high-water mark. ` +
      `The float rows given to it (${(rows.byteLength / 2 ** 20).toFixed(1)} MiB of JS memory) can be dropped after the build`,
    loadMs,
  };
}
