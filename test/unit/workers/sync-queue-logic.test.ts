// The sync queue's logic over the in-memory log, with a scripted server (a fetch seam answering
// Responses) and a fake clock and timers: what it sends, in which order, what it keeps, and the
// exact retry delays it schedules. The real server is in sync-server.test.ts.
import { describe, expect, it } from 'vitest';
import type { BatchAck, EventBatch } from '../../../src/core/sync/wire.ts';
import { MemorySyncLog } from '../../../workers/sync/memory-log.ts';
import { memoryLock } from '../../../workers/sync/lock.ts';
import { resolveSyncOptions } from '../../../workers/sync/options.ts';
import { SyncQueue } from '../../../workers/sync/sync-queue.ts';
import type { SyncTunables } from '../../../workers/sync/sync-queue.ts';
import { FetchTransport } from '../../../workers/sync/transport.ts';
import { DEFAULT_AGGREGATE_EPSILON, type SyncMode } from '../../../src/core/sync/wire.ts';
import { SERVER_DEFAULTS } from '../../../src/server/defaults.ts';

const T0 = Date.UTC(2025, 5, 1, 8);

interface Call {
  path: string;
  headers: Record<string, string>;
  body: string | null;
}

/** null: answer as the server would (an ack). */
type Answer = Response | Error | null | ((call: Call) => Response | Error);

/** A scripted server: answers POST /v1/events from `answers` in order (then acks), tokens always. */
function scriptedServer(answers: Answer[] = []) {
  const calls: Call[] = [];
  const seen = new Set<string>();
  let tokens = 0;
  const fetch = async (url: string, init: RequestInit): Promise<Response> => {
    const path = new URL(url).pathname;
    const call: Call = { path, headers: { ...(init.headers as Record<string, string>) }, body: (init.body as string | undefined) ?? null };
    calls.push(call);
    if (path === '/v1/tokens') {
      tokens++;
      return Response.json({ token: `tok-${tokens}`, expiresAt: clock.now + 3_600_000 });
    }
    let answer = answers.shift();
    if (typeof answer === 'function') answer = answer(call);
    if (answer instanceof Error) throw answer;
    if (answer) return answer;
    const batch = JSON.parse(call.body!) as EventBatch;
    const duplicate = seen.has(batch.batchId);
    seen.add(batch.batchId);
    const ack: BatchAck = { batchId: batch.batchId, stored: duplicate ? 0 : batch.mode === 'pseudonymous' ? batch.events.length : batch.counts.length, duplicate };
    return Response.json(ack);
  };
  const events = () => calls.filter((c) => c.path === '/v1/events');
  return { fetch, calls, events, batches: () => events().map((c) => JSON.parse(c.body!) as EventBatch) };
}

const clock = { now: T0 };

/** Timers that never fire by themselves: the test reads what was scheduled. */
function fakeTimers() {
  const scheduled: { ms: number; fn: () => void; cleared: boolean }[] = [];
  return {
    scheduled,
    timers: {
      set: (fn: () => void, ms: number) => {
        const t = { ms, fn, cleared: false };
        scheduled.push(t);
        return t;
      },
      clear: (t: unknown) => void ((t as { cleared: boolean }).cleared = true),
    },
    /** Delays of the timers still armed (neither cleared nor fired). */
    armed: () => scheduled.filter((t) => !t.cleared).map((t) => t.ms),
    /** Fires the armed timer of `ms`, as the platform would when it is due. */
    fire(ms: number) {
      const t = scheduled.find((x) => !x.cleared && x.ms === ms);
      if (!t) throw new Error(`no armed timer of ${ms} ms (armed: ${this.armed().join(', ')})`);
      t.cleared = true;
      t.fn();
    },
  };
}

function queue(
  log: MemorySyncLog,
  server: ReturnType<typeof scriptedServer>,
  o: {
    mode?: SyncMode;
    epsilon?: number | null;
    online?: () => boolean;
    tunables?: Partial<SyncTunables>;
    database?: string;
    timers?: ReturnType<typeof fakeTimers>;
    /** Batches per device token; the default of the transport (1) when absent. */
    batchesPerToken?: number;
  } = {},
) {
  const timers = o.timers ?? fakeTimers();
  const sync = resolveSyncOptions(
    { appKey: 'app-1', server: 'http://sync.test', mode: o.mode ?? 'pseudonymous', feed: 'home', ...(o.epsilon !== undefined ? { epsilon: o.epsilon } : {}) },
    null,
  );
  const q = new SyncQueue({
    log,
    transport: new FetchTransport({
      server: sync.server,
      appKey: sync.appKey,
      fetch: server.fetch,
      now: () => clock.now,
      requestTimeoutMs: 10_000,
      tokenRefreshMarginMs: 60_000,
      ...(o.batchesPerToken !== undefined ? { batchesPerToken: o.batchesPerToken } : {}),
    }),
    lock: memoryLock(`test:${o.database ?? crypto.randomUUID()}`),
    sync,
    now: () => clock.now,
    random: () => 0.5,
    noiseRandom: () => 0.5,
    release: () => 'r-7',
    timers: timers.timers,
    online: o.online ?? (() => true),
    tunables: { backoffBaseMs: 1000, backoffMaxMs: 16_000, ...o.tunables },
  });
  return { q, timers };
}

function fill(log: MemorySyncLog, n: number, tag = 'x'): void {
  for (let i = 0; i < n; i++) log.append({ type: 'impression', itemId: `${tag}${i}`, at: T0 - n + i });
}

const status500 = () => Response.json({ error: 'internal', message: 'boom' }, { status: 500 });

describe('sync queue', () => {
  it('sends batches of at most MAX_BATCH_EVENTS in log order and drains to zero', async () => {
    const log = new MemorySyncLog();
    fill(log, 1200);
    const server = scriptedServer();
    // Tokens reused across batches (a tunable; the default is a token per batch, tested below).
    const { q } = queue(log, server, { batchesPerToken: 3 });
    await q.start();
    expect((await q.status()).pending).toBe(1200);
    const status = await q.flush();
    expect(status).toMatchObject({ mode: 'pseudonymous', pending: 0, lastError: null, retryAt: null, rejected: 0, evicted: 0, lastSyncAt: T0 });
    const batches = server.batches();
    expect(batches.map((b) => (b.mode === 'pseudonymous' ? b.events.length : -1))).toEqual([500, 500, 200]);
    const items = batches.flatMap((b) => (b.mode === 'pseudonymous' ? b.events.map((e) => e.itemId) : []));
    expect(items).toEqual(Array.from({ length: 1200 }, (_, i) => `x${i}`));
    for (const b of batches) expect(b).toMatchObject({ mode: 'pseudonymous', releaseId: 'r-7', feed: 'home', installId: expect.stringMatching(/^i_/) });
    expect(new Set(batches.map((b) => b.batchId)).size).toBe(3);
    expect(log.events().every((e) => e.synced === 1)).toBe(true);
    expect(log.outbox()).toEqual([]);
    // One token for the three batches (batchesPerToken 3), sent as a bearer token.
    expect(server.calls.filter((c) => c.path === '/v1/tokens')).toHaveLength(1);
    expect(server.calls[0]!.headers['X-Ondeck-App']).toBe('app-1');
    expect(server.events()[0]!.headers['Authorization']).toBe('Bearer tok-1');
  });

  it('backs off with full jitter on 5xx and network errors, doubling up to the cap, and resends the same bytes', async () => {
    const log = new MemorySyncLog();
    fill(log, 3);
    const server = scriptedServer([status500(), new TypeError('fetch failed'), status500(), status500(), status500(), status500()]);
    const { q, timers } = queue(log, server);
    await q.start();
    const delays: number[] = [];
    for (let i = 0; i < 6; i++) {
      const s = await q.flush();
      expect(s.pending).toBe(3);
      expect(s.lastError?.name).toBe(i === 1 ? 'SyncNetworkError' : 'SyncHttpError');
      delays.push(s.retryAt! - clock.now);
      // The retry timer is armed for exactly that delay, and only it.
      expect(timers.armed()).toEqual([delays[i]]);
    }
    // random() = 0.5: half of 1 s, 2 s, 4 s, 8 s, 16 s, 16 s.
    expect(delays).toEqual([500, 1000, 2000, 4000, 8000, 8000]);
    const s = await q.flush();
    expect(s).toMatchObject({ pending: 0, lastError: null, retryAt: null });
    const bodies = server.events().map((c) => c.body);
    expect(bodies).toHaveLength(7);
    expect(new Set(bodies).size).toBe(1);
  });

  it('honours Retry-After on 429 as a floor, and does not let notify() cut a backoff short', async () => {
    const log = new MemorySyncLog();
    fill(log, 2);
    const server = scriptedServer([
      Response.json({ error: 'rate_limited', message: 'slow down' }, { status: 429, headers: { 'Retry-After': '7' } }),
      Response.json({ error: 'unavailable', message: 'later' }, { status: 503, headers: { 'Retry-After': new Date(clock.now + 20_000).toUTCString() } }),
    ]);
    const { q, timers } = queue(log, server);
    await q.start();
    let s = await q.flush();
    expect(s.retryAt! - clock.now).toBe(7000);
    expect(s.lastError).toEqual({ name: 'SyncHttpError', message: 'server answered 429 rate_limited: slow down' });
    log.append({ type: 'click', itemId: 'late', at: T0 });
    q.notify();
    expect(timers.armed()).toEqual([7000]);
    s = await q.flush();
    expect(s.retryAt! - clock.now).toBe(20_000);
    s = await q.flush();
    expect(s.pending).toBe(0);
    // The batch that failed went first and alone; the late event came in a batch of its own.
    expect(server.batches().map((b) => (b.mode === 'pseudonymous' ? b.events.map((e) => e.itemId) : []))).toEqual([
      ['x0', 'x1'],
      ['x0', 'x1'],
      ['x0', 'x1'],
      ['late'],
    ]);
  });

  it('keeps a batch refused with a 4xx as a dead letter, counted, never resent, and goes on', async () => {
    const log = new MemorySyncLog();
    fill(log, 700);
    const server = scriptedServer([Response.json({ error: 'invalid', message: 'events[3].type: bad', field: 'events[3].type' }, { status: 400 })]);
    const { q } = queue(log, server);
    await q.start();
    let s = await q.flush();
    expect(s).toMatchObject({ pending: 0, rejected: 500, retryAt: null });
    // The refusal stays the last error until a later success clears it.
    expect(s.lastError).toBeNull();
    const [dead] = log.outbox();
    expect(dead).toMatchObject({ state: 'rejected', events: 500, first: 1, last: 500, rejection: { status: 400, name: 'SyncRejectedError' } });
    expect(dead!.rejection!.message).toContain('field events[3].type');
    expect(log.events().filter((e) => e.synced === 2)).toHaveLength(500);
    expect(log.events().filter((e) => e.synced === 1)).toHaveLength(200);
    s = await q.flush();
    expect(server.events()).toHaveLength(2);
    expect(s.rejected).toBe(500);

    const alone = new MemorySyncLog();
    fill(alone, 5);
    const refusing = scriptedServer([Response.json({ error: 'too_large', message: 'too big' }, { status: 413 })]);
    const only = queue(alone, refusing);
    await only.q.start();
    s = await only.q.flush();
    expect(s).toMatchObject({ pending: 0, rejected: 5, lastError: { name: 'SyncRejectedError' } });
  });

  it('fetches a new token once on 401 and retries; a second 401 backs off', async () => {
    const log = new MemorySyncLog();
    fill(log, 1);
    const unauthorized = () => Response.json({ error: 'unauthorized', message: 'token expired' }, { status: 401 });
    // First a batch to get a cached token, then one that meets a revoked token.
    const server = scriptedServer([null, unauthorized()]);
    // A token kept across batches (batchesPerToken 2), so the second batch meets it revoked.
    const { q } = queue(log, server, { batchesPerToken: 2 });
    await q.start();
    let s = await q.flush();
    expect(s.pending).toBe(0);
    log.append({ type: 'click', itemId: 'y', at: T0 });
    s = await q.flush();
    expect(s.pending).toBe(0);
    expect(server.calls.map((c) => c.path)).toEqual(['/v1/tokens', '/v1/events', '/v1/events', '/v1/tokens', '/v1/events']);
    expect(server.calls[2]!.headers['Authorization']).toBe('Bearer tok-1');
    expect(server.calls[4]!.headers['Authorization']).toBe('Bearer tok-2');

    const log2 = new MemorySyncLog();
    fill(log2, 1);
    const refusing = scriptedServer([unauthorized(), unauthorized()]);
    const second = queue(log2, refusing);
    await second.q.start();
    // A fresh token refused at once is not retried in the same attempt.
    s = await second.q.flush();
    expect(refusing.calls.map((c) => c.path)).toEqual(['/v1/tokens', '/v1/events']);
    expect(s).toMatchObject({ pending: 1, rejected: 0, lastError: { name: 'SyncAuthError' } });
    expect(s.retryAt! - clock.now).toBe(500);
  });

  it('renews a token before it expires', async () => {
    const log = new MemorySyncLog();
    fill(log, 1);
    const server = scriptedServer();
    const { q } = queue(log, server);
    await q.start();
    await q.flush();
    log.append({ type: 'click', itemId: 'later', at: T0 });
    clock.now += 3_600_000 - 30_000; // within the refresh margin of the expiry
    try {
      await q.flush();
    } finally {
      clock.now = T0;
    }
    expect(server.calls.map((c) => c.path)).toEqual(['/v1/tokens', '/v1/events', '/v1/tokens', '/v1/events']);
  });

  it('resends the same batch id and body from a new queue over the same log (a reload mid-batch)', async () => {
    const log = new MemorySyncLog();
    fill(log, 600);
    // The first send dies on the way (whether the server stored it is what the real server test settles).
    const lost = scriptedServer([new TypeError('socket hang up')]);
    const first = queue(log, lost);
    await first.q.start();
    const s = await first.q.flush();
    expect(s.pending).toBe(600);
    const [batch] = log.outbox();
    await first.q.stop();

    const server = scriptedServer();
    const second = queue(log, server);
    await second.q.start();
    expect((await second.q.flush()).pending).toBe(0);
    expect(server.events()[0]!.body).toBe(batch!.body);
    expect(server.batches()[0]!.batchId).toBe(batch!.batchId);
    expect(server.batches().map((b) => (b.mode === 'pseudonymous' ? b.events.length : 0))).toEqual([500, 100]);
  });

  it('acks a replay answered as a duplicate like any ack', async () => {
    const log = new MemorySyncLog();
    fill(log, 4);
    const server = scriptedServer([(call) => Response.json({ batchId: (JSON.parse(call.body!) as EventBatch).batchId, stored: 0, duplicate: true })]);
    const { q } = queue(log, server);
    await q.start();
    expect(await q.flush()).toMatchObject({ pending: 0, lastError: null });
    expect(log.events().every((e) => e.synced === 1)).toBe(true);
  });

  it('does not take an answer for another batch as an ack', async () => {
    const log = new MemorySyncLog();
    fill(log, 1);
    const server = scriptedServer([Response.json({ batchId: 'b_someone_else', stored: 1, duplicate: false })]);
    const { q } = queue(log, server);
    await q.start();
    expect(await q.flush()).toMatchObject({ pending: 1, lastError: { name: 'SyncHttpError' } });
    expect(await q.flush()).toMatchObject({ pending: 0, lastError: null });
  });

  it('waits while offline without a request, then resumes on online()', async () => {
    const log = new MemorySyncLog();
    fill(log, 3);
    const server = scriptedServer();
    let online = false;
    const { q, timers } = queue(log, server, { online: () => online });
    await q.start();
    let s = await q.flush();
    expect(s).toMatchObject({ pending: 3, lastError: { name: 'SyncOfflineError' } });
    expect(server.calls).toEqual([]);
    online = true;
    q.online();
    // online() arms an immediate attempt; run it as the platform's timer would.
    timers.fire(0);
    s = await q.flush();
    expect(s).toMatchObject({ pending: 0, lastError: null });
    expect(server.batches()).toHaveLength(1);
  });

  it('debounces notify() into one timer of notifyDelayMs', async () => {
    const log = new MemorySyncLog();
    const server = scriptedServer();
    const { q, timers } = queue(log, server, { tunables: { notifyDelayMs: 2000 } });
    await q.start();
    // The start-up attempt finds nothing to send.
    timers.fire(0);
    await q.flush();
    expect(timers.armed()).toEqual([]);
    for (let i = 0; i < 5; i++) {
      log.append({ type: 'impression', itemId: `n${i}`, at: T0 });
      q.notify();
    }
    expect(timers.armed()).toEqual([2000]);
    timers.fire(2000);
    const s = await q.flush();
    expect(s.pending).toBe(0);
    expect(server.batches().map((b) => (b.mode === 'pseudonymous' ? b.events.length : 0))).toEqual([5]);
  });

  it('lets one queue at a time sync a database: two queues over one log send each batch once', async () => {
    const log = new MemorySyncLog();
    fill(log, 1500);
    const server = scriptedServer();
    const database = crypto.randomUUID();
    const a = queue(log, server, { database });
    const b = queue(log, server, { database });
    await Promise.all([a.q.start(), b.q.start()]);
    const [sa, sb] = await Promise.all([a.q.flush(), b.q.flush()]);
    expect(sa.pending).toBe(0);
    expect(sb.pending).toBe(0);
    const ids = server.batches().map((x) => x.batchId);
    expect(ids).toHaveLength(3);
    expect(new Set(ids).size).toBe(3);
  });

  it('rotates the pseudonymous install id after installIdRotationMs', async () => {
    const log = new MemorySyncLog();
    const server = scriptedServer();
    const { q } = queue(log, server, { tunables: { installIdRotationMs: 30 * 86_400_000 } });
    await q.start();
    const installs: string[] = [];
    const day = 86_400_000;
    try {
      for (const advance of [0, 29 * day, 2 * day, 29 * day]) {
        clock.now += advance;
        log.append({ type: 'click', itemId: `r${installs.length}`, at: clock.now });
        await q.flush();
        const last = server.batches().at(-1)!;
        installs.push(last.mode === 'pseudonymous' ? last.installId : '');
      }
    } finally {
      clock.now = T0;
    }
    // Day 0 and 29 share one id; day 31 starts a new one, kept on day 60 (29 days later).
    expect(installs[1]).toBe(installs[0]);
    expect(installs[2]).not.toBe(installs[0]);
    expect(installs[3]).toBe(installs[2]);
    for (const id of installs) expect(id).toMatch(/^i_[A-Za-z0-9_-]{21}$/);
  });

  it('sends each batch under a token of its own by default, and a retry under the same one', async () => {
    const log = new MemorySyncLog();
    fill(log, 1200);
    const server = scriptedServer([null, status500()]);
    const { q } = queue(log, server);
    await q.start();
    await q.flush();
    // The 500 left the second batch pending: an explicit flush retries it.
    await q.flush();
    expect((await q.status()).pending).toBe(0);
    const posts = server.events().map((c) => ({ auth: c.headers['Authorization'], batch: (JSON.parse(c.body!) as EventBatch).batchId }));
    // Three batches, the second sent twice (a 500, then the retry).
    expect(posts.map((p) => p.batch)).toHaveLength(4);
    expect(new Set(posts.map((p) => p.batch)).size).toBe(3);
    const tokenOf = new Map<string, Set<string>>();
    for (const p of posts) tokenOf.set(p.batch, (tokenOf.get(p.batch) ?? new Set()).add(p.auth!));
    // One token per batch (its retry included), no token shared by two batches.
    for (const tokens of tokenOf.values()) expect(tokens.size).toBe(1);
    expect(new Set([...tokenOf.values()].map((t) => [...t][0])).size).toBe(3);
    expect(server.calls.filter((c) => c.path === '/v1/tokens')).toHaveLength(3);
  });

  it('adds local-DP noise in aggregate mode by default, at the epsilon a server accepts by default, one item per batch', async () => {
    const log = new MemorySyncLog();
    for (let i = 0; i < 40; i++) log.append({ type: 'impression', itemId: `n${i}`, at: T0 });
    const server = scriptedServer();
    const { q } = queue(log, server, { mode: 'aggregate' });
    await q.start();
    expect((await q.flush()).pending).toBe(0);
    const batches = server.batches();
    expect(SERVER_DEFAULTS.aggregate.epsilon).toBe(DEFAULT_AGGREGATE_EPSILON);
    // One item per noisy batch, each under a token of its own.
    expect(batches).toHaveLength(40);
    for (const batch of batches) {
      if (batch.mode !== 'aggregate') throw new Error('expected an aggregate batch');
      expect(batch.noise).toEqual({ mechanism: 'geometric', epsilon: DEFAULT_AGGREGATE_EPSILON });
      expect(batch.counts).toHaveLength(1);
    }
    expect(new Set(server.events().map((c) => c.headers['Authorization'])).size).toBe(40);
  });

  it('sends aggregate counters without identifiers', async () => {
    const log = new MemorySyncLog();
    log.append({ type: 'impression', itemId: 'a', at: T0 });
    log.append({ type: 'click', itemId: 'a', at: T0 + 1 });
    log.append({ type: 'watch', itemId: 'a', at: T0 + 2, watchSeconds: 12, watchFraction: 0.2 });
    const server = scriptedServer();
    // Exact counts: local-DP noise turned off (it is on by default, tested below).
    const { q } = queue(log, server, { mode: 'aggregate', epsilon: null });
    await q.start();
    expect((await q.flush()).pending).toBe(0);
    const [batch] = server.batches();
    expect(batch).toEqual({
      batchId: expect.stringMatching(/^b_/),
      mode: 'aggregate',
      releaseId: 'r-7',
      feed: 'home',
      counts: [{ itemId: 'a', day: '2025-06-01', impressions: 1, clicks: 1, watches: 1, likes: 0, hides: 0, skips: 0, watchSeconds: 12, watchFractionSum: 0.2 }],
    });
  });
});
