/**
 * The published package's src/client/feed-runtime.ts (the library build aliases it in): starts
 * the prebuilt dist/feed-worker.js and points it at the runtime files shipped beside it.
 *
 * The URLs are `new URL('./file', import.meta.url)` on purpose: browsers resolve them against
 * dist/index.js, and Vite and webpack 5 copy each file into the app's build as an asset, as is.
 * The worker is not `new Worker(new URL(…))` inline: a bundler would then re-bundle it as its own
 * worker entry (Vite's default iife format, webpack's minifier on 1.6 MB), which gains nothing on
 * a file that is already one self-contained, minified ES module.
 */
import type { WasmPaths } from '../../../src/core/feed/index.ts';

// @vite-ignore: left as written by the library build (the files are not there yet), for the
// app's bundler to see; the minifier drops the comments.
const WORKER = new URL(/* @vite-ignore */ './feed-worker.js', import.meta.url);
const WASM = new URL(/* @vite-ignore */ './ort-wasm-simd-threaded.jsep.wasm', import.meta.url);
const MJS = new URL(/* @vite-ignore */ './ort-wasm-simd-threaded.jsep.mjs', import.meta.url);

export function startFeedWorker(): Worker {
  return new Worker(WORKER, { type: 'module', name: 'ondeck-feed' });
}

export function defaultWasmPaths(): WasmPaths | undefined {
  return { wasm: WASM.href, mjs: MJS.href };
}
