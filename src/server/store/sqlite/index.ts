export { openSqliteStore } from './sqlite-store.ts';
export { openThreadedSqliteStore } from './threaded-store.ts';
