/**
 * startSync(): the sync queue wired to its platform over any SyncLog: fetch, the Web Lock of the
 * database (an in-realm lock where there is none), the global's online events and timers. It
 * imports nothing of IndexedDB, so Node runs it over the in-memory log; createSync() adds the
 * IndexedDB history. Nothing here runs at module load.
 */
import { ValidationError } from '../../src/core/errors.ts';
import type { SyncOptions, SyncStatus } from '../../src/core/feed/api.ts';
import { SYNC_DEFAULTS } from './defaults.ts';
import { memoryLock, webLock, webLockManager } from './lock.ts';
import type { Random } from './noise.ts';
import { resolveSyncOptions } from './options.ts';
import { secureRandom } from './random-ids.ts';
import type { SyncLog } from './sync-log.ts';
import { SyncQueue } from './sync-queue.ts';
import type { SyncQueueOptions, SyncTunables, Timers } from './sync-queue.ts';
import { FetchTransport } from './transport.ts';
import type { FetchLike } from './transport.ts';

export interface StartSyncOptions {
  log: SyncLog;
  sync: SyncOptions;
  /** The database name: one syncing tab per database (Web Lock `ondeck-sync:<database>`). */
  database: string;
  now?: () => number;
  fetch?: FetchLike;
  /** The release the device ranks with, sent with each batch; null by default. */
  release?: () => string | null;
  /** Jitter of retry delays (Math.random by default). */
  random?: Random;
  /** Local-DP noise (the platform CSPRNG by default). */
  noiseRandom?: Random;
  timers?: Timers;
  tunables?: Partial<SyncTunables>;
  onOutcome?: SyncQueueOptions['onOutcome'];
}

export interface Sync {
  status(): Promise<SyncStatus>;
  /** Sends what is pending now and resolves with the outcome. */
  flush(): Promise<SyncStatus>;
  /** Call after each append: the events go out shortly, together with any that follow. */
  notify(): void;
  /** Stops timers, listeners and a request in flight; resolves when the current attempt has ended. */
  stop(): Promise<void>;
}

const defaultTimers: Timers = {
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

interface EventTargetLike {
  addEventListener(type: string, listener: () => void): void;
  removeEventListener(type: string, listener: () => void): void;
}

export async function startSync(options: StartSyncOptions): Promise<Sync> {
  const scope = globalThis as { location?: { origin?: string }; navigator?: { onLine?: boolean } } & Partial<EventTargetLike>;
  const sync = resolveSyncOptions(options.sync, scope.location?.origin ?? null);
  if (typeof options.database !== 'string' || options.database === '') throw new ValidationError('database', 'must be a non-empty string');
  const log = options.log;
  const now = options.now ?? Date.now;
  const tunables: SyncTunables = { ...SYNC_DEFAULTS, ...options.tunables };
  const manager = webLockManager();
  const lockName = `ondeck-sync:${options.database}`;
  const queue = new SyncQueue({
    log,
    transport: new FetchTransport({
      server: sync.server,
      appKey: sync.appKey,
      // Unbound, fetch throws "Illegal invocation" in browsers.
      fetch: options.fetch ?? ((input, init) => fetch(input, init)),
      now,
      requestTimeoutMs: tunables.requestTimeoutMs,
      tokenRefreshMarginMs: tunables.tokenRefreshMarginMs,
      batchesPerToken: tunables.batchesPerToken,
    }),
    lock: manager ? webLock(manager, lockName) : memoryLock(lockName),
    sync,
    now,
    random: options.random ?? Math.random,
    noiseRandom: options.noiseRandom ?? secureRandom,
    release: options.release ?? (() => null),
    timers: options.timers ?? defaultTimers,
    online: () => scope.navigator?.onLine !== false,
    tunables,
    ...(options.onOutcome ? { onOutcome: options.onOutcome } : {}),
  });
  // The worker's global gets 'online' when the network comes back: resume at once.
  const onOnline = () => queue.online();
  scope.addEventListener?.('online', onOnline);
  try {
    await queue.start();
  } catch (err) {
    scope.removeEventListener?.('online', onOnline);
    await queue.stop();
    throw err;
  }
  return {
    status: () => queue.status(),
    flush: () => queue.flush(),
    notify: () => queue.notify(),
    stop: () => {
      scope.removeEventListener?.('online', onOnline);
      return queue.stop();
    },
  };
}
