// Global setup of the unit project: the Postgres adapter's tests get a server without anyone
// installing one. ONDECK_TEST_POSTGRES_URL, when set, names a server to use instead (CI with a
// managed Postgres, or .ci/postgres-up); otherwise a throwaway embedded cluster is started here
// (about 2 s) and its URL handed to the test workers, which inherit this process's environment.
import { startEmbeddedPostgres } from './embedded-postgres.ts';

export default async function setup(): Promise<(() => Promise<void>) | undefined> {
  if (process.env.ONDECK_TEST_POSTGRES_URL) return undefined;
  const server = await startEmbeddedPostgres();
  process.env.ONDECK_TEST_POSTGRES_URL = server.url;
  return async () => {
    delete process.env.ONDECK_TEST_POSTGRES_URL;
    await server.stop();
  };
}
