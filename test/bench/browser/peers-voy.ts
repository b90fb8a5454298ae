/**
 * voy-search (a Rust k-d tree compiled with wasm-bindgen, as published on npm) in the peers
 * benchmark: built from the dequantised shard vectors through its only API, a Resource of
 * { id, title, url, embeddings: number[] } objects, which it takes across the boundary as JSON.
 * It has no accuracy setting: its k-d tree search is exact (Euclidean; on unit vectors the same
 * order as the dot product), so the one "setting" is its default.
 *
 * Loaded without a Vite wasm plugin: the package's entry imports its .wasm as an ES module,
 * which Vite does not serve, so the glue is imported directly and the .wasm (served by this
 * origin through `?url`) instantiated with the glue as its import object.
 */
import type { Resource } from 'voy-search';
import wasmUrl from 'voy-search/voy_search_bg.wasm?url';
import { decodeAll, dequantise, pause, recall, timing, type Catalogue } from './peers-catalogue.ts';
import type { PeerResult } from './peers-hnsw.ts';

export async function measureVoy(c: Catalogue): Promise<PeerResult> {
  const { k, dim } = c.input;
  let t = performance.now();
  const glue = await import('voy-search/voy_search_bg.js');
  const { instance } = await WebAssembly.instantiate(await (await fetch(wasmUrl)).arrayBuffer(), { './voy_search_bg.js': glue as unknown as WebAssembly.ModuleImports });
  glue.__wbg_set_wasm(instance.exports);
  const memory = instance.exports['memory'] as WebAssembly.Memory;
  const loadMs = performance.now() - t;
  const before = memory.buffer.byteLength;

  const t0 = performance.now();
  const { rows, ids } = dequantise(decodeAll(c), dim);
  const dequantiseMs = performance.now() - t0;
  t = performance.now();
  const resource: Resource = {
    embeddings: Array.from(ids, (id, i) => ({ id: String(id), title: '', url: '', embeddings: Array.from(rows.subarray(i * dim, (i + 1) * dim)) })),
  };
  const index = new glue.Voy(resource);
  const buildMs = performance.now() - t;
  t = performance.now();
  index.search(c.queries[0]!, k);
  const firstAnswerMs = dequantiseMs + buildMs + (performance.now() - t);
  const after = memory.buffer.byteLength;
  await pause();

  for (let w = 0; w < 2; w++) index.search(c.queries[w]!, k);
  const samples: number[] = [];
  const found = c.queries.map((q) => {
    const t1 = performance.now();
    const r = index.search(q, k);
    samples.push(performance.now() - t1);
    return r.neighbors.map((x) => Number(x.id));
  });
  const rec = recall(found, c.truth, k);
  index.free();
  return {
    ok: true,
    settings: 'k-d tree, exact search (no accuracy setting)',
    ladder: [{ setting: 'default', recall: rec }],
    recall: rec,
    buildMs,
    dequantiseMs,
    firstAnswerMs,
    query: timing(samples),
    memoryBytes: after,
    memoryNote:
      `voy's wasm memory after the build (${(before / 2 ** 20).toFixed(1)} MiB before it): ` +
      'the tree, its copy of the vectors, and the JSON text the resource crossed as; wasm memory never shrinks, so this is a high-water mark. ' +
      `Not counted: the resource's ${ids.length} JS objects of number[] (transient, JS heap)`,
    loadMs,
  };
}
