/**
 * Opens the feature store the server was given: SQLite by default (embedded, one file), Postgres
 * when a URL is given. The Postgres adapter (and `pg`) is loaded only when asked for.
 */
import { ServerConfigError } from '../errors.ts';
import { openSqliteStore } from './sqlite/index.ts';
import type { FeatureStore } from './types.ts';

interface StoreLocation {
  /** SQLite file; ':memory:' for a throwaway store. */
  db?: string;
  /** postgres://user:pass@host:port/db */
  postgres?: string;
}

export async function openStore(location: StoreLocation): Promise<FeatureStore> {
  if (location.postgres !== undefined && location.db !== undefined) {
    throw new ServerConfigError('store', 'give either db (SQLite file) or postgres (URL), not both');
  }
  if (location.postgres !== undefined) {
    const { openPostgresStore } = await import('./postgres/index.ts');
    return openPostgresStore(location.postgres);
  }
  if (location.db === undefined) throw new ServerConfigError('store', 'give db (an SQLite file) or postgres (a URL)');
  return openSqliteStore(location.db);
}

export { openSqliteStore };
export type { FeatureStore } from './types.ts';

