/**
 * Opens the feature store the server was given: SQLite by default (embedded, one file, on a
 * thread of its own: sqlite/threaded-store.ts), Postgres when a URL is given. The Postgres
 * adapter (and `pg`) is loaded only when asked for.
 */
import { ServerConfigError } from '../errors.ts';
import { openSqliteStore, openThreadedSqliteStore } from './sqlite/index.ts';
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
  // The server's SQLite store runs on a thread of its own, so its synchronous work (inserts,
  // fsync, metrics reads) overlaps HTTP work instead of stopping the event loop.
  return openThreadedSqliteStore(location.db);
}

export { openSqliteStore };
export type { FeatureStore } from './types.ts';

