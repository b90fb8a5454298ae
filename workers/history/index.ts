export { HistoryConnection } from './connection.ts';
export type { BlockedInfo, ConnectionOptions } from './connection.ts';
export {
  DEFAULT_DATABASE_NAME,
  DEFAULT_MAX_EVENTS,
  MAX_FUTURE_SKEW_MS,
  MAX_ITEM_ID_LENGTH,
  MIN_EVENT_TIME_MS,
  UNSYNCED_HOLD_FACTOR,
} from './defaults.ts';
export { HistoryQuotaError, HistoryVersionError } from './errors.ts';
export { HistoryStore, openHistory } from './history-store.ts';
export type { HistoryOptions } from './history-store.ts';
export { HISTORY_DB_VERSION, MIGRATIONS, upgradeHistory } from './migrations.ts';
export type { Migration, UpgradeTransaction } from './migrations.ts';
export type { ItemLookup, ReembedResult } from './reembed.ts';
export type {
  HistoryDB,
  HistoryStateKey,
  HistoryStateMap,
  EventScope,
  ItemSnapshot,
  NewEvent,
  OutboxRecord,
  ReleaseRecord,
  StoredEvent,
  SyncFlag,
} from './schema.ts';
export type { ItemFeatures, ItemInput } from './snapshot.ts';
export { inTransaction, readTransaction } from './transaction.ts';
export { validateTrackEvent } from './validate-event.ts';
export type { ValidTrackEvent } from './validate-event.ts';
