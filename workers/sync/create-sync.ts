/**
 * createSync(): the sync queue of the feed worker, over the IndexedDB history's event log.
 */
import { ValidationError } from '../../src/core/errors.ts';
import type { HistoryStore } from '../history/index.ts';
import { IdbSyncLog } from './idb-log.ts';
import { resolveSyncOptions } from './options.ts';
import { startSync } from './start-sync.ts';
import type { StartSyncOptions, Sync } from './start-sync.ts';

export interface CreateSyncOptions extends Omit<StartSyncOptions, 'log'> {
  /** The history whose event log is synced; or give `log`. */
  history?: HistoryStore;
  /** Any other SyncLog (memory-log.ts); used when `history` is absent. */
  log?: StartSyncOptions['log'];
  /**
   * Send only the history's events recorded under this sync's mode and feed (EventScope), none
   * without a scope, and in aggregate mode only items of at least `minItemPopularity`. The feed
   * worker sets it; the bare API sends every event, as before.
   */
  strictScope?: boolean;
}

export async function createSync(options: CreateSyncOptions): Promise<Sync> {
  const { history, log, strictScope, ...rest } = options;
  let scope = null;
  if (history && strictScope) {
    const { mode, feed, minItemPopularity } = resolveSyncOptions(rest.sync, (globalThis as { location?: { origin?: string } }).location?.origin ?? null);
    scope = { mode, feed, strict: true, minPopularity: minItemPopularity };
  }
  const source = history ? new IdbSyncLog(history, scope) : log;
  if (!source) throw new ValidationError('history', 'createSync needs the history (or a SyncLog as `log`) to read events from');
  return startSync({ ...rest, log: source });
}
