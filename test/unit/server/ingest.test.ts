import { afterAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../../src/server/store/index.ts';
import { startServer } from '../../../src/server/index.ts';
import { SECRET, T0, aggregate, deviceToken, events, keyAuth, postEvents, pseudonymous, tempDir, testServer } from '../../support/server-app.ts';

const tmp = tempDir('ondeck-ingest-');
afterAll(() => tmp.remove());

describe('POST /v1/events', () => {
  it('acknowledges a batch after storing it, and a replay as duplicate without storing it again', async () => {
    const s = await testServer();
    const token = await deviceToken(s.app);
    const batch = pseudonymous('batch-http-01', events(25));
    const first = await postEvents(s.app, batch, { authorization: `Bearer ${token}` });
    expect(first.statusCode).toBe(200);
    expect(first.json()).toEqual({ batchId: 'batch-http-01', stored: 25, duplicate: false });
    const again = await postEvents(s.app, batch, { authorization: `Bearer ${token}` });
    expect(again.json()).toEqual({ batchId: 'batch-http-01', stored: 0, duplicate: true });
    expect(await s.store.stats()).toMatchObject({ batches: 1, events: 25 });
    await s.close();
  });

  it('takes aggregate batches, with and without local-DP noise', async () => {
    const s = await testServer();
    const exact = aggregate('batch-agg-001', [{ itemId: 'a', day: '2026-11-20', impressions: 3, clicks: 1 }]);
    expect((await postEvents(s.app, exact)).json()).toEqual({ batchId: 'batch-agg-001', stored: 1, duplicate: false });
    const noisy = aggregate('batch-agg-002', [{ itemId: 'a', day: '2026-11-20', impressions: -1.5, clicks: 0.25 }], { noise: { mechanism: 'geometric', epsilon: 1 } });
    expect((await postEvents(s.app, noisy)).statusCode).toBe(200);
    const [a] = (await s.app.inject({ method: 'GET', url: '/v1/items/features', headers: keyAuth })).json() as Array<{ impressions: number; clicks: number }>;
    expect(a).toMatchObject({ impressions: 1.5, clicks: 1.25 });
    await s.close();
  });

  it('stores concurrent replays over real sockets exactly once', async () => {
    const store = await openSqliteStore(`${tmp.dir}/concurrent.sqlite`);
    const server = await startServer({ store, secretKey: SECRET, port: 0, host: '127.0.0.1', onInternalError: () => {} });
    try {
      const batches = Array.from({ length: 8 }, (_, i) => JSON.stringify(pseudonymous(`batch-sock-${i}0`, events(50, T0 + i))));
      const posts = [];
      for (let round = 0; round < 4; round++) {
        for (const body of batches) {
          posts.push(fetch(`${server.url}/v1/events`, { method: 'POST', headers: { ...keyAuth, 'content-type': 'application/json' }, body }).then((r) => r.json()));
        }
      }
      const acks = (await Promise.all(posts)) as Array<{ batchId: string; stored: number; duplicate: boolean }>;
      expect(acks.filter((a) => !a.duplicate).map((a) => a.batchId).sort()).toEqual(Array.from({ length: 8 }, (_, i) => `batch-sock-${i}0`));
      expect(acks.filter((a) => !a.duplicate).every((a) => a.stored === 50)).toBe(true);
      expect(acks.filter((a) => a.duplicate)).toHaveLength(24);
      expect(await store.stats()).toMatchObject({ batches: 8, events: 400 });
    } finally {
      await server.close();
      await store.close();
    }
  });

  it('keeps every acknowledged batch when the server and the store are closed and reopened', async () => {
    const db = `${tmp.dir}/durable.sqlite`;
    const s = await testServer({ db });
    const acked: string[] = [];
    await Promise.all(
      Array.from({ length: 10 }, async (_, i) => {
        const r = await postEvents(s.app, pseudonymous(`batch-dura-${i}`, events(10, T0 + i * 100_000)));
        if (r.statusCode === 200) acked.push(`batch-dura-${i}`);
      }),
    );
    expect(acked).toHaveLength(10);
    await s.close();
    const reopened = await testServer({ db });
    const lines = (await reopened.app.inject({ method: 'GET', url: '/v1/export/events?limit=1000', headers: keyAuth })).body.trim().split('\n');
    expect(lines).toHaveLength(100);
    // Each acknowledged batch, sent again as it was, is recognised as a replay.
    for (const id of acked) {
      const i = Number(id.slice('batch-dura-'.length));
      expect((await postEvents(reopened.app, pseudonymous(id, events(10, T0 + i * 100_000)))).json()).toMatchObject({ duplicate: true });
    }
    await reopened.close();
  });
});
