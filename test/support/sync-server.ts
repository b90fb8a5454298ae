// The real ondeck server for sync tests, as a child process (`node src/cli/ondeck.mjs serve`) on
// a temporary SQLite file, plus what the tests need around it: the export read back page by page,
// and a TCP proxy that breaks connections on purpose (resets, lost answers, 500s).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const SYNC_SECRET = 'sync-test-secret-key-0123456789';
export const SYNC_APP_KEY = 'sync-test-app';

export interface SyncServer {
  /** `http://127.0.0.1:PORT`; the same across restarts. */
  url: string;
  port: number;
  secret: string;
  appKey: string;
  dbFile: string;
  /** Kills the process (SIGKILL: no shutdown, no flush) and waits for it to be gone. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same database and port. */
  restart(): Promise<void>;
  /** Stops it and deletes its database. */
  close(): Promise<void>;
}

const CLI = resolve('src/cli/ondeck.mjs');

/** Starts `ondeck serve` on a fresh SQLite database in a temporary folder, rate limits off. */
export async function startSyncServer(options: { allowedOrigins?: string } = {}): Promise<SyncServer> {
  const dir = mkdtempSync(join(tmpdir(), 'ondeck-sync-'));
  const dbFile = join(dir, 'store.sqlite');
  const env = {
    ...process.env,
    ONDECK_SECRET_KEY: SYNC_SECRET,
    ONDECK_APP_KEYS: `${SYNC_APP_KEY},other-app`,
    ONDECK_ALLOWED_ORIGINS: options.allowedOrigins ?? '*',
  };
  let child: ChildProcess | null = null;
  let port = 0;
  const launch = async () => {
    const args = [CLI, 'serve', '--db', dbFile, '--port', String(port), '--host', '127.0.0.1', '--rate-ip', '0', '--rate-token', '0', '--rate-token-issue', '0'];
    const proc = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    port = await listeningPort(proc);
  };
  await launch();
  const stopped = async (signal: NodeJS.Signals) => {
    const proc = child;
    child = null;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((done) => proc.once('exit', () => done()));
    proc.kill(signal);
    await exited;
  };
  return {
    get url() {
      return `http://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    secret: SYNC_SECRET,
    appKey: SYNC_APP_KEY,
    dbFile,
    kill: (signal = 'SIGKILL') => stopped(signal),
    restart: launch,
    async close() {
      await stopped('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Resolves with the port of the `ondeck serve: listening on http://HOST:PORT` line. */
function listeningPort(proc: ChildProcess): Promise<number> {
  return new Promise((resolvePort, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => fail(new Error('ondeck serve did not report listening within 60 s')), 60_000);
    const fail = (e: Error) => {
      clearTimeout(timer);
      proc.kill('SIGKILL');
      reject(new Error(`${e.message}\nstdout: ${out}\nstderr: ${err}`));
    };
    proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /ondeck serve: listening on http:\/\/[^:\s]+:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolvePort(Number(m[1]));
      }
    });
    proc.once('exit', (code, signal) => fail(new Error(`ondeck serve exited (${code ?? signal}) before listening`)));
  });
}

export interface ExportedLine {
  seq: number;
  install: string;
  item: string;
  type: string;
  at: number;
  watchSeconds?: number;
  watchFraction?: number;
}

/** Every pseudonymous event the server holds, through GET /v1/export/events (secret key), page by page. */
export async function exportEvents(url: string, secret: string, pageSize = 5000): Promise<ExportedLine[]> {
  const all: ExportedLine[] = [];
  let after = 0;
  for (;;) {
    const res = await fetch(`${url}/v1/export/events?after=${after}&limit=${pageSize}`, { headers: { Authorization: `Key ${secret}` } });
    if (res.status !== 200) throw new Error(`export answered ${res.status}: ${await res.text()}`);
    const lines = (await res.text()).split('\n').filter((l) => l !== '');
    const page = lines.map((l) => JSON.parse(l) as ExportedLine);
    all.push(...page);
    if (page.length < pageSize) return all;
    after = page[page.length - 1]!.seq;
  }
}

/** What the proxy does with one HTTP request, decided from its request line (`POST /v1/events HTTP/1.1`). */
export type ProxyAction =
  | 'pass'
  /** Reset the connection before the request reaches the server. */
  | 'reset'
  /** Let the server handle it, then reset the connection instead of passing the answer on. */
  | 'lose-answer'
  /** Answer 500 without asking the server. */
  | 'fail-500';

export interface FaultProxy {
  url: string;
  /** Requests seen, by request line, in order. */
  requests: string[];
  close(): Promise<void>;
}

/**
 * A TCP proxy in front of `target` that applies `policy` to each request. One connection at a
 * time is judged by the first request line seen in each chunk from the client; keep-alive
 * connections are cut after any fault, so the next request opens a fresh connection.
 */
export async function startFaultProxy(target: () => number, policy: (requestLine: string, n: number) => ProxyAction): Promise<FaultProxy> {
  const requests: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => undefined);
    let upstream: Socket | null = null;
    let losing = false;
    client.on('data', (chunk: Buffer) => {
      const text = chunk.toString('latin1');
      const line = /^(GET|POST|PUT|DELETE|HEAD|OPTIONS|PATCH) [^\r\n]+/.exec(text)?.[0];
      let action: ProxyAction = 'pass';
      if (line) {
        requests.push(line);
        action = policy(line, requests.length);
      }
      if (action === 'reset') {
        upstream?.destroy();
        client.resetAndDestroy();
        return;
      }
      if (action === 'fail-500') {
        const body = JSON.stringify({ error: 'proxy_failure', message: 'the proxy answered 500 on purpose' });
        client.end(`HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`);
        upstream?.destroy();
        return;
      }
      if (action === 'lose-answer') losing = true;
      if (!upstream) {
        upstream = connect(target(), '127.0.0.1');
        sockets.add(upstream);
        const up = upstream;
        up.on('close', () => {
          sockets.delete(up);
          client.destroy();
        });
        up.on('error', () => client.destroy());
        up.on('data', (answer: Buffer) => {
          // The server has answered, so it committed the batch: the device must never learn it.
          if (losing) {
            up.destroy();
            client.resetAndDestroy();
            return;
          }
          client.write(answer);
        });
      }
      upstream.write(chunk);
    });
    client.on('close', () => upstream?.destroy());
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}
