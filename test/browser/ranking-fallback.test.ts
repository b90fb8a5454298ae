// Provider fallback: on a device whose WebGPU gives no adapter (blocklisted GPU, old driver), the
// runner must fall back to WASM and say why. Its own file, so its page has a fresh
// onnxruntime-web that never saw a working adapter.
import * as ort from 'onnxruntime-web';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { buildFeatureTensors } from '../../src/core/features/index.ts';
import { parseManifest, type ReleaseManifest } from '../../src/core/release/index.ts';
import { configureOrt, createModelRunner } from '../../workers/ranking/index.ts';

let manifest: ReleaseManifest;
let ranker: Uint8Array;

beforeAll(async () => {
  // As on such a device: navigator.gpu exists, but requestAdapter() resolves null.
  const gpu = navigator.gpu as GPU & { requestAdapter: GPU['requestAdapter'] };
  gpu.requestAdapter = async () => null;
  configureOrt({ isolated: inject('isolated') });
  const manifestUrl = new URL(inject('fixtureRelease'), location.href);
  manifest = parseManifest(await (await fetch(manifestUrl)).json());
  const artifact = manifest.artifacts.find((a) => a.name === manifest.models.ranker.artifact)!;
  ranker = new Uint8Array(await (await fetch(new URL(artifact.url, manifestUrl))).arrayBuffer());
});

describe('provider fallback', () => {
  it('falls back from webgpu to wasm, recording why', async () => {
    const r = await createModelRunner(ranker, manifest.models.ranker);
    try {
      expect(r.provider).toBe('wasm');
      expect(r.report.fallbacks).toHaveLength(1);
      expect(r.report.fallbacks[0]!.provider).toBe('webgpu');
      expect(r.report.fallbacks[0]!.message).toMatch(/adapter/i);
      expect(r.report.threads).toBe(inject('isolated') ? 2 : 1);
      // And it ranks: a row with every feature missing still gets a probability.
      const p = (await r.run(buildFeatureTensors(manifest.featureSpec, [{}], { now: Date.UTC(2026, 10, 22) }))).pClick!;
      expect(p.length).toBe(1);
      expect(p[0]).toBeGreaterThan(0);
      expect(p[0]).toBeLessThan(1);
    } finally {
      await r.dispose();
    }
  });

  it('fails with every reason when no provider in the list can start', async () => {
    const err = await createModelRunner(ranker, manifest.models.ranker, { providers: ['webgpu'] }).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'ModelSessionError', failures: [{ provider: 'webgpu' }] });
    expect((err as Error).message).toMatch(/^model "ranker": no execution provider could create a session \(webgpu: /);
    // The failed provider leaves onnxruntime usable for the next one.
    expect(ort.env.wasm.proxy).toBe(false);
    const r = await createModelRunner(ranker, manifest.models.ranker, { providers: ['wasm'] });
    expect(r.provider).toBe('wasm');
    await r.dispose();
  });
});
