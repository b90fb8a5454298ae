/**
 * createSync(): the sync queue of the feed worker, over the IndexedDB history's event log.
 */
import { ValidationError } from '../../src/core/errors.ts';
import type { HistoryStore } from '../history/index.ts';
import { IdbSyncLog } from './idb-log.ts';
import { startSync } from './start-sync.ts';
import type { StartSyncOptions, Sync } from './start-sync.ts';

export interface CreateSyncOptions extends Omit<StartSyncOptions, 'log'> {
  /** The history whose event log is synced; or give `log`. */
  history?: HistoryStore;
  /** Any other SyncLog (memory-log.ts); used when `history` is absent. */
  log?: StartSyncOptions['log'];
}

export async function createSync(options: CreateSyncOptions): Promise<Sync> {
  const { history, log, ...rest } = options;
  const source = history ? new IdbSyncLog(history) : log;
  if (!source) throw new ValidationError('history', 'createSync needs the history (or a SyncLog as `log`) to read events from');
  return startSync({ ...rest, log: source });
}
