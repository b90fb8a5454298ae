/**
 * The onnxruntime-web runtime files, served by the app itself (never a CDN). Importing them with
 * `?url` makes Vite serve them from node_modules in development and copy them, content-hashed,
 * into the build; the URLs below are what `ort.env.wasm.wasmPaths` gets.
 *
 * Which files, for onnxruntime-web 1.30.0: `import 'onnxruntime-web'` resolves in browsers to
 * dist/ort.bundle.min.mjs, the JSEP build, whose one binary serves both providers we use, `wasm`
 * and `webgpu` (JSEP). It loads ort-wasm-simd-threaded.jsep.wasm (28 MB, 6.8 MB gzipped). Its
 * Emscripten glue is inlined in the bundle, but we point `mjs` at the standalone copy as well:
 * with threads, each pthread worker is started from the glue's own URL, and once Vite
 * pre-bundles or chunks the bundle, its URL is a chunk that may hold the app's code as well.
 * The other builds in dist/ are not used: plain (.wasm, CPU only), asyncify (the native WebGPU
 * EP, `onnxruntime-web/webgpu`) and jspi (needs JS promise integration, not in every browser).
 */
import jsepMjsUrl from 'onnxruntime-web/ort-wasm-simd-threaded.jsep.mjs?url';
import jsepWasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.jsep.wasm?url';

/**
 * Absolute: onnxruntime resolves a relative path against the global's base URL, which in a
 * worker started from a blob: URL cannot resolve anything; this module's own URL always can.
 */
export const ORT_WASM_PATHS = Object.freeze({
  mjs: new URL(jsepMjsUrl, import.meta.url).href,
  wasm: new URL(jsepWasmUrl, import.meta.url).href,
});
