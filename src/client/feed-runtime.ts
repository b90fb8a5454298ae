/**
 * How createFeed() starts its worker, and where that worker finds onnxruntime-web's files. From
 * the sources (the demo app, the tests), Vite bundles workers/feed-worker.ts from this
 * `new Worker(new URL(…))` and the worker imports the runtime files itself (`?url`). The published
 * package swaps this module for packages/ondeck/src/feed-runtime.ts, which starts its prebuilt
 * dist/feed-worker.js and points it at the copies shipped beside it.
 */
import type { WasmPaths } from '../core/feed/index.ts';

export function startFeedWorker(): Worker {
  return new Worker(new URL('../../workers/feed-worker.ts', import.meta.url), { type: 'module', name: 'ondeck-feed' });
}

/** The runtime files when FeedOptions.wasmPaths is absent; undefined: the worker's own. */
export function defaultWasmPaths(): WasmPaths | undefined {
  return undefined;
}
