// Every retrieval backend this browser offers against a brute-force reference built from src/core
// alone (scoreShard, a full sort): same top 100 up to near-ties, same scores to 1e-4 relative,
// duplicates across shards kept once, exclusions honoured, and `auto` choosing among what runs.
import { describe, expect, inject, it } from 'vitest';
import { ValidationError } from '../../src/core/errors.ts';
import type { RetrievalBackend } from '../../src/core/feed/index.ts';
import { decodeShard, encodeShard, itemVector, scoreShard, type Shard } from '../../src/core/shard/index.ts';
import { gaussian, mulberry32 } from '../support/vector-data.ts';
import { chooseRetrievalBackend, createRetriever, detectCapabilities, type Retriever } from '../../workers/retrieval/index.ts';
import type { Capabilities } from '../../workers/retrieval/capabilities.ts';
import type { ExcludeFn, SearchResult } from '../../workers/retrieval/types.ts';
import { createWebGpuRetriever } from '../../workers/retrieval/webgpu/index.ts';

const DIM = 64;
const K = 100;
const REL_TOL = 1e-4;

interface Fixture {
  shards: Shard[];
  queries: Float32Array[];
}

/**
 * A head of 2,000 items (500 fresh ones, then copies of the first 500 items of each cluster:
 * the popular items a head repeats) and 3 clusters of 3,000 around random centres, quantised
 * plainly or over the residual from the centre. The head comes first, so its copies are the
 * occurrences a search keeps.
 */
function buildFixture(clusterQuantization: 'int8' | 'int8-residual', seed: number): Fixture {
  const rand = mulberry32(seed);
  const clusters = 3;
  const perCluster = 3000;
  const centres = Array.from({ length: clusters }, () => Float32Array.from({ length: DIM }, () => gaussian(rand)));
  const clusterVectors = centres.map((c) => {
    const v = new Float32Array(perCluster * DIM);
    for (let i = 0; i < v.length; i++) v[i] = c[i % DIM]! + 0.4 * gaussian(rand);
    return v;
  });
  const headIds: number[] = [];
  const head = new Float32Array(2000 * DIM);
  for (let i = 0; i < 500; i++) {
    headIds.push(900_000 + i);
    for (let j = 0; j < DIM; j++) head[i * DIM + j] = gaussian(rand);
  }
  for (let c = 0; c < clusters; c++) {
    for (let i = 0; i < 500; i++) {
      const row = headIds.length;
      headIds.push(c * 10_000 + i);
      head.set(clusterVectors[c]!.subarray(i * DIM, (i + 1) * DIM), row * DIM);
    }
  }
  const shards = [decodeShard(encodeShard({ ids: headIds, dim: DIM, embeddings: head, info: { shardId: 'head' } }))];
  centres.forEach((centroid, c) => {
    const ids = Array.from({ length: perCluster }, (_, i) => c * 10_000 + i);
    const bytes = encodeShard({
      ids,
      dim: DIM,
      embeddings: clusterVectors[c]!,
      quantization: clusterQuantization,
      info: { shardId: `c${c}`, cluster: c, centroid },
    });
    shards.push(decodeShard(bytes));
  });
  // Near each centre (many close scores: the hard case for ties), plus one unrelated direction.
  const queries = centres.map((c) => c.map((x) => x + 0.3 * gaussian(rand)));
  queries.push(Float32Array.from({ length: DIM }, () => gaussian(rand)));
  return { shards, queries };
}

const key = (s: number, i: number) => `${s}:${i}`;

/** Brute force from src/core only: every item scored, first occurrence of each id, full sort. */
function reference(shards: Shard[], query: Float32Array, k: number, exclude?: ExcludeFn) {
  const all: { s: number; i: number; score: number }[] = [];
  const byKey = new Map<string, number>();
  const seen = new Set<number | string>();
  shards.forEach((shard, s) => {
    const scores = scoreShard(query, shard);
    for (let i = 0; i < shard.count; i++) {
      byKey.set(key(s, i), scores[i]!);
      const id = shard.id(i);
      if (seen.has(id)) continue;
      seen.add(id);
      if (!exclude?.(s, i)) all.push({ s, i, score: scores[i]! });
    }
  });
  all.sort((a, b) => b.score - a.score || a.s - b.s || a.i - b.i);
  return { top: all.slice(0, k), byKey };
}

/**
 * Same length; at every rank the backend's item has (by the reference's own score) the
 * reference's score at that rank, to REL_TOL: equal indices, or a swap among near-equal scores;
 * and the backend's score is the reference score of its item to REL_TOL. Returns the swaps.
 */
function expectMatches(got: SearchResult, ref: ReturnType<typeof reference>, label: string): number {
  expect(got.item.length, label).toBe(ref.top.length);
  let swaps = 0;
  const keys = new Set<string>();
  for (let r = 0; r < ref.top.length; r++) {
    const want = ref.top[r]!;
    const k = key(got.shard[r]!, got.item[r]!);
    keys.add(k);
    const refScoreOfGot = ref.byKey.get(k)!;
    const tol = REL_TOL * Math.abs(want.score);
    if (k !== key(want.s, want.i)) {
      swaps++;
      const what = `${label}: rank ${r} holds ${k}, expected ${want.s}:${want.i}`;
      expect(Math.abs(refScoreOfGot - want.score), what).toBeLessThanOrEqual(tol);
    }
    expect(Math.abs(got.score[r]! - refScoreOfGot), `${label}: score at rank ${r}`).toBeLessThanOrEqual(tol);
  }
  expect(keys.size, `${label}: no item twice`).toBe(ref.top.length);
  return swaps;
}

const capabilities = await detectCapabilities();
const offered: RetrievalBackend[] = ['js'];
if (capabilities.wasmSimd) offered.push('wasm');
if (capabilities.webgpu) offered.push('webgpu');

interface Variant {
  label: string;
  backend: RetrievalBackend;
  create(shards: Shard[]): Promise<Retriever>;
}
const variants: Variant[] = offered.map((backend) => ({ label: backend, backend, create: (s) => createRetriever(backend, s) }));
if (capabilities.webgpu) {
  // The default takes the top k on the GPU; the other mode reads every score back instead.
  variants.push({ label: 'webgpu, top k on the CPU', backend: 'webgpu', create: (s) => createWebGpuRetriever(s, { topK: 'cpu' }) });
}
const fixtures = {
  residual: buildFixture('int8-residual', 11),
  plain: buildFixture('int8', 12),
};

describe('detectCapabilities', () => {
  it('detects once, into a frozen object that matches this page', async () => {
    expect(await detectCapabilities()).toBe(capabilities);
    expect(Object.isFrozen(capabilities)).toBe(true);
    expect(capabilities.crossOriginIsolated).toBe(inject('isolated'));
    expect(capabilities.threads).toBe(inject('isolated'));
    expect(capabilities.wasmSimd).toBe(true);
    expect(capabilities.webgpu).toBe((await navigator.gpu?.requestAdapter()) != null);
  });
});

describe.each(variants)('the $label backend', ({ label, backend, create }) => {
  for (const [name, { shards, queries }] of Object.entries(fixtures)) {
    it(`returns the reference top ${K} for ${name} clusters, duplicates kept once`, async () => {
      const retriever = await create(shards);
      expect(retriever.backend).toBe(backend);
      expect(retriever.count).toBe(11_000);
      let duplicatedIds = 0;
      let swaps = 0;
      for (const [q, query] of queries.entries()) {
        const got = await retriever.search(query, K);
        const ref = reference(shards, query, K);
        swaps += expectMatches(got, ref, `${label}/${name}/q${q}`);
        for (let r = 0; r < K; r++) {
          // The head (shard 0) holds the kept copy of every duplicated id.
          const id = shards[got.shard[r]!]!.id(got.item[r]!) as number;
          if (id < 900_000 && id % 10_000 < 500) {
            duplicatedIds++;
            expect(got.shard[r]).toBe(0);
          }
        }
      }
      if (backend === 'js') expect(swaps).toBe(0);
      expect(duplicatedIds, 'the duplicated items rank, so dedupe is exercised').toBeGreaterThan(20);
      retriever.dispose();
    });
  }

  it('leaves out what exclude names, and still returns k', async () => {
    const { shards, queries } = fixtures.residual;
    const retriever = await create(shards);
    const query = queries[0]!;
    // The best 150 items and every odd item index: more than the webgpu over-fetch covers.
    const blocked = new Set(reference(shards, query, 150).top.map((t) => key(t.s, t.i)));
    const exclude: ExcludeFn = (s, i) => blocked.has(key(s, i)) || i % 2 === 1;
    const got = await retriever.search(query, K, exclude);
    for (let r = 0; r < got.item.length; r++) expect(exclude(got.shard[r]!, got.item[r]!)).toBe(false);
    expectMatches(got, reference(shards, query, K, exclude), `${label}/exclude`);
    retriever.dispose();
  });

  it('handles k = 0, k beyond the items, bad queries and dispose', async () => {
    const shard = fixtures.plain.shards[1]!;
    const small = [shard, shard]; // the same shard twice: every item of the second is a duplicate
    const retriever = await create(small);
    const query = itemVector(shard, 7);
    expect((await retriever.search(query, 0)).item.length).toBe(0);
    const all = await retriever.search(query, 10_000);
    expect(all.item.length).toBe(shard.count);
    expect([...new Set(all.shard)]).toEqual([0]);
    expectMatches(all, reference(small, query, 10_000), `${label}/all`);
    await expect(retriever.search(new Float32Array(DIM - 1), 5)).rejects.toThrow(ValidationError);
    await expect(retriever.search(query, 2.5)).rejects.toMatchObject({ name: 'ValidationError', field: 'k' });
    retriever.dispose();
    await expect(retriever.search(query, 5)).rejects.toMatchObject({ name: 'RetrievalError' });
  });
});

describe('backend choice', () => {
  const { shards, queries } = fixtures.residual;

  it('auto calibrates every backend the capabilities allow and keeps one of them', async () => {
    const chosen = await chooseRetrievalBackend('auto', shards, capabilities);
    expect(offered).toContain(chosen.backend);
    expect(chosen.retriever.backend).toBe(chosen.backend);
    expect(Object.keys(chosen.calibration).sort()).toEqual([...offered].sort());
    for (const ms of Object.values(chosen.calibration)) expect(ms).toBeGreaterThan(0);
    expect(chosen.calibration[chosen.backend]).toBe(Math.min(...Object.values(chosen.calibration)));
    expect(chosen.reason).toContain(`auto: ${chosen.backend}`);
    console.log(`retrieval choice over 11k×${DIM}: ${chosen.reason}`);
    expectMatches(await chosen.retriever.search(queries[1]!, K), reference(shards, queries[1]!, K), 'auto');
    chosen.retriever.dispose();
  });

  it('auto skips what the capabilities rule out, saying why', async () => {
    const none: Capabilities = Object.freeze({ webgpu: false, wasmSimd: false, wasmBlocked: null, threads: false, crossOriginIsolated: false });
    const chosen = await chooseRetrievalBackend('auto', shards, none);
    expect(chosen.backend).toBe('js');
    expect(Object.keys(chosen.calibration)).toEqual(['js']);
    expect(chosen.unavailable.webgpu).toMatch(/WebGPU/);
    expect(chosen.unavailable.wasm).toMatch(/SIMD/);
    chosen.retriever.dispose();
  });

  it('honours an explicit choice, and refuses one the capabilities rule out', async () => {
    const chosen = await chooseRetrievalBackend('wasm', shards, capabilities);
    expect(chosen.backend).toBe('wasm');
    expect(chosen.calibration).toEqual({});
    chosen.retriever.dispose();
    const noGpu: Capabilities = Object.freeze({ ...capabilities, webgpu: false });
    await expect(chooseRetrievalBackend('webgpu', shards, noGpu)).rejects.toMatchObject({
      name: 'BackendUnavailableError',
      backend: 'webgpu',
      message: expect.stringMatching(/no WebGPU adapter/),
    });
  });

  it('falls back from wasm past its exact range (dim > 511), saying why', async () => {
    const dim = 512;
    const embeddings = new Float32Array(3 * dim).map((_, i) => Math.sin(i));
    const wide = [decodeShard(encodeShard({ ids: [1, 2, 3], dim, embeddings }))];
    await expect(createRetriever('wasm', wide)).rejects.toMatchObject({
      name: 'BackendUnavailableError',
      backend: 'wasm',
      message: expect.stringContaining('at most 511'),
    });
    const chosen = await chooseRetrievalBackend('auto', wide, capabilities);
    expect(chosen.backend).not.toBe('wasm');
    expect(chosen.unavailable.wasm).toMatch(/^BackendUnavailableError: .*at most 511/);
    expect((await chosen.retriever.search(itemVector(wide[0]!, 2), 3)).item.length).toBe(3);
    chosen.retriever.dispose();
  });

  it('rejects an unknown backend, listing the allowed values', async () => {
    const bad = 'cuda' as unknown as RetrievalBackend;
    await expect(chooseRetrievalBackend(bad, shards, capabilities)).rejects.toMatchObject({
      name: 'UnknownBackendError',
      message: expect.stringContaining('allowed: auto, webgpu, wasm, js'),
    });
    await expect(createRetriever(bad, shards)).rejects.toMatchObject({
      name: 'UnknownBackendError',
      message: expect.stringContaining('allowed: webgpu, wasm, js'),
    });
  });

  it('refuses shards of different dims with a ValidationError naming the shard', async () => {
    const other = decodeShard(encodeShard({ ids: [1], dim: 8, embeddings: new Float32Array(8).fill(1) }));
    await expect(chooseRetrievalBackend('auto', [shards[0]!, other], capabilities)).rejects.toMatchObject({
      name: 'ValidationError',
      field: 'shards[1].dim',
    });
  });
});

// Timings of these backends are the bench's (npm run bench: retrievalPeers, 100k items); a test
// on a shared machine can only assert what they return.
describe('100k × 64', () => {
  it('wasm and js return the reference top 100 of a 100k-item shard, the same on every search', async () => {
    const rand = mulberry32(7);
    const n = 100_000;
    const embeddings = new Float32Array(n * DIM);
    for (let i = 0; i < embeddings.length; i++) embeddings[i] = gaussian(rand);
    const shards = [decodeShard(encodeShard({ ids: Array.from({ length: n }, (_, i) => i), dim: DIM, embeddings }))];
    const query = Float32Array.from({ length: DIM }, () => gaussian(rand));
    const ref = reference(shards, query, K);
    // The CPU backends only: WebGPU here is SwiftShader, whose timings say nothing about a GPU.
    for (const backend of offered.filter((b) => b !== 'webgpu')) {
      const retriever = await createRetriever(backend, shards);
      expectMatches(await retriever.search(query, K), ref, `${backend}/100k`);
      // k = 0 asks for nothing and gets nothing; a repeated search is the same list.
      expect((await retriever.search(query, 0)).item).toHaveLength(0);
      const again = await retriever.search(query, K);
      expectMatches(again, ref, `${backend}/100k again`);
      retriever.dispose();
    }
  });
});
