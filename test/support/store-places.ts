// The feature stores the store tests run against, each a place that can be reopenable (same file
// or same database) until disposed: SQLite, SQLite on its own thread (what the server opens), and
// Postgres (a throwaway database on the test server).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPostgresStore } from '../../src/server/store/postgres/index.ts';
import { openSqliteStore, openThreadedSqliteStore } from '../../src/server/store/sqlite/index.ts';
import type { FeatureStore } from '../../src/server/store/types.ts';
import { createTestDatabase } from './postgres.ts';

export interface StorePlace {
  open(): Promise<FeatureStore>;
  dispose(): Promise<void>;
}

/** [name, make a place] for each store; `prefix` names the temp folders and databases. */
export function storePlaces(prefix: string): Array<[string, () => Promise<StorePlace>]> {
  const sqlite = (open: (file: string) => Promise<FeatureStore>) => async (): Promise<StorePlace> => {
    const dir = await mkdtemp(join(tmpdir(), `ondeck-${prefix}-`));
    return { open: () => open(join(dir, 'store.db')), dispose: () => rm(dir, { recursive: true, force: true }) };
  };
  return [
    ['sqlite', sqlite(openSqliteStore)],
    ['sqlite on its own thread', sqlite(openThreadedSqliteStore)],
    [
      'postgres',
      async () => {
        const db = await createTestDatabase(prefix);
        return { open: () => openPostgresStore(db.url), dispose: () => db.drop() };
      },
    ],
  ];
}
