import { describe, expect, inject, it } from 'vitest';

describe('the test page', () => {
  it('is cross-origin isolated exactly when served with COOP/COEP', () => {
    expect(crossOriginIsolated).toBe(inject('isolated'));
    // Threads in onnxruntime-web need SharedArrayBuffer, which only isolation exposes.
    expect(typeof SharedArrayBuffer).toBe(inject('isolated') ? 'function' : 'undefined');
  });

  it('has IndexedDB, workers and Cache Storage', () => {
    expect(typeof indexedDB.open).toBe('function');
    expect(typeof Worker).toBe('function');
    expect(typeof caches.open).toBe('function');
  });

  it('gets a WebGPU adapter (software here) that runs a compute shader', async () => {
    const adapter = await navigator.gpu.requestAdapter();
    expect(adapter).not.toBeNull();
    const device = await adapter!.requestDevice();
    // The DOM lib types the WebGPU interfaces but not these constant namespaces.
    const { GPUBufferUsage, GPUMapMode } = globalThis as unknown as {
      GPUBufferUsage: Record<'STORAGE' | 'COPY_SRC' | 'COPY_DST' | 'MAP_READ', number>;
      GPUMapMode: { READ: number };
    };
    // Doubles 4 floats on the GPU: proves the adapter computes, not just that it exists.
    const module = device.createShaderModule({
      code: `@group(0) @binding(0) var<storage, read_write> data: array<f32>;
             @compute @workgroup_size(4) fn main(@builtin(global_invocation_id) id: vec3u) { data[id.x] = data[id.x] * 2.0; }`,
    });
    const pipeline = device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' } });
    const input = new Float32Array([1, 2.5, -3, 4]);
    const storage = device.createBuffer({ size: 16, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
    device.queue.writeBuffer(storage, 0, input);
    const readback = device.createBuffer({ size: 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    const bind = device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries: [{ binding: 0, resource: { buffer: storage } }] });
    const enc = device.createCommandEncoder();
    const pass = enc.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bind);
    pass.dispatchWorkgroups(1);
    pass.end();
    enc.copyBufferToBuffer(storage, 0, readback, 0, 16);
    device.queue.submit([enc.finish()]);
    await readback.mapAsync(GPUMapMode.READ);
    expect([...new Float32Array(readback.getMappedRange())]).toEqual([2, 5, -6, 8]);
    device.destroy();
  });
});

describe('the fixture release', () => {
  it('is served to the page: a valid manifest whose artifacts download', async () => {
    const { parseManifest } = await import('../../src/core/release/index.ts');
    const url = inject('fixtureRelease');
    const manifest = parseManifest(await (await fetch(url)).json());
    const head = manifest.artifacts.find((a) => a.kind === 'shard' && a.cluster === -1)!;
    const bytes = await (await fetch(new URL(head.url, new URL(url, location.href)))).arrayBuffer();
    expect(bytes.byteLength).toBe(head.bytes);
  });
});
