/**
 * createFeed(): the library a page imports. Everything runs in a Web Worker (retrieval, ranking,
 * IndexedDB); the page gets a small async facade over comlink. The worker is started by
 * feed-runtime.ts (a chunk of its own from the sources, the prebuilt file in the package), and
 * the page never imports worker code.
 */
import * as Comlink from 'comlink';
import type { ForgetResult } from '../core/feed/index.ts';
import type { FeedItem, FeedOptions, FeedStatus, FeedWorkerApi, SyncStatus, TrackEvent, WasmPaths } from '../core/feed/index.ts';
import { defaultWasmPaths, startFeedWorker } from './feed-runtime.ts';

export interface Feed {
  next(options?: { count?: number }): Promise<FeedItem[]>;
  track(event: TrackEvent): Promise<void>;
  status(): Promise<FeedStatus>;
  /**
   * Deletes all local data of this feed (history, outbox, install ids, release caches) and
   * returns the pseudonymous install ids the app's backend should erase on the server.
   */
  forget(): Promise<ForgetResult>;
  /** Sends pending events to the server now (with `sync`) and resolves with the sync status; null without `sync`. */
  flush(): Promise<SyncStatus | null>;
  /** Stops the worker; the feed can't be used afterwards. */
  close(): void;
}

/** FeedOptions.wasmPaths made absolute against the page (the worker's own base is its script). */
function absoluteWasmPaths(paths: WasmPaths, page: string): WasmPaths {
  if (typeof paths === 'string') return new URL(paths, page).href;
  return {
    ...(paths.wasm !== undefined ? { wasm: new URL(paths.wasm, page).href } : {}),
    ...(paths.mjs !== undefined ? { mjs: new URL(paths.mjs, page).href } : {}),
  };
}

/**
 * Starts the feed in its own Web Worker: downloads and verifies the release (signature, SHA-256
 * of every artifact; cached for offline use), opens the history in IndexedDB, picks the fastest
 * runtime that reproduces the release's golden vectors for each stage, and resolves once it can
 * rank. `status().backends` and `status().verification` say what it chose and why.
 *
 * Rejects with an error whose `name` is stable across the worker boundary (branch on it, not on
 * the class), among them `ValidationError` (a bad option, naming the field),
 * `ReleaseUnavailableError` (no release and none cached), `ReleaseSignatureError` and
 * `ReleaseRollbackError` (a manifest the pinned `releaseKey` does not accept) and
 * `ModelSessionError` (no runtime could load a model).
 *
 * @example
 * ```ts
 * import { createFeed } from 'ondeck';
 *
 * const feed = await createFeed({
 *   release: 'https://feeds.example.com/v1/releases/latest',
 *   releaseKey: 'Rg+7SVhJ…', // the public key `ondeck build` printed
 *   sync: { appKey: 'demo' }, // optional: send interaction events back
 * });
 * for (const item of await feed.next({ count: 20 })) render(item);
 * await feed.track({ type: 'click', itemId: 'v123' });
 * const { backends } = await feed.status(); // e.g. { retrieval: 'wasm', ranking: 'wasm' }
 * ```
 *
 * @example Branching on the error name
 * ```ts
 * try {
 *   feed = await createFeed(options);
 * } catch (err) {
 *   if ((err as Error).name === 'ReleaseUnavailableError') showOfflineNotice();
 *   else throw err;
 * }
 * ```
 */
export async function createFeed(options: FeedOptions): Promise<Feed> {
  const page = globalThis.location.href;
  const worker =
    options.workerUrl === undefined ? startFeedWorker() : new Worker(new URL(options.workerUrl, page), { type: 'module', name: 'ondeck-feed' });
  const api = Comlink.wrap<FeedWorkerApi>(worker);
  try {
    // The worker resolves URLs against its own location: hand it absolute ones.
    const { workerUrl: _ignored, ...forWorker } = options;
    const wasmPaths = options.wasmPaths ?? defaultWasmPaths();
    await api.init({
      ...forWorker,
      release: new URL(options.release, page).href,
      ...(wasmPaths !== undefined ? { wasmPaths: absoluteWasmPaths(wasmPaths, page) } : {}),
    });
  } catch (err) {
    worker.terminate();
    throw err;
  }
  return {
    next: (o) => api.next(o),
    track: (e) => api.track(e),
    status: () => api.status(),
    forget: () => api.forget(),
    flush: () => api.flush(),
    close: () => {
      api[Comlink.releaseProxy]();
      worker.terminate();
    },
  };
}
