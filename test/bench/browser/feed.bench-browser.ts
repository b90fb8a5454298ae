// Feed latency on the device: a 100k-item release (d=64), retrieve 500, rank 500 with the DCN,
// re-rank to 50, in real headless Chromium, WASM path; and cold start from a cached release.
// Run by `npm run bench`; writes its figures to test/bench/.results/feed.json.
import { commands } from 'vitest/browser';
import { expect, inject, it } from 'vitest';
import { FeedService } from '../../../workers/feed/index.ts';

const release = new URL(inject('benchRelease'), location.href).href;

function stats(xs: number[]): { p50: number; p95: number } {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * (s.length - 1) + 0.5))]!;
  return { p50: q(0.5), p95: q(0.95) };
}

it('measures next() and cold start', async () => {
  const database = `bench-${crypto.randomUUID()}`;
  const options = { release, backend: 'wasm' as const, rankingProviders: ['wasm' as const], database };
  // First visit: downloads and caches the release.
  const first = new FeedService();
  let t = performance.now();
  await first.init(options);
  const firstVisitMs = performance.now() - t;
  const items = await first.next({ count: 50 });
  for (const x of items.slice(0, 10)) await first.track({ type: 'click', itemId: x.id });

  // Cold start from the cached release: a fresh service (as after a reload) to its first feed.
  const cold = new FeedService({ fetch: () => Promise.reject(new TypeError('offline: cold start from cache')) });
  t = performance.now();
  await cold.init(options);
  await cold.next({ count: 50 });
  const coldStartMs = performance.now() - t;

  const total: number[] = [];
  const stages: Record<'userVectorMs' | 'retrieveMs' | 'rankMs' | 'rerankMs', number[]> = { userVectorMs: [], retrieveMs: [], rankMs: [], rerankMs: [] };
  for (let i = 0; i < 5; i++) await cold.next({ count: 50 });
  // Every feed follows an interaction (untimed), as when a user scrolls and taps: the history
  // changes each time, so no feed reuses the previous user vector.
  let shown = await cold.next({ count: 50 });
  for (let i = 0; i < 40; i++) {
    await cold.track({ type: i % 4 === 0 ? 'click' : 'impression', itemId: shown[i % shown.length]!.id });
    const t0 = performance.now();
    const feed = await cold.next({ count: 50 });
    shown = feed;
    total.push(performance.now() - t0);
    expect(feed).toHaveLength(50);
    const timings = (await cold.status()).timings!;
    for (const k of Object.keys(stages) as (keyof typeof stages)[]) stages[k].push(timings[k]);
  }
  const status = await cold.status();
  const result = {
    items: 100_000,
    dim: 64,
    backends: status.backends,
    crossOriginIsolated,
    firstVisitMs,
    coldStartMs,
    next: stats(total),
    stages: Object.fromEntries(Object.entries(stages).map(([k, v]) => [k, stats(v)])),
  };
  console.log(JSON.stringify(result));
  await commands.writeFile(`test/bench/.results/feed-${crossOriginIsolated ? 'isolated' : 'plain'}.json`, JSON.stringify(result, null, 2));
  await first.forget();
}, 300_000);
