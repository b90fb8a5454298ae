import { describe, expect, it } from 'vitest';

describe('the test page', () => {
  it('is isolated exactly when the project serves COOP/COEP', () => {
    const project = (globalThis as { __vitest_worker__?: { ctx?: { projectName?: string } } }).__vitest_worker__?.ctx?.projectName;
    console.log('project', project, 'isolated', crossOriginIsolated, typeof SharedArrayBuffer);
    expect(typeof indexedDB).toBe('object');
  });
  it('has a WebGPU adapter', async () => {
    const adapter = await navigator.gpu?.requestAdapter();
    console.log('adapter', adapter?.info?.vendor, adapter?.info?.architecture);
    expect(adapter).toBeTruthy();
  });
});
