export { openSqliteStore } from './sqlite-store.ts';
export { openThreadedSqliteStore } from './threaded-store.ts';
export { MIGRATIONS as SQLITE_MIGRATIONS } from './migrations.ts';
