// The sync queue against the real server process (`ondeck serve` on a temporary SQLite file):
// whatever breaks on the way (the server killed mid-sync, connections reset, answers lost, 500s,
// a reload mid-batch), once the queue has drained the server holds every event exactly once,
// read back through GET /v1/export/events with the secret key.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BatchAck, EventBatch } from '../../../src/core/sync/wire.ts';
import { MemorySyncLog } from '../../../workers/sync/memory-log.ts';
import { mulberry32 } from '../../../src/core/random.ts';
import { startSync } from '../../../workers/sync/start-sync.ts';
import type { StartSyncOptions, Sync } from '../../../workers/sync/start-sync.ts';
import type { SendOutcome } from '../../../workers/sync/transport.ts';
import type { SyncMode } from '../../../src/core/sync/wire.ts';
import { exportEvents, startFaultProxy, startSyncServer, type SyncServer } from '../../support/sync-server.ts';

let server: SyncServer;
beforeAll(async () => {
  server = await startSyncServer();
}, 90_000);
afterAll(async () => {
  await server?.close();
});

const T0 = Date.now() - 3_600_000;
let runs = 0;

/** A log of `n` events with item ids unique to this test, and the keys the server must hold. */
function logOf(n: number, tag = `t${++runs}-${Date.now()}`): { log: MemorySyncLog; keys: string[]; tag: string } {
  const log = new MemorySyncLog();
  const keys: string[] = [];
  const types = ['impression', 'click', 'watch', 'like'] as const;
  for (let i = 0; i < n; i++) {
    const type = types[i % types.length]!;
    const event = { type, itemId: `${tag}-${i}`, at: T0 + i, ...(type === 'watch' ? { watchSeconds: 30 + (i % 7), watchFraction: 0.5 } : {}) };
    log.append(event);
    keys.push(key(event.itemId, type, event.at));
  }
  return { log, keys, tag };
}

const key = (item: string, type: string, at: number) => `${item}|${type}|${at}`;

/** The server's events of this tag, as keys, sorted; duplicates would show twice. */
async function serverKeys(tag: string): Promise<string[]> {
  const rows = await exportEvents(server.url, server.secret);
  return rows.filter((r) => r.item.startsWith(`${tag}-`)).map((r) => key(r.item, r.type, r.at)).sort();
}

const syncs: Sync[] = [];
async function sync(log: MemorySyncLog, o: Partial<StartSyncOptions> & { mode?: SyncMode; epsilon?: number | null; base?: string; feed?: string } = {}): Promise<Sync> {
  const { mode, epsilon, base, feed, ...rest } = o;
  const s = await startSync({
    log,
    sync: { server: base ?? server.url, appKey: server.appKey, mode: mode ?? 'pseudonymous', feed: feed ?? 'sync-test', ...(epsilon !== undefined ? { epsilon } : {}) },
    database: `db-${runs}`,
    // Short backoff: the background retries of a failing queue come quickly, flush() drives the rest.
    // One token for many batches, as these fault tests were timed with (the default, a token per
    // batch, is pinned in sync-queue-logic.test.ts and test/browser/privacy-defaults.test.ts).
    tunables: { backoffBaseMs: 20, backoffMaxMs: 200, requestTimeoutMs: 10_000, batchesPerToken: 1000 },
    ...rest,
  });
  syncs.push(s);
  return s;
}
afterAll(async () => {
  for (const s of syncs) await s.stop();
});

/** flush() until nothing is pending (each call is one attempt, which may fail); returns how many it took. */
async function drain(s: Sync, max = 60): Promise<number> {
  for (let i = 1; i <= max; i++) {
    const status = await s.flush();
    if (status.pending === 0) return i;
  }
  throw new Error(`still pending after ${max} flushes: ${JSON.stringify(await s.status())}`);
}

describe('sync against the real server', () => {
  it('delivers 1200 pseudonymous events in three batches, each stored once', async () => {
    const { log, keys, tag } = logOf(1200);
    const acks: BatchAck[] = [];
    const s = await sync(log, { onOutcome: (_id, o) => void (o.kind === 'ack' && acks.push(o.ack)) });
    const status = await s.flush();
    expect(status).toMatchObject({ mode: 'pseudonymous', pending: 0, rejected: 0, lastError: null, retryAt: null });
    expect(acks.map((a) => [a.stored, a.duplicate])).toEqual([
      [500, false],
      [500, false],
      [200, false],
    ]);
    expect(await serverKeys(tag)).toEqual([...keys].sort());
    // Watch seconds and fractions arrive as sent.
    const rows = (await exportEvents(server.url, server.secret)).filter((r) => r.item === `${tag}-2`);
    expect(rows).toEqual([expect.objectContaining({ type: 'watch', watchSeconds: 32, watchFraction: 0.5, install: expect.stringMatching(/^i_/) })]);
  });

  it('survives the server killed (SIGKILL) in the middle of a sync, restarted on the same database', async () => {
    const { log, keys, tag } = logOf(3000);
    let posts = 0;
    const s = await sync(log, {
      fetch: async (url, init) => {
        const sent = fetch(url, init);
        // Handled by the queue once returned; meanwhile the kill below may fail it.
        sent.catch(() => undefined);
        if (url.endsWith('/v1/events') && ++posts === 3) {
          // The third batch is on its way: whether the server commits it before it dies is chance.
          await new Promise((r) => setTimeout(r, 2));
          await server.kill('SIGKILL');
        }
        return sent;
      },
    });
    const failed = await s.flush();
    expect(failed.pending).toBeGreaterThanOrEqual(2000);
    expect(failed.lastError?.name).toBe('SyncNetworkError');
    expect(failed.retryAt).not.toBeNull();
    // Still down: a flush fails again and keeps every event.
    expect((await s.flush()).pending).toBe(failed.pending);
    await server.restart();
    await drain(s);
    expect(log.outbox()).toEqual([]);
    expect(log.events().every((e) => e.synced === 1)).toBe(true);
    expect(await serverKeys(tag)).toEqual([...keys].sort());
  });

  it('delivers exactly once through connections reset before and after the server committed', async () => {
    const { log, keys, tag } = logOf(2600);
    // Of every four requests, one is reset before it arrives and one after the server committed
    // it (the answer is lost): the queue must replay, and the server dedupe.
    const proxy = await startFaultProxy(
      () => server.port,
      (line, n) => (!line.startsWith('POST /v1/events') ? 'pass' : n % 4 === 2 ? 'reset' : n % 4 === 3 ? 'lose-answer' : 'pass'),
    );
    try {
      const outcomes: SendOutcome[] = [];
      const s = await sync(log, { base: proxy.url, onOutcome: (_id, o) => void outcomes.push(o) });
      const flushes = await drain(s);
      expect(flushes).toBeGreaterThan(1);
      expect(outcomes.some((o) => o.kind === 'retry' && o.error.name === 'SyncNetworkError')).toBe(true);
      // A batch whose answer was lost came back as a duplicate: acknowledged, stored once.
      const acks = outcomes.flatMap((o) => (o.kind === 'ack' ? [o.ack] : []));
      expect(acks.some((a) => a.duplicate && a.stored === 0)).toBe(true);
      expect(acks).toHaveLength(6);
      expect(new Set(acks.map((a) => a.batchId)).size).toBe(6);
      expect(acks.some((a) => !a.duplicate && a.stored > 0)).toBe(true);
      expect(await serverKeys(tag)).toEqual([...keys].sort());
    } finally {
      await proxy.close();
    }
  });

  it('backs off through 500s and delivers once the server answers again', async () => {
    const { log, keys, tag } = logOf(700);
    let failures = 0;
    const proxy = await startFaultProxy(
      () => server.port,
      (line) => (line.startsWith('POST /v1/events') && failures++ < 3 ? 'fail-500' : 'pass'),
    );
    try {
      const s = await sync(log, { base: proxy.url, random: () => 0.5 });
      const first = await s.flush();
      expect(first.pending).toBe(700);
      expect(first.lastError).toEqual({ name: 'SyncHttpError', message: 'server answered 500 proxy_failure: the proxy answered 500 on purpose' });
      expect(first.retryAt).not.toBeNull();
      await drain(s);
      expect(failures).toBeGreaterThanOrEqual(3);
      expect(await serverKeys(tag)).toEqual([...keys].sort());
    } finally {
      await proxy.close();
    }
  });

  it('resends the same batch after a reload mid-batch (the answer lost): acknowledged as a duplicate, stored once', async () => {
    const { log, keys, tag } = logOf(800);
    let first: Sync | null = null;
    let lostBody: string | null = null;
    const a = await sync(log, {
      fetch: async (url, init) => {
        const res = await fetch(url, init);
        if (url.endsWith('/v1/events') && lostBody === null) {
          // The server committed the batch; the tab closes before it reads the answer.
          lostBody = init.body as string;
          void first?.stop();
          throw new TypeError('the page was closed');
        }
        return res;
      },
    });
    first = a;
    await a.flush();
    await a.stop();
    expect(log.outbox()).toHaveLength(1);
    expect(log.outbox()[0]!.body).toBe(lostBody);

    // A new queue over the same log (the reloaded page).
    const outcomes: SendOutcome[] = [];
    const bodies: string[] = [];
    const b = await sync(log, {
      onOutcome: (_id, o) => void outcomes.push(o),
      fetch: (url, init) => {
        if (url.endsWith('/v1/events')) bodies.push(init.body as string);
        return fetch(url, init);
      },
    });
    expect((await b.flush()).pending).toBe(0);
    expect(bodies[0]).toBe(lostBody);
    const batch = JSON.parse(lostBody!) as EventBatch;
    expect(outcomes[0]).toEqual({ kind: 'ack', ack: { batchId: batch.batchId, stored: 0, duplicate: true } });
    expect(outcomes[1]).toMatchObject({ kind: 'ack', ack: { stored: 300, duplicate: false } });
    expect(await serverKeys(tag)).toEqual([...keys].sort());
  });

  it('replays one batch many times at once and gets it stored once', async () => {
    const { log, tag } = logOf(10);
    const s = await sync(log);
    expect((await s.flush()).pending).toBe(0);
    // One batch sent six times at once, as racing tabs or a retry storm would.
    const token = ((await (await fetch(`${server.url}/v1/tokens`, { method: 'POST', headers: { 'X-Ondeck-App': server.appKey } })).json()) as { token: string }).token;
    const replay: EventBatch = { batchId: `b_replay_${runs}_${Date.now()}`, mode: 'pseudonymous', releaseId: null, feed: 'sync-test', installId: 'i_replay', events: [{ type: 'click', itemId: `${tag}-replayed`, at: T0 }] };
    const answers = await Promise.all(
      Array.from({ length: 6 }, () =>
        fetch(`${server.url}/v1/events`, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` }, body: JSON.stringify(replay) }).then(
          async (r) => ({ status: r.status, ack: (await r.json()) as BatchAck }),
        ),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(answers.filter((a) => !a.ack.duplicate).map((a) => a.ack.stored)).toEqual([1]);
    const held = await serverKeys(tag);
    expect(held.filter((k) => k.startsWith(`${tag}-replayed|`))).toEqual([key(`${tag}-replayed`, 'click', T0)]);
    expect(held).toHaveLength(11);
  });

  it('sets a batch the server refuses aside (dead letter), counted, and delivers the ones around it', async () => {
    const { log, keys, tag } = logOf(3);
    const s = await sync(log);
    expect((await s.flush()).pending).toBe(0);
    // An event time the server refuses (after 2100): the whole batch is refused, for good.
    log.append({ type: 'click', itemId: `${tag}-bad`, at: Date.UTC(2150, 0, 1) });
    const refused = await s.flush();
    expect(refused).toMatchObject({ pending: 0, rejected: 1, lastError: { name: 'SyncRejectedError' } });
    expect(refused.lastError!.message).toMatch(/^server answered 400/);
    expect(log.outbox()).toEqual([expect.objectContaining({ state: 'rejected', events: 1, rejection: expect.objectContaining({ status: 400 }) })]);
    log.append({ type: 'like', itemId: `${tag}-3`, at: T0 + 3 });
    const after = await s.flush();
    expect(after).toMatchObject({ pending: 0, rejected: 1, lastError: null });
    expect(await serverKeys(tag)).toEqual([...keys, key(`${tag}-3`, 'like', T0 + 3)].sort());
  });

  it('keeps events pending when the app key is refused', async () => {
    const { log } = logOf(4);
    const s = await startSync({ log, sync: { server: server.url, appKey: 'not-an-app', mode: 'pseudonymous' }, database: 'refused', tunables: { backoffBaseMs: 1000 } });
    syncs.push(s);
    const status = await s.flush();
    expect(status).toMatchObject({ pending: 4, rejected: 0, lastError: { name: 'SyncAuthError' } });
    expect(log.outbox()).toEqual([expect.objectContaining({ state: 'pending', events: 4 })]);
  });

  it('sends aggregate counters: exact without noise, the noisy values as drawn with epsilon', async () => {
    const feed = `agg-${Date.now()}`;
    const { log } = logOf(40); // 10 each of impression, click, watch (30..36 s), like
    // Exact: local-DP noise (on by default) turned off.
    const s = await sync(log, { mode: 'aggregate', feed, epsilon: null });
    expect((await s.flush()).pending).toBe(0);
    const metrics = async () => {
      const res = await fetch(`${server.url}/v1/metrics`);
      const m = (await res.json()) as { feeds: { feed: string; impressions: number; clicks: number; watches: number; watchSeconds: number }[] };
      return m.feeds.find((f) => f.feed === feed);
    };
    let watchSeconds = 0;
    for (let i = 2; i < 40; i += 4) watchSeconds += 30 + (i % 7);
    expect(await metrics()).toMatchObject({ impressions: 10, clicks: 10, watches: 10, watchSeconds });

    // With epsilon, into a feed of its own: the server holds the sum of exactly what was sent.
    const noisyFeed = `${feed}-dp`;
    const sent: EventBatch[] = [];
    const noisy = logOf(40);
    const d = await sync(noisy.log, {
      mode: 'aggregate',
      epsilon: 1,
      feed: noisyFeed,
      noiseRandom: mulberry32(2024),
      // Packed into one batch (the default is one item per noisy batch), so its sums compare at once.
      tunables: { backoffBaseMs: 20, backoffMaxMs: 200, requestTimeoutMs: 10_000, batchesPerToken: 1000, aggregateRowsPerBatch: 500 },
      fetch: (url, init) => {
        if (url.endsWith('/v1/events')) sent.push(JSON.parse(init.body as string) as EventBatch);
        return fetch(url, init);
      },
    });
    expect((await d.flush()).pending).toBe(0);
    expect(sent).toHaveLength(1);
    const batch = sent[0]!;
    if (batch.mode !== 'aggregate') throw new Error('expected an aggregate batch');
    expect(batch.noise).toEqual({ mechanism: 'geometric', epsilon: 1 });
    expect(batch.counts).toHaveLength(40);
    const sum = (k: 'impressions' | 'clicks' | 'watches') => batch.counts.reduce((n, r) => n + r[k], 0);
    const res = await fetch(`${server.url}/v1/metrics`);
    const row = ((await res.json()) as { feeds: { feed: string; impressions: number; clicks: number; watches: number }[] }).feeds.find((f) => f.feed === noisyFeed);
    expect(row).toMatchObject({ impressions: sum('impressions'), clicks: sum('clicks'), watches: sum('watches') });
    // Each item had one event, so exact rows have one counter at 1 and the rest at 0: noise
    // leaves a row unchanged with chance ((1-α)/(1+α))^6 ≈ 1 %.
    const exact = new Map<string, string>();
    for (const e of noisy.log.events()) exact.set(e.itemId, e.type);
    const changed = batch.counts.filter((r) => {
      const type = exact.get(r.itemId)!;
      const want = (name: string) => (name === `${type}s` ? 1 : 0);
      return (['impressions', 'clicks', 'watches', 'likes', 'hides', 'skips'] as const).some((c) => r[c] !== want(c));
    });
    expect(changed.length).toBeGreaterThan(30);
  });
});
