// Device scores equal pipeline scores: for the fixed history and clock of device-reference.ts,
// the feed worker's service (run in the page, with an injected clock) must give every item it
// serves the P(click) Node computed, within 1e-4, on every retrieval backend and provider.
import { describe, expect, inject, it } from 'vitest';
import { FeedService } from '../../workers/feed/feed-service.ts';

const release = new URL(inject('fixtureRelease'), location.href).href;
const releaseKey = inject('releaseKey');
const ref = inject('deviceReference');

const combos = [
  { backend: 'js', providers: ['wasm'] },
  { backend: 'wasm', providers: ['wasm'] },
  { backend: 'webgpu', providers: ['webgpu'] },
  // The plain-JS ranker (no WebAssembly at all: js retrieval too).
  { backend: 'js', providers: ['js'] },
] as const;

describe('device vs pipeline parity', () => {
  it.each(combos)('retrieval $backend, ranking $providers', async ({ backend, providers }) => {
    const feed = new FeedService({ now: () => ref.now });
    const database = `parity-${backend}-${crypto.randomUUID()}`;
    const status = await feed.init({ release, releaseKey, backend, rankingProviders: providers, database });
    expect(status.backends).toEqual({ retrieval: backend, ranking: providers[0] });
    try {
      for (const h of ref.history) await feed.track({ type: h.type, itemId: h.itemId, at: h.at });
      const items = await feed.next({ count: 20 });
      expect(items).toHaveLength(20);
      let worst = 0;
      for (const x of items) {
        const expected = ref.pClick[x.id];
        expect(expected, x.id).toBeTypeOf('number');
        worst = Math.max(worst, Math.abs(x.pClick - expected!));
      }
      console.log(`parity ${backend}/${providers[0]}: max |Δ pClick| = ${worst.toExponential(2)} over ${items.length} items`);
      expect(worst).toBeLessThanOrEqual(1e-4);
      // The history's items are seen: never served again.
      const served = new Set(items.map((x) => x.id));
      for (const h of ref.history) expect(served.has(h.itemId)).toBe(false);
    } finally {
      await feed.forget();
    }
  });
});
