// A WebGPU device can be lost at any time (driver reset, GPU process crash). The feed must go on:
// the ranker is recreated on WASM and status() says so. Its own file: a fresh page whose
// onnxruntime-web owns the device this test destroys.
import * as ort from 'onnxruntime-web';
import { describe, expect, inject, it } from 'vitest';
import { FeedService } from '../../workers/feed/feed-service.ts';

const release = new URL(inject('fixtureRelease'), location.href).href;
const releaseKey = inject('releaseKey');
const NOW = Date.UTC(2025, 5, 1, 12);

describe('WebGPU device loss', () => {
  it('recreates the ranker on WASM and keeps serving', async () => {
    const feed = new FeedService({ now: () => NOW });
    const status = await feed.init({ release, releaseKey, backend: 'js', rankingProviders: ['webgpu', 'wasm'], database: `loss-${crypto.randomUUID()}` });
    // This machine's headless Chromium has a (software) WebGPU adapter; the test needs it.
    expect(status.backends.ranking).toBe('webgpu');
    const before = await feed.next({ count: 10 });
    expect(before).toHaveLength(10);

    const device = await ort.env.webgpu.device;
    device.destroy();
    await device.lost;

    const after = await feed.next({ count: 10 });
    expect((await feed.status()).backends.ranking).toBe('wasm');
    // The same as a feed that ran on WASM all along (its second feed: the re-ranker's exploration
    // seed moves with each feed), within float tolerance.
    const cpu = new FeedService({ now: () => NOW });
    await cpu.init({ release, releaseKey, backend: 'js', rankingProviders: ['wasm'], database: `loss-${crypto.randomUUID()}` });
    await cpu.next({ count: 10 });
    const expected = await cpu.next({ count: 10 });
    expect(after.map((x) => x.id)).toEqual(expected.map((x) => x.id));
    after.forEach((x, i) => expect(x.pClick).toBeCloseTo(expected[i]!.pClick, 4));
    await feed.forget();
    await cpu.forget();
  });
});
