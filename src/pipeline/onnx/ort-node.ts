import * as ort from 'onnxruntime-web';

/**
 * onnxruntime-web's WASM backend, set up for Node (tests, and the pipeline checking an exported
 * model against the trainer). Found with onnxruntime-web 1.30.0 on Node 20:
 *
 * - No `env.wasm.wasmPaths` is needed. Under Node the package's `exports` resolve to
 *   dist/ort.node.min.mjs, which loads ort-wasm-simd-threaded.{mjs,wasm} beside itself through
 *   import.meta.url; Vitest leaves node_modules external, so that URL stays right. Set a path only
 *   when bundling the pipeline.
 * - `env.wasm.numThreads = 1`: more threads mean worker_threads, which keep Node (and a Vitest
 *   worker) busy for nothing on models this small, and one thread makes runs reproducible.
 * - `env.wasm.proxy` stays false (its default): the proxy worker is a browser feature.
 *
 * Done in a function, not at import: modules touch no global state when loaded (STYLE.md).
 */
export function ortForNode(): typeof ort {
  ort.env.wasm.numThreads = 1;
  return ort;
}

/** A session on the WASM execution provider, from model bytes (e.g. OnnxGraph.toBytes()). */
export async function createNodeSession(model: Uint8Array): Promise<ort.InferenceSession> {
  return ortForNode().InferenceSession.create(model, { executionProviders: ['wasm'] });
}
