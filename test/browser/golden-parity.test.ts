// Issue 12: no runtime serves before it reproduces the release's golden vectors. Here every
// ranking provider (WebGPU on SwiftShader, WASM, plain JS) and every retrieval backend
// reproduces them on the demo release (models/, what `npm start` serves), the fixture release
// and a "wide" release whose models read every feature kind of the spec, in both browser projects (cross-origin isolated and not). The demo release's ranker
// is the model WebGPU once scored with unwritten outputs.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { commands } from 'vitest/browser';
import { RANKING_PROVIDERS, RETRIEVAL_BACKENDS } from '../../src/core/feed/index.ts';
import { parseManifest, shardArtifacts, type ReleaseManifest } from '../../src/core/release/index.ts';
import { RELEASE_CONTRACT_DEFAULTS } from '../../src/core/release/defaults.ts';
import { decodeShard, type Shard } from '../../src/core/shard/index.ts';
import { configureOrt, createModelRunner } from '../../workers/ranking/index.ts';
import { chooseRetrievalBackend, detectCapabilities } from '../../workers/retrieval/index.ts';

const TOL = RELEASE_CONTRACT_DEFAULTS.goldenTolerance;

interface Loaded {
  manifest: ReleaseManifest;
  bytes(name: string): Promise<Uint8Array>;
  head: Shard;
}

const cache = new Map<string, Promise<Loaded>>();
function load(url: string): Promise<Loaded> {
  let p = cache.get(url);
  if (!p) {
    p = (async () => {
      const manifestUrl = new URL(url, location.href);
      const manifest = parseManifest(await (await fetch(manifestUrl)).json());
      const bytes = async (name: string) => {
        const a = manifest.artifacts.find((x) => x.name === name)!;
        return new Uint8Array(await (await fetch(new URL(a.url, manifestUrl))).arrayBuffer());
      };
      return { manifest, bytes, head: decodeShard(await bytes(shardArtifacts(manifest).head.name)) };
    })();
    cache.set(url, p);
  }
  return p;
}

const releases = [
  ['demo release (models/)', inject('demoRelease')],
  ['fixture release', inject('fixtureRelease')],
  ['wide release (every feature kind)', inject('wideRelease')],
] as const;
const lines: string[] = [];
// The global setup builds the demo release in the background when models/ holds none.
beforeAll(() => commands.demoRelease(), 600_000);
afterAll(() => console.log(lines.join('\n')));

configureOrt({ isolated: inject('isolated') });

describe.each(releases)('%s', (label, url) => {
  it('carries golden vectors for both models and for retrieval', async () => {
    const { manifest } = await load(url);
    expect(manifest.models.ranker.golden, 'regenerate it: npm run demo-release').toBeDefined();
    expect(manifest.models.userTower?.golden).toBeDefined();
    expect(manifest.retrievalGolden).toBeDefined();
  });

  it.each(RANKING_PROVIDERS)('ranking provider %s reproduces the ranker and the user tower within 1e-4', async (provider) => {
    const { manifest, bytes } = await load(url);
    for (const role of ['ranker', 'userTower'] as const) {
      const model = manifest.models[role]!;
      const r = await createModelRunner(await bytes(model.artifact), model, { providers: [provider] });
      try {
        expect(r.provider).toBe(provider);
        expect(r.report.fallbacks).toEqual([]);
        expect(r.report.verification.verified).toBe(true);
        expect(r.report.verification.maxDiff).toBeLessThanOrEqual(TOL);
        lines.push(`${label}, ${role} on ${provider}: max |Δ| ${r.report.verification.maxDiff!.toExponential(2)}, check ${r.report.verification.ms.toFixed(1)} ms`);
      } finally {
        await r.dispose();
      }
    }
  });

  it.each(RETRIEVAL_BACKENDS)('retrieval backend %s reproduces the golden top ids', async (backend) => {
    const { manifest, head } = await load(url);
    const selection = await chooseRetrievalBackend(backend, [head], await detectCapabilities(), manifest.retrievalGolden);
    try {
      expect(selection.backend).toBe(backend);
      expect(selection.verification.verified).toBe(true);
      lines.push(`${label}, retrieval on ${backend}: check ${selection.verification.ms.toFixed(1)} ms`);
    } finally {
      selection.retriever.dispose();
    }
  });
});
