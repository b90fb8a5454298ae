// Shared setup of the server tests (not a test file): a real SQLite store in a temp folder, the
// app on an injected clock, and batch builders.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { AggregateBatch, PseudonymousBatch, WireCounts, WireEvent } from '../../src/core/sync/wire.ts';
import type { FeatureStore } from '../../src/server/index.ts';
import { createServer } from '../../src/server/create-server.ts';
import type { ServerOptions } from '../../src/server/options.ts';
import { openSqliteStore } from '../../src/server/store/index.ts';

export const SECRET = 'test-secret-key-0123456789abcdef';
export const APP_KEY = 'demo-app';
/** 2026-11-20 12:00 UTC. */
export const T0 = Date.UTC(2026, 10, 20, 12);
export const DAY = 86_400_000;

export function tempDir(prefix = 'ondeck-server-'): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface TestServer {
  app: FastifyInstance;
  store: FeatureStore;
  db: string;
  clock: { now: number };
  close(): Promise<void>;
}

export async function testServer(options: Partial<ServerOptions> & { db?: string } = {}): Promise<TestServer> {
  const tmp = options.db === undefined ? tempDir() : null;
  const db = options.db ?? join(tmp!.dir, 'store.sqlite');
  const store = options.store ?? (await openSqliteStore(db));
  const clock = { now: T0 };
  const app = createServer({
    secretKey: SECRET,
    appKeys: [APP_KEY],
    now: () => clock.now,
    rateLimit: { perIp: { perSecond: 0 }, perToken: { perSecond: 0 } },
    onInternalError: () => {},
    ...options,
    store,
  });
  await app.ready();
  return {
    app,
    store,
    db,
    clock,
    async close() {
      await app.close();
      await store.close();
      tmp?.remove();
    },
  };
}

export const keyAuth = { authorization: `Key ${SECRET}` };

export async function deviceToken(app: FastifyInstance): Promise<string> {
  const r = await app.inject({ method: 'POST', url: '/v1/tokens', headers: { 'x-ondeck-app': APP_KEY } });
  if (r.statusCode !== 200) throw new Error(`token request failed: ${r.statusCode} ${r.body}`);
  return (r.json() as { token: string }).token;
}

export function pseudonymous(batchId: string, events: WireEvent[], extra: Partial<PseudonymousBatch> = {}): PseudonymousBatch {
  return { mode: 'pseudonymous', batchId, releaseId: 'r-test', feed: 'home', installId: 'install-a', events, ...extra };
}

export function aggregate(batchId: string, counts: Array<Partial<WireCounts> & { itemId: string; day: string }>, extra: Partial<AggregateBatch> = {}): AggregateBatch {
  return {
    mode: 'aggregate',
    batchId,
    releaseId: 'r-test',
    feed: 'home',
    counts: counts.map((c) => ({ impressions: 0, clicks: 0, watches: 0, likes: 0, hides: 0, skips: 0, watchSeconds: 0, watchFractionSum: 0, ...c })),
    ...extra,
  };
}

/** `n` events for item `item-<i % items>`, one second apart from `at`. */
export function events(n: number, at = T0, items = 7): WireEvent[] {
  return Array.from({ length: n }, (_, i): WireEvent => {
    const type = (['impression', 'click', 'watch', 'like', 'skip'] as const)[i % 5]!;
    const e: WireEvent = { type, itemId: `item-${i % items}`, at: at + i * 1000 };
    if (type === 'watch') Object.assign(e, { watchSeconds: 30, watchFraction: 0.25 });
    return e;
  });
}

export function postEvents(app: FastifyInstance, body: unknown, headers: Record<string, string> = keyAuth) {
  return app.inject({ method: 'POST', url: '/v1/events', headers, payload: body as object });
}
