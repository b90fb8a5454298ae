export { openPostgresStore, PostgresStore } from './postgres-store.ts';
export { PostgresUnavailableError, redactUrl } from './errors.ts';
export { MIGRATIONS } from './migrations.ts';
export type { Migration } from './migrations.ts';
export { POSTGRES_DEFAULTS } from './defaults.ts';
export { SEQ_LOCK } from './queries.ts';
