// Issue 12: a WebGPU error during ranking (a validation error, as a node over the device's
// limits raises) must fail that run and move the feed to WASM, as a lost device does, with
// status() naming the provider and the reason; the items are then those of a WASM feed. Its own
// file: a fresh page whose onnxruntime-web owns the device this test breaks.
import * as ort from 'onnxruntime-web';
import { describe, expect, inject, it } from 'vitest';
import { FeedService } from '../../workers/feed/feed-service.ts';

const release = new URL(inject('fixtureRelease'), location.href).href;
const releaseKey = inject('releaseKey');
const NOW = Date.UTC(2025, 5, 1, 12);

describe('a WebGPU error during a run', () => {
  it('moves ranking to WASM, says why, and serves what WASM serves', async () => {
    const feed = new FeedService({ now: () => NOW });
    const status = await feed.init({ release, releaseKey, backend: 'js', rankingProviders: ['webgpu', 'wasm'], database: `gpu-error-${crypto.randomUUID()}` });
    expect(status.backends.ranking).toBe('webgpu');
    expect(status.verification).toMatchObject({ verified: true, fallbacks: [] });
    expect(status.verification!.ms).toBeGreaterThan(0);
    await feed.next({ count: 10 });

    // From now on every submit on onnxruntime's device comes with a validation error.
    const device = await ort.env.webgpu.device;
    const submit = device.queue.submit.bind(device.queue);
    device.queue.submit = (buffers: Iterable<GPUCommandBuffer>) => {
      device.createBuffer({ size: 4, usage: 0 }); // usage 0 is invalid: a validation error
      submit(buffers);
    };
    let after;
    try {
      after = await feed.next({ count: 10 });
    } finally {
      device.queue.submit = submit;
    }
    const s = await feed.status();
    expect(s.backends.ranking).toBe('wasm');
    const fallback = s.verification!.fallbacks.find((f) => f.stage === 'ranker')!;
    expect(fallback).toMatchObject({ stage: 'ranker', backend: 'webgpu', name: 'ModelGpuError' });
    expect(fallback.message).toMatch(/WebGPU validation error/);
    expect(s.verification!.verified).toBe(true);

    const cpu = new FeedService({ now: () => NOW });
    await cpu.init({ release, releaseKey, backend: 'js', rankingProviders: ['wasm'], database: `gpu-error-${crypto.randomUUID()}` });
    await cpu.next({ count: 10 });
    const expected = await cpu.next({ count: 10 });
    expect(after.map((x) => x.id)).toEqual(expected.map((x) => x.id));
    after.forEach((x, i) => expect(x.pClick).toBeCloseTo(expected[i]!.pClick, 4));
    await feed.forget();
    await cpu.forget();
  });
});
