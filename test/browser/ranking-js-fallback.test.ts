// Where WebAssembly cannot run (a CSP without 'wasm-unsafe-eval', iOS Lockdown Mode), the ranker
// falls back to the plain-JS runtime and says why. Its own file: this page's onnxruntime-web is
// pointed at wasm files that do not exist, as if the browser refused to compile them.
import * as ort from 'onnxruntime-web';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { buildFeatureTensors } from '../../src/core/features/index.ts';
import { parseManifest, type ReleaseManifest } from '../../src/core/release/index.ts';
import { configureOrt, createModelRunner } from '../../workers/ranking/index.ts';
import { FeedService } from '../../workers/feed/feed-service.ts';

const release = new URL(inject('fixtureRelease'), location.href).href;
const releaseKey = inject('releaseKey');
const ref = inject('deviceReference');
let manifest: ReleaseManifest;
let ranker: Uint8Array;

beforeAll(async () => {
  configureOrt({ isolated: inject('isolated') });
  ort.env.wasm.wasmPaths = { mjs: '/no-such-dir/ort.mjs', wasm: '/no-such-dir/ort.wasm' };
  manifest = parseManifest(await (await fetch(release)).json());
  const artifact = manifest.artifacts.find((a) => a.name === manifest.models.ranker.artifact)!;
  ranker = new Uint8Array(await (await fetch(new URL(artifact.url, release))).arrayBuffer());
});

describe('plain-JS ranking fallback', () => {
  it('falls back from wasm to js, recording why, and ranks', async () => {
    const r = await createModelRunner(ranker, manifest.models.ranker, { providers: ['wasm', 'js'] });
    try {
      expect(r.provider).toBe('js');
      expect(r.report.fallbacks.map((f) => f.provider)).toEqual(['wasm']);
      const p = (await r.run(buildFeatureTensors(manifest.featureSpec, [{}, {}], { now: ref.now }))).pClick!;
      expect(p).toHaveLength(2);
      for (const x of p) {
        expect(x).toBeGreaterThan(0);
        expect(x).toBeLessThan(1);
      }
    } finally {
      await r.dispose();
    }
  });

  it('serves the feed with the pipeline scores, within 1e-4, with no WebAssembly ranking', async () => {
    const feed = new FeedService({ now: () => ref.now });
    const status = await feed.init({ release, releaseKey, backend: 'js', database: `jsrank-${crypto.randomUUID()}` });
    // Default providers: webgpu may take the ranker where an adapter exists; ask for the chain
    // without it to see the wasm -> js fallback.
    expect(['webgpu', 'js']).toContain(status.backends.ranking);
    const cpu = new FeedService({ now: () => ref.now });
    const cpuStatus = await cpu.init({ release, releaseKey, backend: 'js', rankingProviders: ['wasm', 'js'], database: `jsrank-${crypto.randomUUID()}` });
    expect(cpuStatus.backends.ranking).toBe('js');
    try {
      for (const h of ref.history) await cpu.track({ type: h.type, itemId: h.itemId, at: h.at });
      const items = await cpu.next({ count: 20 });
      expect(items).toHaveLength(20);
      for (const x of items) expect(Math.abs(x.pClick - ref.pClick[x.id]!)).toBeLessThanOrEqual(1e-4);
    } finally {
      await feed.forget();
      await cpu.forget();
    }
  });
});
