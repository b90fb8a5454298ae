export { HistoryConnection } from './connection.ts';
export { DEFAULT_MAX_EVENTS } from './defaults.ts';
export { HistoryStore, openHistory } from './history-store.ts';
export type { HistoryDB, EventScope, OutboxRecord, StoredEvent, SyncFlag } from './schema.ts';
export { inTransaction, readTransaction } from './transaction.ts';
export { validateTrackEvent } from './validate-event.ts';
