// Issue 17, point 3: the device serves a release `ondeck release` made from models trained
// elsewhere (test/support/imported-release.ts: an opset-17 ONNX ranker and user tower written
// the way torch.onnx.export lays them out, Gemm with transB = 1, embeddings from a .npy). Every
// ranking provider and retrieval backend reproduces its golden vectors, and a whole feed is
// served from it with the check passed.
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createFeed } from '../../src/client/index.ts';
import { RANKING_PROVIDERS, RETRIEVAL_BACKENDS } from '../../src/core/feed/index.ts';
import { parseManifest, shardArtifacts, type ReleaseManifest } from '../../src/core/release/index.ts';
import { RELEASE_CONTRACT_DEFAULTS } from '../../src/core/release/defaults.ts';
import { decodeShard } from '../../src/core/shard/index.ts';
import { configureOrt, createModelRunner } from '../../workers/ranking/index.ts';
import { chooseRetrievalBackend, detectCapabilities } from '../../workers/retrieval/index.ts';

const release = inject('importedRelease');
const releaseKey = inject('releaseKey');
const lines: string[] = [];
afterAll(() => console.log(lines.join('\n')));
configureOrt({ isolated: inject('isolated') });

let loaded: Promise<{ manifest: ReleaseManifest; bytes(name: string): Promise<Uint8Array> }> | null = null;
function load() {
  loaded ??= (async () => {
    const url = new URL(release, location.href);
    const manifest = parseManifest(await (await fetch(url)).json());
    const bytes = async (name: string) => new Uint8Array(await (await fetch(new URL(manifest.artifacts.find((a) => a.name === name)!.url, url))).arrayBuffer());
    return { manifest, bytes };
  })();
  return loaded;
}

describe('a release imported with ondeck release', () => {
  it.each(RANKING_PROVIDERS)('ranking provider %s reproduces the foreign ranker and user tower', async (provider) => {
    const { manifest, bytes } = await load();
    for (const role of ['ranker', 'userTower'] as const) {
      const model = manifest.models[role]!;
      expect(model.golden).toBeDefined();
      const r = await createModelRunner(await bytes(model.artifact), model, { providers: [provider] });
      try {
        expect(r.provider).toBe(provider);
        expect(r.report.fallbacks).toEqual([]);
        expect(r.report.verification.verified).toBe(true);
        expect(r.report.verification.maxDiff).toBeLessThanOrEqual(RELEASE_CONTRACT_DEFAULTS.goldenTolerance);
        lines.push(`imported release, ${role} on ${provider}: max |Δ| ${r.report.verification.maxDiff!.toExponential(2)}`);
      } finally {
        await r.dispose();
      }
    }
  });

  it.each(RETRIEVAL_BACKENDS)('retrieval backend %s reproduces the golden top ids over the imported embeddings', async (backend) => {
    const { manifest, bytes } = await load();
    const head = decodeShard(await bytes(shardArtifacts(manifest).head.name));
    const selection = await chooseRetrievalBackend(backend, [head], await detectCapabilities(), manifest.retrievalGolden);
    try {
      expect(selection.backend).toBe(backend);
      expect(selection.verification.verified).toBe(true);
    } finally {
      selection.retriever.dispose();
    }
  });

  it('serves a feed from it, signed and verified; clicked items do not come back', async () => {
    const feed = await createFeed({ release, releaseKey, database: `ondeck-import-${Date.now()}` });
    try {
      const status = await feed.status();
      expect(status.release?.signed).toBe(true);
      expect(status.verification?.verified).toBe(true);
      expect(status.verification?.fallbacks.filter((f) => f.name === 'GoldenMismatchError')).toEqual([]);
      const first = await feed.next({ count: 12 });
      expect(first).toHaveLength(12);
      for (const x of first) {
        expect(x.id).toMatch(/^v1\d{3}$/);
        expect(x.title).toMatch(/^Video \d+, imported$/);
        expect(x.pClick).toBeGreaterThan(0);
        expect(x.pClick).toBeLessThan(1);
      }
      for (const x of first.slice(0, 4)) await feed.track({ type: 'click', itemId: x.id });
      const second = await feed.next({ count: 12 });
      expect(second).toHaveLength(12);
      const clicked = new Set(first.slice(0, 4).map((x) => x.id));
      expect(second.filter((x) => clicked.has(x.id))).toEqual([]);
      lines.push(`imported release feed: ranking on ${status.backends.ranking}, retrieval on ${status.backends.retrieval}, checks ${status.verification!.ms.toFixed(0)} ms`);
    } finally {
      feed.close();
    }
  });
});
