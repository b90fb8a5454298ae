// The model runners on the fixture release's real ONNX models, in the page: WASM (threads when
// isolated) and WebGPU (SwiftShader here) must load, give sane values, and agree with each other.
// Device-vs-pipeline parity is a separate test.
import * as ort from 'onnxruntime-web';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { USER_INDEX_TENSOR, buildFeatureTensors, type FeatureTensor, type HistoryEntry } from '../../src/core/features/index.ts';
import { categoryVocab, shardItemRecord, type ShardItemRecord } from '../../src/core/feed/index.ts';
import { parseManifest, shardArtifacts, type ModelRef, type ReleaseManifest } from '../../src/core/release/index.ts';
import { decodeShard } from '../../src/core/shard/index.ts';
import { configureOrt, createModelRunner, type ModelRunner } from '../../workers/ranking/index.ts';
import { ORT_WASM_PATHS } from '../../workers/ranking/ort-assets.ts';
import { rankerRows } from '../../workers/ranking/ranker-rows.ts';

const NOW = Date.UTC(2026, 10, 22, 12);
const DAY = 86_400_000;
const ROWS = 500;
const isolated = inject('isolated');

interface Fixture {
  manifest: ReleaseManifest;
  ranker: Uint8Array;
  userTower: Uint8Array;
  items: ShardItemRecord[];
}

async function loadFixture(): Promise<Fixture> {
  const manifestUrl = new URL(inject('fixtureRelease'), location.href);
  const manifest = parseManifest(await (await fetch(manifestUrl)).json());
  const bytesOf = async (name: string) => {
    const artifact = manifest.artifacts.find((a) => a.name === name)!;
    return new Uint8Array(await (await fetch(new URL(artifact.url, manifestUrl))).arrayBuffer());
  };
  const { head, clusters } = shardArtifacts(manifest);
  const vocab = categoryVocab(manifest.featureSpec);
  const items: ShardItemRecord[] = [];
  for (const artifact of [head, ...clusters]) {
    const shard = decodeShard(await bytesOf(artifact.name));
    for (let i = 0; i < shard.count; i++) items.push(shardItemRecord(shard, i, vocab));
  }
  return {
    manifest,
    ranker: await bytesOf(manifest.models.ranker.artifact),
    userTower: await bytesOf(manifest.models.userTower!.artifact),
    items,
  };
}

/** A made-up history: a few items, newest last, with the event types the spec weighs. */
function historyOf(items: readonly ShardItemRecord[], picks: readonly number[]): HistoryEntry[] {
  const types = ['click', 'watch', 'like', 'skip', 'impression'] as const;
  return picks.map((k, j) => ({
    item: items[k % items.length]!,
    type: types[j % types.length]!,
    at: NOW - (picks.length - j) * 2 * DAY,
    watchFraction: 0.2 + 0.15 * (j % 5),
  }));
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

let fixture: Fixture;
/** ROWS candidates: every item of the release, cycled, so each item appears at least twice. */
let candidates: ShardItemRecord[];
let rankerTensors: Record<string, FeatureTensor>;
/** Three users: two histories and an empty one (a new install). */
let userTensors: Record<string, FeatureTensor>;
const runners: ModelRunner[] = [];
const report: string[] = [];

beforeAll(async () => {
  configureOrt({ isolated });
  fixture = await loadFixture();
  const { items, manifest } = fixture;
  candidates = Array.from({ length: ROWS }, (_, i) => items[i % items.length]!);
  const history = historyOf(items, [3, 17, 42, 5, 99, 120]);
  rankerTensors = buildFeatureTensors(manifest.featureSpec, rankerRows({ history }, candidates), { now: NOW });
  const users = [{ history }, { history: historyOf(items, [7, 8, 9]) }, { history: [] }];
  userTensors = buildFeatureTensors(manifest.featureSpec, users.map((user) => ({ user })), { now: NOW });
});

afterAll(async () => {
  await Promise.all(runners.map((r) => r.dispose()));
  console.log(report.join('\n'));
});

async function runner(bytes: Uint8Array, model: ModelRef, providers: Array<'webgpu' | 'wasm'>): Promise<ModelRunner> {
  const r = await createModelRunner(bytes, model, { providers });
  runners.push(r);
  return r;
}

function expectProbabilities(p: Float32Array, rows: number): void {
  expect(p.length).toBe(rows);
  let min = Infinity;
  let max = -Infinity;
  for (const x of p) {
    expect(Number.isFinite(x)).toBe(true);
    min = Math.min(min, x);
    max = Math.max(max, x);
  }
  expect(min).toBeGreaterThanOrEqual(0);
  expect(max).toBeLessThanOrEqual(1);
  // A trained ranker tells items apart: not one constant score.
  expect(max - min).toBeGreaterThan(1e-3);
}

/** [users × dim] rows of unit length (the tower ends in an L2 normalisation). */
function expectUnitRows(v: Float32Array, users: number, dim: number): void {
  expect(v.length).toBe(users * dim);
  for (let u = 0; u < users; u++) {
    let sq = 0;
    for (let j = 0; j < dim; j++) {
      expect(Number.isFinite(v[u * dim + j]!)).toBe(true);
      sq += v[u * dim + j]! ** 2;
    }
    expect(Math.sqrt(sq), `user ${u}`).toBeCloseTo(1, 5);
  }
}

describe('onnxruntime-web setup', () => {
  it('serves its wasm files from this origin, not a CDN', async () => {
    expect(ort.env.wasm.wasmPaths).toEqual({ mjs: ORT_WASM_PATHS.mjs, wasm: ORT_WASM_PATHS.wasm });
    for (const url of [ORT_WASM_PATHS.mjs, ORT_WASM_PATHS.wasm]) {
      const resolved = new URL(url, location.href);
      expect(resolved.origin).toBe(location.origin);
      const res = await fetch(resolved, { method: 'HEAD' });
      expect(res.ok, url).toBe(true);
    }
    expect(ORT_WASM_PATHS.wasm).toMatch(/ort-wasm-simd-threaded\.jsep\.wasm/);
    expect(ort.env.wasm.proxy).toBe(false);
  });

  it('runs the wasm provider with 2 threads when isolated, else 1', async () => {
    const r = await runner(fixture.ranker, fixture.manifest.models.ranker, ['wasm']);
    expect(r.provider).toBe('wasm');
    expect(r.report.fallbacks).toEqual([]);
    expect(r.report.threads).toBe(isolated ? 2 : 1);
    expect(ort.env.wasm.numThreads).toBe(isolated ? 2 : 1);
  });
});

describe('the ranker', () => {
  let wasm: ModelRunner;
  let wasmClick: Float32Array;

  beforeAll(async () => {
    wasm = await runner(fixture.ranker, fixture.manifest.models.ranker, ['wasm']);
    wasmClick = (await wasm.run(rankerTensors)).pClick!;
  });

  it(`scores ${ROWS} candidates on wasm: probabilities, equal for equal rows`, async () => {
    expectProbabilities(wasmClick, ROWS);
    const n = fixture.items.length;
    for (let i = n; i < ROWS; i++) expect(wasmClick[i], `row ${i}`).toBe(wasmClick[i - n]);
    // The fixture ranker has no watch head: no role the manifest does not name.
    expect(fixture.manifest.models.ranker.outputs.watchFraction).toBeUndefined();
    expect(Object.keys(await wasm.run(rankerTensors))).toEqual(['pClick']);
  });

  it('is deterministic, and queued runs do not interfere', async () => {
    const again = await Promise.all([wasm.run(rankerTensors), wasm.run(rankerTensors), wasm.run(rankerTensors)]);
    for (const out of again) expect(out.pClick).toEqual(wasmClick);
  });

  it('takes the candidates in any batch size: one row scores as it does among 500', async () => {
    const { manifest } = fixture;
    const history = historyOf(fixture.items, [3, 17, 42, 5, 99, 120]);
    const one = buildFeatureTensors(manifest.featureSpec, rankerRows({ history }, [candidates[123]!]), { now: NOW });
    const p = (await wasm.run(one)).pClick!;
    expect(p.length).toBe(1);
    expect(p[0]).toBeCloseTo(wasmClick[123]!, 6);
    expect((await wasm.run(buildFeatureTensors(manifest.featureSpec, [], { now: NOW }))).pClick).toEqual(new Float32Array(0));
  });

  it('on webgpu agrees with wasm within 1e-4', async () => {
    const adapter = await navigator.gpu?.requestAdapter();
    // This machine's Chromium has WebGPU (SwiftShader): the webgpu run must happen here.
    expect(adapter).toBeTruthy();
    const gpu = await runner(fixture.ranker, fixture.manifest.models.ranker, ['webgpu', 'wasm']);
    expect(gpu.provider).toBe('webgpu');
    expect(gpu.report.fallbacks).toEqual([]);
    const [a, b] = await Promise.all([gpu.run(rankerTensors), wasm.run(rankerTensors)]);
    expectProbabilities(a.pClick!, ROWS);
    const diff = maxAbsDiff(a.pClick!, wasmClick);
    expect(diff).toBeLessThanOrEqual(1e-4);
    expect(b.pClick).toEqual(wasmClick);
    report.push(`ranker webgpu vs wasm: max |Δ| p_click ${diff.toExponential(2)} over ${ROWS} rows`);
  });

  it('takes per-user tensors (the feed\'s: one history row for every candidate) with the same scores on wasm, webgpu and js', async () => {
    const { manifest } = fixture;
    // The shipped ranker has per-user inputs: it binds the user index.
    expect(manifest.models.ranker.inputs.map((b) => b.tensor)).toContain(USER_INDEX_TENSOR);
    const history = historyOf(fixture.items, [3, 17, 42, 5, 99, 120]);
    const perUser = buildFeatureTensors(manifest.featureSpec, rankerRows({ history }, candidates), { now: NOW, perUser: true });
    expect(perUser['history:ids']!.dims[0]).toBe(1);
    const onWasm = (await wasm.run(perUser)).pClick!;
    expect(maxAbsDiff(onWasm, wasmClick)).toBeLessThanOrEqual(1e-6);
    const gpu = await runner(fixture.ranker, manifest.models.ranker, ['webgpu', 'wasm']);
    expect(gpu.provider).toBe('webgpu');
    const onGpu = (await gpu.run(perUser)).pClick!;
    expect(maxAbsDiff(onGpu, wasmClick)).toBeLessThanOrEqual(1e-4);
    const js = await createModelRunner(fixture.ranker, manifest.models.ranker, { providers: ['js'] });
    runners.push(js);
    const onJs = (await js.run(perUser)).pClick!;
    expect(maxAbsDiff(onJs, wasmClick)).toBeLessThanOrEqual(1e-4);
    report.push(`ranker with per-user tensors: max |Δ| against one row per row, wasm ${maxAbsDiff(onWasm, wasmClick).toExponential(2)}, webgpu ${maxAbsDiff(onGpu, wasmClick).toExponential(2)}, js ${maxAbsDiff(onJs, wasmClick).toExponential(2)}`);
  });

  it(`times the wasm run on ${ROWS} rows`, async () => {
    for (let i = 0; i < 3; i++) await wasm.run(rankerTensors);
    const times: number[] = [];
    for (let i = 0; i < 20; i++) {
      const t0 = performance.now();
      await wasm.run(rankerTensors);
      times.push(performance.now() - t0);
    }
    const ms = median(times);
    report.push(`ranker wasm, ${wasm.report.threads} thread(s), ${isolated ? '' : 'not '}isolated: ${ms.toFixed(2)} ms median for ${ROWS} rows (min ${Math.min(...times).toFixed(2)})`);
    expect(ms).toBeGreaterThan(0);
  });
});

describe('the user tower', () => {
  it('gives unit user vectors on wasm and webgpu, agreeing within 1e-4', async () => {
    const model = fixture.manifest.models.userTower!;
    const dim = fixture.manifest.embeddingDim;
    const wasm = await runner(fixture.userTower, model, ['wasm']);
    const gpu = await runner(fixture.userTower, model, ['webgpu', 'wasm']);
    expect(gpu.provider).toBe('webgpu');
    const a = (await wasm.run(userTensors)).userVector!;
    const b = (await gpu.run(userTensors)).userVector!;
    expectUnitRows(a, 3, dim);
    expectUnitRows(b, 3, dim);
    const diff = maxAbsDiff(a, b);
    expect(diff).toBeLessThanOrEqual(1e-4);
    // Different histories, different users.
    expect(maxAbsDiff(a.subarray(0, dim), a.subarray(dim, 2 * dim))).toBeGreaterThan(1e-3);
    report.push(`user tower webgpu vs wasm: max |Δ| user_vector ${diff.toExponential(2)}`);
  });
});

describe('contract errors', () => {
  it('names a missing or mistyped feature tensor', async () => {
    const r = await runner(fixture.ranker, fixture.manifest.models.ranker, ['wasm']);
    const { ['history:ids']: _dropped, ...missing } = rankerTensors;
    await expect(r.run(missing)).rejects.toThrow(expect.objectContaining({ name: 'ValidationError', field: 'tensors["history:ids"]' }));
    const ids = rankerTensors['history:ids']!;
    const asFloat = { ...rankerTensors, 'history:ids': { type: 'float32' as const, dims: ids.dims, data: Float32Array.from(ids.data) } };
    await expect(r.run(asFloat)).rejects.toThrow(/is float32, input "history__ids" takes int32/);
    const short = { ...rankerTensors, item_id: { ...rankerTensors.item_id!, dims: [ROWS - 1, 1] as [number, number], data: rankerTensors.item_id!.data.subarray(0, ROWS - 1) } };
    await expect(r.run(short)).rejects.toThrow(expect.objectContaining({ field: 'tensors["categories"]' }));
  });

  it('refuses bindings that do not match the graph', async () => {
    const model = fixture.manifest.models.ranker;
    const renamed: ModelRef = { ...model, inputs: model.inputs.map((b) => (b.tensor === 'history:ids' ? { ...b, name: 'history:ids' } : b)) };
    await expect(createModelRunner(fixture.ranker, renamed, { providers: ['wasm'] })).rejects.toThrow(
      expect.objectContaining({ name: 'ValidationError', field: 'inputs[5].name' }),
    );
    const badOutput: ModelRef = { ...model, outputs: { pClick: 'p_click', watchFraction: 'watch_fraction' } };
    await expect(createModelRunner(fixture.ranker, badOutput, { providers: ['wasm'] })).rejects.toThrow(
      expect.objectContaining({ field: 'outputs.watchFraction' }),
    );
  });

  it('names the allowed providers, and refuses runs after dispose', async () => {
    const model = fixture.manifest.models.ranker;
    await expect(createModelRunner(fixture.ranker, model, { providers: ['webgl' as 'wasm'] })).rejects.toThrow(
      expect.objectContaining({ name: 'ValidationError', field: 'providers[0]', message: expect.stringContaining('webgpu, wasm') }),
    );
    const r = await createModelRunner(fixture.ranker, model, { providers: ['wasm'] });
    const pending = r.run(rankerTensors);
    await r.dispose();
    // The run queued before dispose() still completes; one after it is refused.
    expect((await pending).pClick!.length).toBe(ROWS);
    await expect(r.run(rankerTensors)).rejects.toThrow(expect.objectContaining({ name: 'ModelRunError' }));
  });
});

describe('inside a worker, where the feed runs it', () => {
  it('loads onnxruntime from this origin and scores as the page does, on wasm and webgpu', async () => {
    // A module worker from a blob: its imports are absolute URLs that Vite serves, and its
    // base URL resolves nothing, so this also proves the wasm paths are absolute.
    const entry = new URL('/workers/ranking/index.ts', location.href).href;
    // Vitest rewrites dynamic import() (onnxruntime loads its glue with one) to go through its
    // runner; in workers it prepends this shim itself (plugin vitest:browser:worker), but only
    // to Vite-bundled ones, so a blob worker sets it before importing anything. The handler is
    // set at once: a message that arrives while no handler is set is lost.
    const source = `globalThis.__vitest_browser_runner__ = { wrapDynamicImport: (f) => f() };
      const loading = import(${JSON.stringify(entry)});
      self.onmessage = async ({ data }) => {
        try {
          const { configureOrt, createModelRunner } = await loading;
          configureOrt({ isolated: self.crossOriginIsolated });
          const replies = [];
          for (const providers of [['wasm'], ['webgpu', 'wasm']]) {
            const r = await createModelRunner(data.bytes, data.model, { providers });
            const out = await r.run(data.tensors);
            replies.push({ provider: r.provider, threads: r.report.threads, pClick: out.pClick });
            await r.dispose();
          }
          self.postMessage(replies);
        } catch (err) {
          self.postMessage({ error: String(err && err.stack || err) });
        }
      };`;
    const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
    const worker = new Worker(url, { type: 'module' });
    type Reply = { provider: string; threads: number; pClick: Float32Array };
    try {
      const reply = await new Promise<Reply[] | { error: string }>((resolve, reject) => {
        worker.onmessage = (e) => resolve(e.data);
        worker.onerror = (e) => reject(new Error(`worker failed: ${e.message}`));
        worker.postMessage({ bytes: fixture.ranker, model: fixture.manifest.models.ranker, tensors: rankerTensors });
      });
      expect(reply).not.toHaveProperty('error');
      const [wasm, gpu] = reply as Reply[];
      expect(wasm!.provider).toBe('wasm');
      expect(wasm!.threads).toBe(isolated ? 2 : 1);
      const local = (await (await runner(fixture.ranker, fixture.manifest.models.ranker, ['wasm'])).run(rankerTensors)).pClick!;
      expect(wasm!.pClick).toEqual(local);
      expect(gpu!.provider).toBe('webgpu');
      expect(maxAbsDiff(gpu!.pClick, local)).toBeLessThanOrEqual(1e-4);
    } finally {
      worker.terminate();
      URL.revokeObjectURL(url);
    }
  });
});
