/**
 * The server under load: the real `ondeck serve` (spawned through the CLI, SQLite in a temporary
 * folder, then Postgres on a fresh database) and a bounded keep-alive client over loopback.
 * CONNECTIONS requests are in flight at all times, each a pseudonymous batch of 100 events with
 * its own batch id and a device token; after a warm-up, the events acknowledged in a fixed window
 * give events/s, and every batch's round trip gives p50 / p99. Rate limits are off (--rate-ip 0
 * --rate-token 0): this measures the server, not its throttle. The client, the server and
 * Postgres share the machine's cores, so the figures are a floor.
 *
 * Release download: the manifest and every artifact of the fixture release, over 6 keep-alive
 * connections like a browser's, from a fresh agent each time (no cache).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureFixtureRelease } from '../support/fixture-release.ts';
import { createTestDatabase } from '../support/postgres.ts';
import startTestPostgres from '../support/postgres-setup.ts';
import { measure, quantile } from './measure.ts';
import type { BenchFigure, BenchSuite } from './types.ts';

const BATCH_EVENTS = 100;
const CONNECTIONS = 16;
const ITEMS = 5000;
const APP_KEY = 'bench-app';
const SECRET_KEY = 'bench-secret-key-0123456789abcdef';

interface Server {
  url: string;
  /** CPU time the server process (all its threads) has used so far, in ms; null off Linux. */
  cpuMs(): number | null;
  stop(): Promise<void>;
}

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ: 100 on every Linux Node runs on). */
const USER_HZ = 100;

/** utime + stime of a process and all its threads, from /proc (Linux); null elsewhere. */
function processCpuMs(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) in parentheses; utime and stime are 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / USER_HZ;
  } catch {
    return null;
  }
}

/**
 * CPU time of a local Postgres: the postmaster, every live child (backends, autovacuum, WAL
 * writer, checkpointer) and the children it has reaped, in ms; null when the database is not on
 * this machine (its backend's process is not found). The postmaster is found as the parent of a
 * backend of `url`.
 */
async function postgresCpu(url: string): Promise<(() => number | null) | null> {
  const fieldsOf = (pid: number | string): string[] | null => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    } catch {
      return null;
    }
  };
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  let postmaster: number;
  try {
    // Read while the backend is alive: its parent is the postmaster.
    const backend = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    postmaster = Number(fieldsOf(backend)?.[1]);
  } finally {
    await client.end();
  }
  if (!Number.isInteger(postmaster) || postmaster <= 1) return null;
  return () => {
    const own = fieldsOf(postmaster);
    if (own === null) return null;
    // utime, stime, cutime, cstime are fields 14-17; a child's ppid is field 4.
    let ticks = Number(own[11]) + Number(own[12]) + Number(own[13]) + Number(own[14]);
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const f = fieldsOf(entry);
      if (f !== null && Number(f[1]) === postmaster) ticks += Number(f[11]) + Number(f[12]);
    }
    return (ticks * 1000) / USER_HZ;
  };
}

/** ONDECK_BENCH_SERVER_PROF=DIR: the server writes V8 CPU profiles there (one per thread). */
function serverNodeArgs(): string[] {
  const dir = process.env['ONDECK_BENCH_SERVER_PROF'];
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [];
}

/** Starts `ondeck serve` and waits for its one stdout line. */
async function startServer(args: readonly string[]): Promise<Server> {
  const child: ChildProcess = spawn(
    process.execPath,
    [...serverNodeArgs(), 'src/cli/ondeck.mjs', 'serve', '--port', '0', '--host', '127.0.0.1', '--rate-ip', '0', '--rate-token', '0', '--quota-app', '0', '--quota-ip', '0', ...args],
    { env: { ...process.env, ONDECK_SECRET_KEY: SECRET_KEY, ONDECK_APP_KEYS: APP_KEY }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`ondeck serve did not start in 60 s:\n${stderr}`)), 60_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /ondeck serve: listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`ondeck serve exited with ${code} before listening:\n${stderr}`));
    });
  });
  return {
    url,
    cpuMs: () => processCpuMs(child.pid),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

interface Response {
  status: number;
  body: Buffer;
}

function send(agent: Agent, url: string, method: string, headers: Record<string, string>, body?: string, localAddress?: string): Promise<Response> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, agent, headers, ...(localAddress ? { localAddress } : {}) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Bodies differ only in their batch id, so the events part is made once per connection (a few
 * variants, so the store sees varied items): the client spends its CPU on requests, not JSON.
 */
function bodyMaker(connection: number): (n: number) => string {
  const now = Date.now();
  const install = `bench-${connection}-${randomBytes(4).toString('hex')}`;
  const variants = Array.from({ length: 8 }, (_, v) => {
    const events = Array.from({ length: BATCH_EVENTS }, (_, i) => {
      const item = `item-${(connection * 7919 + v * 104729 + i * 31) % ITEMS}`;
      const at = now - ((i * 997 + v * 13) % 3_600_000);
      const kind = i % 10;
      if (kind < 7) return { type: 'impression', itemId: item, at };
      if (kind < 9) return { type: 'click', itemId: item, at };
      return { type: 'watch', itemId: item, at, watchSeconds: 42, watchFraction: 0.35 };
    });
    return JSON.stringify({ mode: 'pseudonymous', installId: install, releaseId: null, feed: 'bench', events }).slice(1);
  });
  return (n) => `{"batchId":"b${connection}x${n}x${install.slice(-8)}",${variants[n % variants.length]}`;
}

/**
 * Load on `server` for warm-up plus window. Besides throughput and latency: the server process's
 * CPU time (all threads) per 1,000 events acknowledged in the window, which moves much less than
 * events/s when the machine is shared (it excludes the client and, for Postgres, the database).
 */
async function loadRun(
  server: Server,
  o: { warmupMs: number; windowMs: number; dbCpuMs?: (() => number | null) | null },
): Promise<{ eventsPerSecond: number; p50: number; p99: number; batches: number; cpuMsPer1k: number | null; dbCpuMsPer1k: number | null }> {
  const { url } = server;
  const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  try {
    const tokenRes = await send(agent, `${url}/v1/tokens`, 'POST', { 'x-ondeck-app': APP_KEY });
    if (tokenRes.status !== 200) throw new Error(`POST /v1/tokens answered ${tokenRes.status}: ${tokenRes.body.toString()}`);
    const { token } = JSON.parse(tokenRes.body.toString()) as { token: string };
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };

    const start = performance.now();
    const windowStart = start + o.warmupMs;
    const end = windowStart + o.windowMs;
    let cpuAtStart: number | null = null;
    let cpuAtEnd: number | null = null;
    let dbAtStart: number | null = null;
    let dbAtEnd: number | null = null;
    const cpuTimers = [
      setTimeout(() => {
        cpuAtStart = server.cpuMs();
        dbAtStart = o.dbCpuMs?.() ?? null;
      }, o.warmupMs),
      setTimeout(() => {
        cpuAtEnd = server.cpuMs();
        dbAtEnd = o.dbCpuMs?.() ?? null;
      }, o.warmupMs + o.windowMs),
    ];
    const latencies: number[] = [];
    let acked = 0;
    const worker = async (connection: number) => {
      const body = bodyMaker(connection);
      for (let n = 0; ; n++) {
        const t0 = performance.now();
        if (t0 >= end) return;
        const res = await send(agent, `${url}/v1/events`, 'POST', headers, body(n));
        const t1 = performance.now();
        if (res.status !== 200) throw new Error(`POST /v1/events answered ${res.status}: ${res.body.toString().slice(0, 300)}`);
        const ack = JSON.parse(res.body.toString()) as { stored: number; duplicate: boolean };
        if (ack.duplicate || ack.stored !== BATCH_EVENTS) throw new Error(`unexpected ack ${res.body.toString()}`);
        // A batch counts when it was sent and acknowledged inside the window.
        if (t0 >= windowStart && t1 <= end) {
          latencies.push(t1 - t0);
          acked += BATCH_EVENTS;
        }
      }
    };
    await Promise.all(Array.from({ length: CONNECTIONS }, (_, c) => worker(c))).finally(() => cpuTimers.forEach(clearTimeout));
    latencies.sort((a, b) => a - b);
    // Batches sent in the window but answered after it are not counted, nor is their CPU share.
    const per1k = (a: number | null, b: number | null) => (a !== null && b !== null && acked > 0 ? ((b - a) / acked) * 1000 : null);
    return {
      eventsPerSecond: acked / (o.windowMs / 1000), p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99), batches: latencies.length,
      cpuMsPer1k: per1k(cpuAtStart, cpuAtEnd), dbCpuMsPer1k: per1k(dbAtStart, dbAtEnd),
    };
  } finally {
    agent.destroy();
  }
}

/**
 * Issue 14: the open metrics routes must not be a lever on the store. 20k junk counter rows
 * (40 aggregate batches of 500 rows, dated today) go in first; then 100 GET /v1/metrics run
 * 4 every 120 ms (from 50 loopback addresses, as many dashboards would) while /healthz and small ingests (one device, 10 events each) are timed
 * alongside. Before the metrics cache a call summed every row of the window on the event loop.
 */
async function metricsUnderJunk(url: string): Promise<{ metricsP50: number; metricsP95: number; healthP50: number; healthP95: number; ingestP50: number; ingestP95: number; metricsMax: number; junkRows: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  try {
    const tokenRes = await send(agent, `${url}/v1/tokens`, 'POST', { 'x-ondeck-app': APP_KEY });
    const { token } = JSON.parse(tokenRes.body.toString()) as { token: string };
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const today = new Date().toISOString().slice(0, 10);
    const zero = { clicks: 0, watches: 0, likes: 0, hides: 0, skips: 0, watchSeconds: 0, watchFractionSum: 0 };
    let junkRows = 0;
    for (let b = 0; b < 40; b++) {
      const counts = Array.from({ length: 500 }, (_, i) => ({ itemId: `junk-${b}-${i}`, day: today, impressions: 1, ...zero }));
      const body = JSON.stringify({ mode: 'aggregate', batchId: `junk-${b}-${randomBytes(6).toString('hex')}`, releaseId: null, feed: `junk${b % 8}`, counts });
      const r = await send(agent, `${url}/v1/events`, 'POST', headers, body);
      if (r.status !== 200) throw new Error(`junk batch answered ${r.status}: ${r.body.toString().slice(0, 200)}`);
      junkRows += 500;
    }
    const metrics: number[] = [];
    const health: number[] = [];
    const ingest: number[] = [];
    let done = false;
    const timed = async (into: number[], run: () => Promise<Response>) => {
      const t0 = performance.now();
      const r = await run();
      if (r.status !== 200) throw new Error(`answered ${r.status}: ${r.body.toString().slice(0, 200)}`);
      into.push(performance.now() - t0);
    };
    const install = `bench-metrics-${randomBytes(4).toString('hex')}`;
    const metricsRuns = (async () => {
      for (let i = 0; i < 100; i += 4) {
        const round = performance.now();
        // From 50 loopback addresses (127.0.0.2-51): many dashboards, each within the per-address limit.
        await Promise.all(Array.from({ length: 4 }, (_, k) => timed(metrics, () => send(agent, `${url}/v1/metrics`, 'GET', {}, undefined, `127.0.0.${2 + ((i + k) % 50)}`))));
        // 4 calls every 120 ms: 100 calls over about 3 s, while the probes run.
        await new Promise((r) => setTimeout(r, Math.max(0, 120 - (performance.now() - round))));
      }
      done = true;
    })();
    const probes = (async () => {
      for (let n = 0; !done; n++) {
        await timed(health, () => send(agent, `${url}/healthz`, 'GET', {}));
        const events = Array.from({ length: 10 }, (_, i) => ({ type: 'impression', itemId: `item-${(n * 10 + i) % ITEMS}`, at: Date.now() - i }));
        const body = JSON.stringify({ mode: 'pseudonymous', batchId: `m${n}x${install.slice(-8)}`, installId: install, releaseId: null, feed: 'bench', events });
        await timed(ingest, () => send(agent, `${url}/v1/events`, 'POST', headers, body));
      }
    })();
    await Promise.all([metricsRuns, probes]);
    for (const a of [metrics, health, ingest]) a.sort((x, y) => x - y);
    return {
      metricsP50: quantile(metrics, 0.5), metricsP95: quantile(metrics, 0.95),
      healthP50: quantile(health, 0.5), healthP95: quantile(health, 0.95),
      ingestP50: quantile(ingest, 0.5), ingestP95: quantile(ingest, 0.95),
      metricsMax: metrics[metrics.length - 1]!,
      junkRows,
    };
  } finally {
    agent.destroy();
  }
}

async function downloadRelease(url: string): Promise<number> {
  const agent = new Agent({ keepAlive: true, maxSockets: 6 });
  try {
    const m = await send(agent, `${url}/v1/releases/latest`, 'GET', {});
    if (m.status !== 200) throw new Error(`GET /v1/releases/latest answered ${m.status}`);
    const manifest = JSON.parse(m.body.toString()) as { artifacts: Array<{ url: string; bytes: number }> };
    let bytes = m.body.length;
    await Promise.all(
      manifest.artifacts.map(async (a) => {
        const r = await send(agent, new URL(a.url, `${url}/v1/releases/latest`).href, 'GET', {});
        if (r.status !== 200 || r.body.length !== a.bytes) throw new Error(`${a.url}: ${r.status}, ${r.body.length} of ${a.bytes} B`);
        bytes += r.body.length;
      }),
    );
    return bytes;
  } finally {
    agent.destroy();
  }
}

export const serverBench: BenchSuite = {
  name: 'server (HTTP, loopback)',
  async run({ quick }) {
    const timing = quick ? { warmupMs: 1000, windowMs: 3000 } : { warmupMs: 3000, windowMs: 15_000 };
    const releaseDir = await ensureFixtureRelease();
    const work = await mkdtemp(join(tmpdir(), 'ondeck-bench-server-'));
    const figures: BenchFigure[] = [];
    const note = `${CONNECTIONS} connections, ${BATCH_EVENTS} events a batch, ${timing.windowMs / 1000} s after ${timing.warmupMs / 1000} s warm-up`;
    const loadFigures = (kind: 'sqlite' | 'postgres', r: Awaited<ReturnType<typeof loadRun>>) => {
      figures.push(
        { key: `server.${kind}.eventsPerSecond`, label: `ingest, ${kind}`, value: r.eventsPerSecond, unit: 'events/s', note: `${note}, ${r.batches} batches` },
        { key: `server.${kind}.batchP50Ms`, label: `  batch round trip p50, ${kind}`, value: r.p50, unit: 'ms' },
        { key: `server.${kind}.batchP99Ms`, label: `  batch round trip p99, ${kind}`, value: r.p99, unit: 'ms' },
      );
      if (r.cpuMsPer1k !== null) {
        figures.push({ key: `server.${kind}.cpuMsPer1kEvents`, label: `  server CPU per 1k events, ${kind}`, value: r.cpuMsPer1k, unit: 'ms', note: `all threads of the server process${kind === 'postgres' ? ', not Postgres itself' : ''}` });
      }
      if (r.dbCpuMsPer1k !== null) {
        figures.push({ key: `server.${kind}.dbCpuMsPer1kEvents`, label: `  Postgres CPU per 1k events`, value: r.dbCpuMsPer1k, unit: 'ms', note: 'every process of the local Postgres cluster (backends, WAL writer, checkpointer, autovacuum)' });
      }
    };
    try {
      const sqlite = await startServer(['--release', releaseDir, '--db', join(work, 'store.sqlite')]);
      try {
        loadFigures('sqlite', await loadRun(sqlite, timing));
        let bytes = 0;
        const d = await measure(async () => (bytes = await downloadRelease(sqlite.url)), { runs: quick ? 5 : 20, warmup: 2 });
        figures.push({ key: 'server.releaseDownloadMs', label: 'release download (manifest + artifacts)', value: d.median, p95: d.p95, unit: 'ms', note: `${(bytes / 1024).toFixed(0)} KiB fixture release` });
        const j = await metricsUnderJunk(sqlite.url);
        const jn = `sqlite, ${j.junkRows} junk counter rows, 100 calls of /v1/metrics over ~3 s; slowest (a recount) ${j.metricsMax.toFixed(1)} ms`;
        figures.push(
          { key: 'server.metricsUnderJunk.metricsMs', label: 'GET /v1/metrics under junk rows', value: j.metricsP50, p95: j.metricsP95, unit: 'ms', note: jn },
          { key: 'server.metricsUnderJunk.healthzMs', label: '  GET /healthz meanwhile', value: j.healthP50, p95: j.healthP95, unit: 'ms', note: 'issue 14: p95 < 50 ms' },
          { key: 'server.metricsUnderJunk.ingestMs', label: '  ingest of 10 events meanwhile', value: j.ingestP50, p95: j.ingestP95, unit: 'ms', note: 'issue 14: p95 < 50 ms' },
        );
      } finally {
        await sqlite.stop();
      }

      // As npm test does: a throwaway embedded Postgres unless ONDECK_TEST_POSTGRES_URL names one.
      const stopPostgres = await startTestPostgres();
      try {
        const db = await createTestDatabase('bench');
        try {
          const dbCpuMs = await postgresCpu(db.url);
          const pg = await startServer(['--release', releaseDir, '--postgres', db.url]);
          try {
            loadFigures('postgres', await loadRun(pg, { ...timing, dbCpuMs }));
          } finally {
            await pg.stop();
          }
        } finally {
          await db.drop();
        }
      } finally {
        await stopPostgres?.();
      }
    } finally {
      await rm(work, { recursive: true, force: true });
    }
    return figures;
  },
};
