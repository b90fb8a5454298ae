export { openSqliteStore } from './sqlite-store.ts';
export { MIGRATIONS as SQLITE_MIGRATIONS } from './migrations.ts';
