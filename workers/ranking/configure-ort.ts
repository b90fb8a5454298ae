/**
 * onnxruntime-web's global settings. They are read once, when the first session initialises the
 * WebAssembly runtime, so they are set once, here, before any session is created; a later call
 * with other settings is an error rather than a silent no-op.
 */
import * as ort from 'onnxruntime-web';
import type { WasmPaths } from '../../src/core/feed/index.ts';
import { RANKING_DEFAULTS } from './defaults.ts';
import { OrtConfigError } from './errors.ts';
import { ORT_WASM_PATHS } from './ort-assets.ts';

export interface OrtOptions {
  /** The page is cross-origin isolated (SharedArrayBuffer exists, so wasm threads can run). */
  isolated: boolean;
  /** Threads when isolated; default RANKING_DEFAULTS.threads. Ignored (1) when not isolated. */
  threads?: number;
  /** Where the runtime files are (FeedOptions.wasmPaths, absolute URLs); default ORT_WASM_PATHS. */
  wasmPaths?: WasmPaths;
}

export interface OrtSetup {
  readonly isolated: boolean;
  /** What was asked of onnxruntime; it reports what it really uses in ort.env.wasm.numThreads. */
  readonly threads: number;
  readonly wasmPaths: Readonly<{ mjs: string; wasm: string }>;
}

let current: OrtSetup | null = null;

const WASM_FILE = 'ort-wasm-simd-threaded.jsep.wasm';
const MJS_FILE = 'ort-wasm-simd-threaded.jsep.mjs';

/** FeedOptions.wasmPaths as onnxruntime-web takes it: a folder gives both files by their names. */
export function resolveWasmPaths(paths: WasmPaths | undefined): Readonly<{ mjs: string; wasm: string }> {
  if (paths === undefined) return ORT_WASM_PATHS;
  if (typeof paths === 'string') {
    if (!paths.endsWith('/')) throw new OrtConfigError(`wasmPaths must be a folder URL ending in "/" or { wasm, mjs }, got "${paths}"`);
    return Object.freeze({ mjs: paths + MJS_FILE, wasm: paths + WASM_FILE });
  }
  return Object.freeze({ mjs: paths.mjs ?? ORT_WASM_PATHS.mjs, wasm: paths.wasm ?? ORT_WASM_PATHS.wasm });
}

export function configureOrt({ isolated, threads = RANKING_DEFAULTS.threads, wasmPaths }: OrtOptions): OrtSetup {
  // Without isolation there is no SharedArrayBuffer: asking for threads would make onnxruntime
  // warn and fall back anyway; 1 says so up front.
  const paths = resolveWasmPaths(wasmPaths);
  const want: OrtSetup = Object.freeze({ isolated, threads: isolated ? Math.max(1, Math.floor(threads)) : 1, wasmPaths: paths });
  if (current) {
    const samePaths = current.wasmPaths.mjs === paths.mjs && current.wasmPaths.wasm === paths.wasm;
    if (current.isolated === want.isolated && current.threads === want.threads && samePaths) return current;
    throw new OrtConfigError(
      `onnxruntime-web is already configured (isolated ${current.isolated}, ${current.threads} threads, wasm ${current.wasmPaths.wasm}); ` +
        `it reads its settings once, so isolated ${want.isolated}, ${want.threads} threads, wasm ${paths.wasm} cannot apply`,
    );
  }
  ort.env.wasm.wasmPaths = { mjs: want.wasmPaths.mjs, wasm: want.wasmPaths.wasm };
  ort.env.wasm.numThreads = want.threads;
  // The proxy worker would move inference off this thread; the runners already live in the feed
  // worker, and a second hop would copy every tensor once more.
  ort.env.wasm.proxy = false;
  current = want;
  return want;
}

/** The settings in force, configuring from the page's own isolation when nobody did. */
export function ensureOrtConfigured(): OrtSetup {
  return current ?? configureOrt({ isolated: globalThis.crossOriginIsolated === true });
}

/** onnxruntime's effective thread count: it lowers numThreads itself when threads cannot run. */
export function ortThreads(): number {
  return ort.env.wasm.numThreads ?? 1;
}
