// Feed latency on the device, in real headless Chromium: for each catalogue size (10k, 100k, 1M
// items, d=64) and each backend, retrieve 500, rank 500 with the DCN, re-rank to 50; and cold
// start from a cached release and from an empty cache over loopback.
// Run by `npm run bench` (test/bench/device.ts); writes test/bench/.results/feed-<isolation>.json.
import { commands } from 'vitest/browser';
import { expect, inject, it } from 'vitest';
import type { BackendChoice, FeedItem, FeedOptions, RankingProvider } from '../../../src/core/feed/index.ts';
import { FeedService } from '../../../workers/feed/feed-service.ts';
import { createFeed } from '../../../src/client/index.ts';

type Stage = 'userVectorMs' | 'retrieveMs' | 'rankMs' | 'modelMs' | 'rerankMs';
/** modelMs is part of rankMs (the ranker's run; the rest is the candidates' features). */
const STAGES: Stage[] = ['userVectorMs', 'retrieveMs', 'rankMs', 'modelMs', 'rerankMs'];

function stats(xs: number[]): { p50: number; p95: number } {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * (s.length - 1) + 0.5))]!;
  return { p50: q(0.5), p95: q(0.95) };
}

const quick = inject('benchQuick');
const releases = inject('benchReleases');
const releaseKey = inject('releaseKey');

/** Backends as a device offers them: WebGPU here is Chromium's software adapter (SwiftShader). */
const CASES: Array<{ name: string; backend: BackendChoice; ranking: RankingProvider[]; runs: number }> = [
  { name: 'wasm', backend: 'wasm', ranking: ['wasm'], runs: quick ? 15 : 40 },
  { name: 'js', backend: 'js', ranking: ['wasm'], runs: quick ? 10 : 25 },
  // No WebAssembly at all: js retrieval and the plain-JS ranker.
  { name: 'jsOnly', backend: 'js', ranking: ['js'], runs: quick ? 5 : 15 },
  { name: 'webgpu', backend: 'webgpu', ranking: ['webgpu'], runs: quick ? 2 : 4 },
];

type FeedCase = (typeof CASES)[number];

interface Running {
  c: FeedCase;
  feed: FeedService;
  shown: FeedItem[];
  total: number[];
  stages: Record<Stage, number[]>;
}

async function startFeed(release: string, c: FeedCase): Promise<Running> {
  const options: FeedOptions = { release, releaseKey, backend: c.backend, rankingProviders: c.ranking, database: `bench-${crypto.randomUUID()}` };
  const feed = new FeedService();
  await feed.init(options);
  let shown = await feed.next({ count: 50 });
  for (const x of shown.slice(0, 10)) await feed.track({ type: 'click', itemId: x.id });
  const warmups = c.name === 'webgpu' ? 1 : 5;
  for (let i = 0; i < warmups; i++) shown = await feed.next({ count: 50 });
  return { c, feed, shown, total: [], stages: Object.fromEntries(STAGES.map((s) => [s, [] as number[]])) as Record<Stage, number[]> };
}

/**
 * One timed feed. Every feed follows an interaction (untimed), as when a user scrolls and taps:
 * the history changes each time, so no feed reuses the previous user vector.
 */
async function timeOne(x: Running, i: number): Promise<void> {
  await x.feed.track({ type: i % 4 === 0 ? 'click' : 'impression', itemId: x.shown[i % x.shown.length]!.id });
  const t0 = performance.now();
  x.shown = await x.feed.next({ count: 50 });
  x.total.push(performance.now() - t0);
  expect(x.shown).toHaveLength(50);
  const timings = (await x.feed.status()).timings!;
  for (const s of STAGES) x.stages[s].push(timings[s]);
}

/** The figures of `x`'s samples; `last` is the feed still open (its status, then forgotten). */
async function finish(x: Running, last: Running) {
  const status = await last.feed.status();
  await last.feed.forget();
  return {
    backends: status.backends,
    runs: x.total.length,
    next: stats(x.total),
    stages: Object.fromEntries(STAGES.map((s) => [s, stats(x.stages[s])])),
  };
}

/**
 * The cases of one catalogue size, each run in two halves: in CASES order, then in reverse, so
 * no case always runs first (on a page still warming up) or last. One feed at a time: feeds side
 * by side would time each other's background work (history writes, sync). WebGPU (SwiftShader,
 * seconds per call) runs alone after them.
 */
async function measureSize(release: string): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  const cpu = CASES.filter((c) => c.name !== 'webgpu');
  const samples = new Map<string, Running>();
  for (const [half, order] of [cpu, [...cpu].reverse()].entries()) {
    for (const c of order) {
      if (c.name in out) continue; // failed in the first half
      try {
        const x = await startFeed(release, c);
        const runs = half === 0 ? Math.ceil(c.runs / 2) : Math.floor(c.runs / 2);
        for (let i = 0; i < runs; i++) await timeOne(x, i);
        const before = samples.get(c.name);
        if (before) {
          before.total.push(...x.total);
          for (const st of STAGES) before.stages[st].push(...x.stages[st]);
        }
        samples.set(c.name, before ?? x);
        if (half === 1 || c.runs === 1) out[c.name] = await finish(samples.get(c.name)!, x);
        else await x.feed.forget();
      } catch (err) {
        out[c.name] = { error: `${(err as Error).name}: ${(err as Error).message}` };
      }
    }
  }
  for (const c of CASES.filter((c) => c.name === 'webgpu')) {
    try {
      const x = await startFeed(release, c);
      for (let i = 0; i < c.runs; i++) await timeOne(x, i);
      out[c.name] = await finish(x, x);
    } catch (err) {
      out[c.name] = { error: `${(err as Error).name}: ${(err as Error).message}` };
    }
  }
  return out;
}

it('measures next() by catalogue size and backend, and cold start', async () => {
  const feed: Record<string, Record<string, unknown>> = {};
  for (const [size, url] of Object.entries(releases)) {
    feed[size] = await measureSize(new URL(url, location.href).href);
  }

  // Through the worker, as a page runs it (createFeed: comlink over postMessage): the difference
  // from the in-page figure of the same case is the transfer cost.
  const workerSize = releases['100k'] ? '100k' : Object.keys(releases)[0]!;
  const viaWorker = await createFeed({ release: releases[workerSize]!, releaseKey, backend: 'wasm', rankingProviders: ['wasm'], database: `bench-${crypto.randomUUID()}` });
  let shownW = await viaWorker.next({ count: 50 });
  for (const x of shownW.slice(0, 10)) await viaWorker.track({ type: 'click', itemId: x.id });
  for (let i = 0; i < 5; i++) shownW = await viaWorker.next({ count: 50 });
  const workerTotal: number[] = [];
  const workerInside: number[] = [];
  for (let i = 0; i < (quick ? 15 : 40); i++) {
    await viaWorker.track({ type: i % 4 === 0 ? 'click' : 'impression', itemId: shownW[i % shownW.length]!.id });
    const t0 = performance.now();
    shownW = await viaWorker.next({ count: 50 });
    workerTotal.push(performance.now() - t0);
    const tm = (await viaWorker.status()).timings!;
    workerInside.push(tm.userVectorMs + tm.retrieveMs + tm.rankMs + tm.rerankMs);
  }
  await viaWorker.forget();
  viaWorker.close();
  const transfer = workerTotal.map((x, i) => x - workerInside[i]!);

  // Cold start on the 100k release: from an empty cache over loopback (download, verify, cache,
  // init, first feed), then from the cached release as after a reload (network cut).
  const release = new URL(releases['100k'] ?? Object.values(releases)[0]!, location.href).href;
  for (const key of await caches.keys()) await caches.delete(key);
  const database = `bench-${crypto.randomUUID()}`;
  const options: FeedOptions = { release, releaseKey, backend: 'wasm', rankingProviders: ['wasm'], database };
  let t = performance.now();
  const first = new FeedService();
  await first.init(options);
  await first.next({ count: 50 });
  const emptyCacheMs = performance.now() - t;
  const cold = new FeedService({ fetch: () => Promise.reject(new TypeError('offline: cold start from cache')) });
  t = performance.now();
  await cold.init(options);
  await cold.next({ count: 50 });
  const cachedMs = performance.now() - t;
  // The golden-vector checks (ranker, user tower, retrieval) inside that cold start.
  const verificationMs = (await cold.status()).verification?.ms ?? 0;
  await first.forget();

  const result = {
    crossOriginIsolated,
    userAgent: navigator.userAgent,
    feed,
    worker: { size: workerSize, next: stats(workerTotal), transfer: stats(transfer) },
    coldStart: { cachedMs, emptyCacheMs, verificationMs, size: releases['100k'] ? '100k' : Object.keys(releases)[0] },
  };
  console.log(JSON.stringify(result));
  await commands.writeFile(`test/bench/.results/feed-${crossOriginIsolated ? 'isolated' : 'plain'}.json`, JSON.stringify(result, null, 2));
}, 600_000);
