/**
 * createFeed(): the library a page imports. Everything runs in a Web Worker (retrieval, ranking,
 * IndexedDB); the page gets a small async facade over comlink. The worker is loaded with
 * `new URL(..., import.meta.url)`, so Vite (or any bundler that understands it) ships it as its
 * own chunk, and the page never imports worker code.
 */
import * as Comlink from 'comlink';
import type { ForgetResult } from '../core/feed/index.ts';
import type { FeedItem, FeedOptions, FeedStatus, FeedWorkerApi, SyncStatus, TrackEvent } from '../core/feed/index.ts';

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

export async function createFeed(options: FeedOptions): Promise<Feed> {
  const worker = new Worker(new URL('../../workers/feed-worker.ts', import.meta.url), { type: 'module', name: 'ondeck-feed' });
  const api = Comlink.wrap<FeedWorkerApi>(worker);
  try {
    // The worker resolves URLs against its own location: hand it an absolute one.
    await api.init({ ...options, release: new URL(options.release, globalThis.location.href).href });
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
