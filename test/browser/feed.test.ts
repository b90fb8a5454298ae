// The whole device path in a real page: createFeed() -> worker (comlink) -> release (verified,
// cached) -> IndexedDB history -> user tower -> retrieval -> DCN -> re-ranking.
import { describe, expect, inject, it } from 'vitest';
import { createFeed } from '../../src/client/index.ts';

const release = inject('fixtureRelease');
const releaseKey = inject('releaseKey');
let db = 0;
const database = () => `ondeck-feed-test-${Date.now()}-${db++}`;

describe('createFeed', () => {
  it('serves a feed to a new user from the head shard, then personalises it', async () => {
    const feed = await createFeed({ release, releaseKey, backend: 'js', database: database() });
    try {
      const status = await feed.status();
      expect(status.releaseId).toMatch(/^r-/);
      expect(status.backends.retrieval).toBe('js');
      expect(['webgpu', 'wasm']).toContain(status.backends.ranking);
      expect(status.historySize).toBe(0);

      const first = await feed.next({ count: 20 });
      expect(first).toHaveLength(20);
      expect(new Set(first.map((x) => x.id)).size).toBe(20);
      for (const x of first) {
        expect(x.title).not.toBe('');
        expect(x.pClick).toBeGreaterThan(0);
        expect(x.pClick).toBeLessThan(1);
        expect(x.reason.length).toBeGreaterThan(0);
      }

      for (const x of first.slice(0, 5)) {
        await feed.track({ type: 'impression', itemId: x.id });
        await feed.track({ type: 'click', itemId: x.id });
      }
      expect((await feed.status()).historySize).toBe(10);
      const second = await feed.next({ count: 20 });
      expect(second).toHaveLength(20);
      // Seen items never come back.
      const shown = new Set(first.slice(0, 5).map((x) => x.id));
      expect(second.filter((x) => shown.has(x.id))).toEqual([]);
      const timings = (await feed.status()).timings!;
      // Every stage reports its own time (status().timings), and the ranker's is never zero.
      expect(Object.keys(timings).sort()).toEqual(['modelMs', 'rankMs', 'rerankMs', 'retrieveMs', 'userVectorMs']);
      for (const ms of Object.values(timings)) expect(Number.isFinite(ms) && ms >= 0).toBe(true);
      expect(timings.retrieveMs).toBeGreaterThanOrEqual(0);
      expect(timings.rankMs).toBeGreaterThan(0);
      expect(timings.modelMs).toBeGreaterThan(0);
      expect(timings.modelMs).toBeLessThanOrEqual(timings.rankMs);
    } finally {
      await feed.forget();
      feed.close();
    }
  });

  it('rejects an invalid event by name, writing nothing', async () => {
    // Checked before storage or ranking is touched: the plain-JS ranker spares this worker the
    // WebGPU start (shaders compiled on SwiftShader), which timed this test out beside a heavy job.
    const feed = await createFeed({ release, releaseKey, backend: 'js', rankingProviders: ['js'], database: database() });
    try {
      // The error crosses the worker boundary with its name and its fields.
      await expect(feed.track({ type: 'purchase' as 'click', itemId: 'x' })).rejects.toMatchObject({ name: 'ValidationError', field: 'type' });
      await expect(feed.track({ type: 'click', itemId: '' })).rejects.toMatchObject({ name: 'ValidationError', field: 'itemId', message: expect.stringMatching(/^itemId: /) });
      expect((await feed.status()).historySize).toBe(0);
      await expect(feed.next({ count: 0 })).rejects.toThrow(/count: must be an integer from 1 to 200/);
      await expect(feed.next({ count: 0 })).rejects.toMatchObject({ name: 'ValidationError', field: 'count' });
    } finally {
      feed.close();
    }
  });
});
