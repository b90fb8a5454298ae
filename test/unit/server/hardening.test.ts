// Issue 14: what a holder of the public app key could do to the server, each refused. Every
// case here was accepted (or hung, or leaked) before the fix.
import { statSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MAX_AGGREGATE_EVENTS, MAX_FUTURE_SKEW_MS } from '../../../src/core/sync/wire.ts';
import { parseServeArgs } from '../../../src/server/cli/index.ts';
import { startServer, type FeatureStore } from '../../../src/server/index.ts';
import { issueToken } from '../../../src/server/auth/index.ts';
import { tokenKey, verifyToken } from '../../../src/server/auth/device-token.ts';
import { SERVER_DEFAULTS } from '../../../src/server/defaults.ts';
import { openSqliteStore } from '../../../src/server/store/index.ts';
import { TokenBuckets, addressKey } from '../../../src/server/rate-limit/index.ts';
import { APP_KEY, DAY, SECRET, T0, aggregate, deviceToken, events, keyAuth, postEvents, pseudonymous, tempDir, testServer } from '../../support/server-app.ts';

const tmp = tempDir('ondeck-hardening-');
afterAll(() => tmp.remove());

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('poisoned batches (issue 14, findings 1, 2, 9)', () => {
  it('refuses poisoned counters, far or impossible days, future times and bad strings with 400 naming the field, over HTTP with a device token', async () => {
    const store = await openSqliteStore(join(tmp.dir, 'poison.sqlite'));
    const now = Date.now();
    const today = new Date(now).toISOString().slice(0, 10);
    const server = await startServer({ store, secretKey: SECRET, appKeys: [APP_KEY], port: 0, host: '127.0.0.1', onInternalError: () => {} });
    try {
      const token = ((await (await fetch(`${server.url}/v1/tokens`, { method: 'POST', headers: { 'x-ondeck-app': APP_KEY } })).json()) as { token: string }).token;
      const post = (body: unknown) => fetch(`${server.url}/v1/events`, { method: 'POST', headers: { ...bearer(token), 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const noise = { mechanism: 'geometric', epsilon: 1 } as const;
      const cases: Array<[string, unknown]> = [
        ['counts[0].impressions', aggregate('poison-0001', [{ itemId: 'a', day: today, impressions: 1e9 }])],
        ['counts[0].clicks', aggregate('poison-0002', [{ itemId: 'a', day: today, impressions: 1, clicks: -1e5 }], { noise })],
        ['counts[0].impressions', aggregate('poison-0003', [{ itemId: 'a', day: today, impressions: MAX_AGGREGATE_EVENTS + 21 }], { noise })],
        ['noise.epsilon', aggregate('poison-0004', [{ itemId: 'a', day: today, impressions: -3 }], { noise: { mechanism: 'geometric', epsilon: 1e-300 } })],
        ['counts', aggregate('poison-0005', Array.from({ length: 3 }, (_, i) => ({ itemId: `i${i}`, day: today, impressions: 2000 })))],
        ['counts[0].watchSeconds', aggregate('poison-0006', [{ itemId: 'a', day: today, watches: 1, watchSeconds: 1e6 }])],
        ['counts[0].watchFractionSum', aggregate('poison-0007', [{ itemId: 'a', day: today, watches: 1, watchFractionSum: 40 }])],
        ['counts[0].day', aggregate('poison-0008', [{ itemId: 'a', day: '2023-02-31', impressions: 1 }])],
        ['counts[0].day', aggregate('poison-0009', [{ itemId: 'a', day: '2099-01-01', impressions: 1 }])],
        ['counts[0].day', aggregate('poison-0010', [{ itemId: 'a', day: new Date(now - 40 * DAY).toISOString().slice(0, 10), impressions: 1 }])],
        ['events[1].at', pseudonymous('poison-0011', [{ type: 'click', itemId: 'a', at: now }, { type: 'click', itemId: 'a', at: Date.UTC(2099, 0, 1) }])],
        ['events[0].at', pseudonymous('poison-0012', [{ type: 'click', itemId: 'a', at: now + MAX_FUTURE_SKEW_MS + 60_000 }])],
        ['events[0].itemId', pseudonymous('poison-0013', [{ type: 'click', itemId: 'a\u0000b', at: now }])],
        ['installId', pseudonymous('poison-0014', [{ type: 'click', itemId: 'a', at: now }], { installId: 'inst-\ud800' })],
        ['feed', pseudonymous('poison-0015', [{ type: 'click', itemId: 'a', at: now }], { feed: '*' })],
        ['feed', aggregate('poison-0016', [{ itemId: 'a', day: today, impressions: 1 }], { feed: 'ho me' })],
      ];
      for (const [field, body] of cases) {
        const r = await post(body);
        const b = (await r.json()) as { error: string; field?: string; message: string };
        expect(r.status, `${field}: ${b.message}`).toBe(400);
        expect(b, field).toMatchObject({ error: 'ValidationError', field });
      }
      expect(await store.stats()).toMatchObject({ batches: 0, events: 0, countRows: 0 });
      // Honest batches still pass: exact rows at the bound, noise within 20 scales, a day ahead.
      const ok = [
        aggregate('honest-0001', [{ itemId: 'a', day: today, impressions: MAX_AGGREGATE_EVENTS - 1, clicks: 1 }]),
        aggregate('honest-0002', [{ itemId: 'a', day: today, impressions: -19.5, clicks: 3.25 }], { noise }),
        pseudonymous('honest-0003', [{ type: 'click', itemId: 'clip-\u{1F600}', at: now + MAX_FUTURE_SKEW_MS - 60_000 }]),
      ];
      for (const body of ok) expect((await post(body)).status).toBe(200);
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    } finally {
      await server.close();
      await store.close();
    }
  });
});

describe('idempotency and erasure (findings 7, 8)', () => {
  it('answers 409 for a batch id replayed with another body, and 410 for batches of a deleted install', async () => {
    const s = await testServer();
    const token = await deviceToken(s.app);
    const first = pseudonymous('batch-conf-01', events(3));
    expect((await postEvents(s.app, first, bearer(token))).json()).toMatchObject({ duplicate: false, stored: 3 });
    expect((await postEvents(s.app, first, bearer(token))).json()).toMatchObject({ duplicate: true, stored: 0 });
    for (const other of [pseudonymous('batch-conf-01', events(4)), pseudonymous('batch-conf-01', events(3), { installId: 'install-b' }), aggregate('batch-conf-01', [{ itemId: 'a', day: '2026-11-20', impressions: 1 }])]) {
      const r = await postEvents(s.app, other, bearer(token));
      expect(r.statusCode).toBe(409);
      expect(r.json()).toMatchObject({ error: 'BatchConflict', field: 'batchId' });
    }
    expect(await s.store.stats()).toMatchObject({ batches: 1, events: 3 });

    expect((await s.app.inject({ method: 'DELETE', url: '/v1/installs/install-a', headers: keyAuth })).json()).toEqual({ installId: 'install-a', deleted: 3 });
    for (const again of [first, pseudonymous('batch-conf-02', events(2))]) {
      const r = await postEvents(s.app, again, bearer(token));
      expect(r.statusCode).toBe(410);
      expect(r.json()).toMatchObject({ error: 'InstallDeleted', field: 'installId' });
    }
    expect(await s.store.stats()).toMatchObject({ events: 0 });
    const m = (await s.app.inject({ method: 'GET', url: '/v1/metrics' })).json();
    expect(m.ingest.rejected).toMatchObject({ conflict: 3, deleted: 2 });
    await s.close();
  });
});

/** A store whose reads are counted and whose writes can be made to fail (a full disk). */
function instrumented(store: FeatureStore) {
  const calls = { feedMetrics: 0, dailyCounts: 0, stats: 0 };
  const state = { writesFail: false };
  const full = () => Promise.reject(Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' }));
  // Every other method runs on the store itself (bound: its #private fields are on it, not on a
  // wrapper that merely inherits from it).
  const methods = Object.getOwnPropertyNames(Object.getPrototypeOf(store)).filter((k) => k !== 'constructor');
  const bound = Object.fromEntries(methods.map((k) => [k, (store as unknown as Record<string, (...a: unknown[]) => unknown>)[k]!.bind(store)]));
  const wrapped: FeatureStore = {
    ...(bound as unknown as FeatureStore),
    kind: store.kind,
    feedMetrics: (o: { since: number; until?: number }) => (calls.feedMetrics++, store.feedMetrics(o)),
    dailyCounts: (o: { since: number; until?: number }) => (calls.dailyCounts++, store.dailyCounts(o)),
    stats: () => (calls.stats++, store.stats()),
    ingest: (b: Parameters<FeatureStore['ingest']>[0], at: number) => (state.writesFail ? full() : store.ingest(b, at)),
    probeWrite: (at: number) => (state.writesFail ? full() : store.probeWrite(at)),
  };
  return { store: wrapped, calls, state };
}

describe('metrics and health (findings 3, 6)', () => {
  it('answers repeated metrics calls from a cache, bounded to tomorrow, with feeds capped and `*` unsendable', async () => {
    const base = await openSqliteStore(':memory:');
    const { store, calls } = instrumented(base);
    const s = await testServer({ store, metricsCache: { freshBelowRows: 3, maxFeeds: 2 } });
    for (const [i, feed] of ['a', 'b', 'c'].entries()) {
      await postEvents(s.app, aggregate(`batch-feed-${i}`, [{ itemId: 'x', day: '2026-11-20', impressions: 10 * (i + 1), clicks: 1 }], { feed }));
    }
    await postEvents(s.app, aggregate('batch-tomorrow', [{ itemId: 'x', day: '2026-11-21', impressions: 1 }], { feed: 'c' }));
    const m = (await s.app.inject({ method: 'GET', url: '/v1/metrics' })).json();
    // Feeds past the cap are summed under (other); '*' is the all-feeds row only.
    expect(m.feeds.map((f: { feed: string; impressions: number }) => `${f.feed}:${f.impressions}`)).toEqual(['*:61', 'b:20', 'c:31', '(other):10']);
    expect(calls.feedMetrics).toBe(1);
    for (let i = 0; i < 20; i++) {
      await s.app.inject({ method: 'GET', url: i % 2 ? '/metrics' : '/v1/metrics' });
    }
    // More rows than freshBelowRows: a write does not force a recount; only the cache's age does.
    await postEvents(s.app, aggregate('batch-feed-9', [{ itemId: 'y', day: '2026-11-20', impressions: 5 }], { feed: 'a' }));
    expect((await s.app.inject({ method: 'GET', url: '/v1/metrics' })).json().ingest.batches).toBe(5);
    expect(calls).toEqual({ feedMetrics: 1, dailyCounts: 1, stats: 1 });
    s.clock.now += SERVER_DEFAULTS.metricsCache.cacheMs;
    const later = (await s.app.inject({ method: 'GET', url: '/v1/metrics' })).json();
    expect(calls.feedMetrics).toBe(2);
    expect(later.feeds[0]).toMatchObject({ feed: '*', impressions: 66 });
    expect(SERVER_DEFAULTS.metricsCache.cacheMs).toBeGreaterThanOrEqual(10_000);
    expect(SERVER_DEFAULTS.metricsCache.cacheMs).toBeLessThanOrEqual(30_000);
    await s.close();
  });

  it('limits metrics requests per address', async () => {
    const s = await testServer({ rateLimit: { perIp: { perSecond: 0 }, perToken: { perSecond: 0 }, metrics: { perSecond: 1, burst: 3 } } });
    const codes = [];
    for (let i = 0; i < 4; i++) codes.push((await s.app.inject({ method: 'GET', url: '/metrics' })).statusCode);
    expect(codes).toEqual([200, 200, 200, 429]);
    expect((await s.app.inject({ method: 'GET', url: '/v1/metrics', remoteAddress: '10.0.0.9' })).statusCode).toBe(200);
    await s.close();
  });

  it('fails /healthz when writes fail, though reads still work', async () => {
    const { store, state } = instrumented(await openSqliteStore(':memory:'));
    const s = await testServer({ store });
    expect((await s.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    state.writesFail = true;
    s.clock.now += SERVER_DEFAULTS.healthProbeMs;
    const down = await s.app.inject({ method: 'GET', url: '/healthz' });
    expect(down.statusCode).toBe(500);
    expect(down.json()).toMatchObject({ error: 'InternalError' });
    state.writesFail = false;
    expect((await s.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    await s.close();
  });

  it('forgets batch ids past the retention as ingests go on', async () => {
    const s = await testServer();
    await postEvents(s.app, pseudonymous('batch-old-001', events(2)));
    s.clock.now += (SERVER_DEFAULTS.dedupRetentionDays + 1) * DAY;
    await postEvents(s.app, pseudonymous('batch-new-001', events(2, s.clock.now)));
    await expect.poll(async () => (await s.store.stats()).batches).toBe(1);
    expect((await s.store.stats()).events).toBe(4);
    await s.close();
  });
});

describe('quotas and rate limits (findings 1, 5, 6)', () => {
  it('counts device rows per app and per address per UTC day; 429 QuotaExceeded past them', async () => {
    const s = await testServer({ quotas: { perAddressPerDay: 10, perAppPerDay: 15 } });
    let token = await deviceToken(s.app);
    const send = (id: string, n: number, remoteAddress = '203.0.113.5') =>
      s.app.inject({ method: 'POST', url: '/v1/events', remoteAddress, headers: bearer(token), payload: pseudonymous(id, events(n)) });
    expect((await send('batch-quota-1', 8)).statusCode).toBe(200);
    const over = await send('batch-quota-2', 3);
    expect(over.statusCode).toBe(429);
    expect(over.json()).toMatchObject({ error: 'QuotaExceeded' });
    expect(Number(over.headers['retry-after'])).toBe((Date.UTC(2026, 10, 21) - T0) / 1000);
    expect((await send('batch-quota-3', 6, '198.51.100.7')).statusCode).toBe(200);
    // The app's 15 rows: 8 + 6 stored, 2 more are too many from any address.
    expect((await send('batch-quota-4', 2, '192.0.2.1')).json()).toMatchObject({ error: 'QuotaExceeded', message: expect.stringContaining('app') });
    // The server key is not counted; the next UTC day starts afresh.
    expect((await postEvents(s.app, pseudonymous('batch-quota-5', events(20)))).statusCode).toBe(200);
    s.clock.now = Date.UTC(2026, 10, 21, 0, 0, 1);
    token = await deviceToken(s.app);
    const nextDay = await send('batch-quota-6', 3);
    expect(nextDay.statusCode, nextDay.body).toBe(200);
    await s.close();
  });

  it('keys IPv6 clients by /64, limits new tokens and wrong secret keys per address', async () => {
    expect(addressKey('2001:db8:1:2:aaaa::1')).toBe(addressKey('2001:db8:1:2:ffff:1:2:3'));
    expect(addressKey('2001:db8:1:2::1')).not.toBe(addressKey('2001:db8:1:3::1'));
    expect(addressKey('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(addressKey('192.0.2.1')).toBe('192.0.2.1');
    const s = await testServer({ rateLimit: { perIp: { perSecond: 1, burst: 2 }, perToken: { perSecond: 0 }, tokenIssue: { perSecond: 0.1, burst: 2 } } });
    const token = (remoteAddress: string) => s.app.inject({ method: 'POST', url: '/v1/tokens', remoteAddress, headers: { 'x-ondeck-app': APP_KEY } });
    expect([(await token('2001:db8::1')).statusCode, (await token('2001:db8::2')).statusCode, (await token('2001:db8::3')).statusCode]).toEqual([200, 200, 429]);
    expect((await token('2001:db8:0:1::1')).statusCode).toBe(200);
    // New tokens: the address's own bucket, though its request bucket has refilled.
    s.clock.now += 10_000;
    expect((await token('198.51.100.1')).statusCode).toBe(200);
    expect((await token('198.51.100.1')).statusCode).toBe(200);
    s.clock.now += 5_000;
    const r = await token('198.51.100.1');
    expect(r.statusCode).toBe(429);
    expect(r.json().message).toMatch(/device tokens/);
    await s.close();

    const k = await testServer();
    const wrong = () => k.app.inject({ method: 'GET', url: '/v1/items/features', headers: { authorization: 'Key wrong-wrong-wrong-wrong' } });
    for (let i = 0; i < SERVER_DEFAULTS.rateLimit.keyFailures.burst; i++) expect((await wrong()).statusCode).toBe(401);
    expect((await wrong()).statusCode).toBe(429);
    // Even the right key waits now, from that address; another address is not affected.
    expect((await k.app.inject({ method: 'GET', url: '/v1/items/features', headers: keyAuth })).statusCode).toBe(429);
    expect((await k.app.inject({ method: 'GET', url: '/v1/items/features', headers: keyAuth, remoteAddress: '10.1.1.1' })).statusCode).toBe(200);
    await k.close();
  });

  it('keeps the bucket map bounded and sweeps it a few buckets at a time', () => {
    const b = new TokenBuckets({ perSecond: 1, burst: 5 }, 1000, 100);
    for (let i = 0; i < 1000; i++) b.take(`k${i}`, 0);
    expect(b.size).toBe(100);
    // Idle buckets go a few per call, oldest first.
    b.take('fresh-1', 5000);
    expect(b.size).toBe(97);
    for (let i = 0; i < 30; i++) b.take(`fresh-${i}`, 5000);
    expect(b.size).toBe(30);
  });

  it('believes X-Forwarded-For only from configured proxies, and refuses trustProxy: true', async () => {
    const limited = { rateLimit: { perIp: { perSecond: 0 }, perToken: { perSecond: 0 }, tokenIssue: { perSecond: 1, burst: 1 } } };
    const s = await testServer(limited);
    const issue = (xff: string) => s.app.inject({ method: 'POST', url: '/v1/tokens', remoteAddress: '127.0.0.1', headers: { 'x-ondeck-app': APP_KEY, 'x-forwarded-for': xff } });
    expect((await issue('1.1.1.1')).statusCode).toBe(200);
    // Off by default: a made-up X-Forwarded-For does not buy a new bucket.
    expect((await issue('2.2.2.2')).statusCode).toBe(429);
    await s.close();
    const p = await testServer({ ...limited, trustProxy: ['127.0.0.1'] });
    const viaProxy = (xff: string) => p.app.inject({ method: 'POST', url: '/v1/tokens', remoteAddress: '127.0.0.1', headers: { 'x-ondeck-app': APP_KEY, 'x-forwarded-for': xff } });
    expect((await viaProxy('1.1.1.1')).statusCode).toBe(200);
    expect((await viaProxy('2.2.2.2')).statusCode).toBe(200);
    // A client prepending its own entry is still keyed by what the proxy saw.
    expect((await viaProxy('9.9.9.9, 2.2.2.2')).statusCode).toBe(429);
    await p.close();
    await expect(testServer({ trustProxy: true as unknown as false })).rejects.toMatchObject({ name: 'ServerConfigError', option: 'trustProxy' });
    expect(parseServeArgs(['--trust-proxy', '10.0.0.0/8,127.0.0.1'], {}).trustProxy).toEqual(['10.0.0.0/8', '127.0.0.1']);
    expect(parseServeArgs([], {}).trustProxy).toBeUndefined();
  });
});

describe('timeouts (finding 4)', () => {
  it('closes a request whose body never comes within the request timeout (default at most 30 s)', async () => {
    expect(SERVER_DEFAULTS.timeouts.requestMs).toBeLessThanOrEqual(30_000);
    expect(SERVER_DEFAULTS.timeouts.idleMs).toBeLessThanOrEqual(30_000);
    const store = await openSqliteStore(':memory:');
    const server = await startServer({ store, secretKey: SECRET, appKeys: [APP_KEY], port: 0, host: '127.0.0.1', timeouts: { requestMs: 600 } });
    try {
      const { port } = new URL(server.url);
      const started = Date.now();
      let answer = '';
      const closedAfter = await new Promise<number>((resolve, reject) => {
        const socket = connect(Number(port), '127.0.0.1', () => {
          socket.write(`POST /v1/events HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Key ${SECRET}\r\nContent-Type: application/json\r\nContent-Length: 200000\r\n\r\n{`);
        });
        socket.on('data', (chunk: Buffer) => void (answer += chunk.toString('latin1')));
        socket.on('error', () => {});
        socket.on('close', () => resolve(Date.now() - started));
        // A hang guard only: below the 30 s idle timeout, and far above 600 ms on a loaded machine.
        setTimeout(() => reject(new Error('still open after 25 s')), 25_000);
      });
      // The request timeout closed it (Node answers 408), not the idle or headers timeout: that,
      // not a wall-clock bound, is what tells them apart on a machine of any load.
      expect(answer).toMatch(/^HTTP\/1\.1 408 /);
      // A timer never fires early; the upper bound stays under the 10 s headers and 30 s idle timeouts.
      expect(closedAfter).toBeGreaterThanOrEqual(500);
      expect(closedAfter).toBeLessThan(9_000);
      expect(server.app.server.maxConnections).toBe(SERVER_DEFAULTS.timeouts.maxConnections);
    } finally {
      await server.close();
      await store.close();
    }
  });
});

describe('keys, files and hosts (finding 11)', () => {
  it('creates the database, its WAL and SHM owner-only (0600)', async () => {
    const file = join(tmp.dir, 'perm.sqlite');
    const store = await openSqliteStore(file);
    await store.ingest(pseudonymous('batch-perm-01', events(2)), T0);
    for (const f of [file, `${file}-wal`, `${file}-shm`]) expect(statSync(f).mode & 0o777, f).toBe(0o600);
    await store.close();
  });

  it('accepts the demo key only on loopback with no keys configured', async () => {
    const store = await openSqliteStore(':memory:');
    await expect(startServer({ store, secretKey: SECRET, appKeys: ['demo'], port: 0, host: '0.0.0.0' })).rejects.toMatchObject({ name: 'ServerConfigError', option: 'appKeys' });
    await store.close();
    expect(parseServeArgs([], {}).appKeys).toEqual(['demo']);
    expect(() => parseServeArgs(['--host', '0.0.0.0'], {})).toThrow(/ONDECK_APP_KEYS: is required to listen on 0\.0\.0\.0/);
    expect(() => parseServeArgs(['--host', '0.0.0.0'], { ONDECK_APP_KEYS: 'demo,mine' })).toThrow(/ONDECK_APP_KEYS: must not hold the public "demo" key/);
    expect(parseServeArgs(['--host', '0.0.0.0'], { ONDECK_APP_KEYS: 'mine' }).appKeys).toEqual(['mine']);
  });

  it('signs device tokens with their own secret when one is given', async () => {
    const tokenSecret = 'token-secret-0123456789abcdef';
    const s = await testServer({ tokenSecret });
    const token = await deviceToken(s.app);
    expect(() => verifyToken(tokenKey(SECRET), token, T0, new Set([APP_KEY]))).toThrow(/signature/);
    expect(verifyToken(tokenKey(tokenSecret), token, T0, new Set([APP_KEY])).app).toBe(APP_KEY);
    // A token signed from the server-to-server key is refused.
    const old = issueToken(tokenKey(SECRET), APP_KEY, T0, 600).token;
    expect((await postEvents(s.app, pseudonymous('batch-tok-001', events(1)), bearer(old))).statusCode).toBe(401);
    await s.close();
    await expect(testServer({ tokenSecret: SECRET })).rejects.toMatchObject({ name: 'ServerConfigError', option: 'tokenSecret' });
  });

  it('answers only for loopback host names when listening on loopback (DNS rebinding)', async () => {
    const store = await openSqliteStore(':memory:');
    const server = await startServer({ store, secretKey: SECRET, appKeys: [APP_KEY], port: 0, host: '127.0.0.1' });
    try {
      const { port } = new URL(server.url);
      const ask = (host: string) =>
        new Promise<number>((resolve, reject) => {
          const socket = connect(Number(port), '127.0.0.1', () => socket.write(`GET /healthz HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`));
          let text = '';
          socket.on('data', (d) => (text += d));
          socket.on('end', () => resolve(Number(/^HTTP\/1\.1 (\d+)/.exec(text)?.[1])));
          socket.on('error', reject);
        });
      expect(await ask(`127.0.0.1:${port}`)).toBe(200);
      expect(await ask(`localhost:${port}`)).toBe(200);
      expect(await ask(`evil.example:${port}`)).toBe(421);
    } finally {
      await server.close();
      await store.close();
    }
  });
});
