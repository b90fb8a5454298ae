import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import specJson from '../../fixtures/feature-spec.json' with { type: 'json' };
import { USER_INDEX_TENSOR, parseFeatureSpec, tensorLayout, userTensors } from '../../../src/core/features/index.ts';
import { checkGoldenOutputs, checkGoldenTopK, goldenTensors, parseManifest, shardArtifacts, type ReleaseManifest } from '../../../src/core/release/index.ts';
import { RELEASE_CONTRACT_DEFAULTS } from '../../../src/core/release/defaults.ts';
import { decodeShard, scoreShard } from '../../../src/core/shard/index.ts';
import { topK } from '../../../src/core/vectors/index.ts';
import { exportRankerOnnx, exportUserTowerOnnx } from '../../../src/pipeline/export/index.ts';
import { createNodeSession, ortForNode } from '../../../src/pipeline/onnx/index.ts';
import { writeRelease } from '../../../src/pipeline/release/index.ts';
import { RELEASE_DEFAULTS } from '../../../src/pipeline/release/defaults.ts';
import { disposeDcn, disposeTwoTower, ensureTrainingBackend, exportDcnWeights, exportTwoTowerWeights, initDcn } from '../../../src/pipeline/train/index.ts';
import { initTwoTower } from '../../../src/pipeline/train/two-tower.ts';
import { createJsSession } from '../../../workers/ranking/js/index.ts';

// Every release carries golden vectors: rows of each model's real feature tensors with the
// outputs the pipeline computed, and a query with its top ids over the head shard. Here: they
// are there, valid, reproducible by every runtime we have in Node, and a broken one fails them.

const spec = parseFeatureSpec(specJson);
const DIM = 8;
const N = 400;
const ort = ortForNode();
let root: string;
let manifest: ReleaseManifest;
let rankerBytes: Uint8Array;
let dir: string;

beforeAll(async () => {
  await ensureTrainingBackend();
  root = await mkdtemp(join(tmpdir(), 'ondeck-golden-'));
  const dcn = await initDcn({ spec, embeddingDim: 4, deepLayers: [8], crossLayers: 1, watchHead: true }, 1);
  const tt = await initTwoTower({ spec, embeddingDim: 4, userLayers: [8], itemLayers: [8], outputDim: DIM }, 2);
  // As the build exports it: per-user inputs, the history pooled once per user.
  const ranker = exportRankerOnnx(exportDcnWeights(dcn), { perUser: userTensors(spec) });
  const tower = exportUserTowerOnnx(exportTwoTowerWeights(tt));
  disposeDcn(dcn);
  disposeTwoTower(tt);
  rankerBytes = ranker.bytes;
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32) * 2 - 1;
  const items = Array.from({ length: N }, (_, i) => {
    const e = Float32Array.from({ length: DIM }, rand);
    const norm = Math.hypot(...e);
    return { id: `v-${i}`, embedding: e.map((x) => x / norm), created: Date.UTC(2024, 0, 1) + i * 3_600_000 };
  });
  dir = join(root, 'release');
  const written = await writeRelease({
    outDir: dir,
    created: '2024-03-01T00:00:00Z',
    featureSpec: spec,
    embeddingDim: DIM,
    items,
    columns: [{ name: 'durationSeconds', type: 'u32', values: (i) => 30 + i }],
    popularity: Float32Array.from(items, (_, i) => N - i),
    models: { ranker, userTower: tower },
    clusters: 4,
    seed: 3,
  });
  manifest = written.manifest;
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('golden vectors in a release', () => {
  it('the manifest carries them for the ranker, the user tower and retrieval, and parses back', async () => {
    const raw = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
    const m = parseManifest(raw);
    const g = m.models.ranker.golden!;
    expect(g.rows).toBe(RELEASE_DEFAULTS.goldenRankerRows);
    expect(Object.keys(g.inputs).sort()).toEqual(m.models.ranker.inputs.map((b) => b.tensor).sort());
    expect(Object.keys(g.outputs).sort()).toEqual(['pClick', 'watchFraction']);
    for (const p of g.outputs.pClick!) expect(p).toBeGreaterThan(0);
    // Rows differ (a new user, short and long histories, several items), so they test something.
    expect(new Set(g.outputs.pClick).size).toBe(g.rows);
    const history = g.inputs['history:ids']!;
    expect(history.data.some((x) => x !== 0)).toBe(true);
    // Per-user inputs: the 8 rows are 4 users (new, short, long, weak), each history once.
    expect(g.inputs[USER_INDEX_TENSOR]!.data).toEqual([0, 1, 2, 3, 0, 1, 2, 3]);
    expect(history.dims).toEqual([4, 8]);
    // Fields no shard holds (the hour, a profile vector) get made-up values in most rows, and stay
    // missing in some, so both the values and the defaults are covered.
    for (const tensor of ['hour', 'user_vector', 'genres']) {
      const t = g.inputs[tensor];
      if (!t) continue;
      const width = t.dims[1]!;
      const rows = Array.from({ length: t.dims[0]! }, (_, r) => t.data.slice(r * width, (r + 1) * width).join(','));
      expect(new Set(rows).size, tensor).toBeGreaterThan(2);
    }
    expect(Object.keys(g.inputs)).toEqual(expect.arrayContaining(['hour', 'user_vector']));
    const u = m.models.userTower!.golden!;
    expect(u.rows).toBe(RELEASE_DEFAULTS.goldenUserRows);
    expect(u.outputs.userVector).toHaveLength(u.rows * DIM);
    const r = m.retrievalGolden!;
    expect(r.shard).toBe(shardArtifacts(m).head.name);
    expect(r.query).toHaveLength(DIM);
    expect(r.ids).toHaveLength(RELEASE_DEFAULTS.goldenRetrievalK);
    expect(r.scores).toEqual([...r.scores].sort((a, b) => b - a));
  });

  it('onnxruntime and the plain-JS runtime reproduce the model outputs within 1e-4', async () => {
    for (const role of ['ranker', 'userTower'] as const) {
      const ref = manifest.models[role]!;
      const bytes = new Uint8Array(await readFile(join(dir, manifest.artifacts.find((a) => a.name === ref.artifact)!.url)));
      const tensors = goldenTensors(ref.golden!);
      const session = await createNodeSession(bytes);
      const feeds = Object.fromEntries(ref.inputs.map((b) => [b.name, new ort.Tensor(tensors[b.tensor]!.type, tensors[b.tensor]!.data, tensors[b.tensor]!.dims)]));
      const results = await session.run(feeds);
      await session.release();
      const got = Object.fromEntries(Object.entries(ref.outputs).map(([r, name]) => [r, results[name!]!.data as Float32Array]));
      expect(checkGoldenOutputs(ref.golden!, got)).toEqual({ ok: true, maxDiff: 0, problem: null });
      const js = createJsSession(bytes).run(Object.fromEntries(ref.inputs.map((b) => [b.name, { dims: [...tensors[b.tensor]!.dims], data: tensors[b.tensor]!.data }])));
      const jsGot = Object.fromEntries(Object.entries(ref.outputs).map(([r, name]) => [r, js[name!]!.data as Float32Array]));
      const check = checkGoldenOutputs(ref.golden!, jsGot);
      expect(check.ok, check.problem ?? '').toBe(true);
      expect(check.maxDiff).toBeLessThan(1e-5);
    }
  });

  it('an unwritten output (every pClick sigmoid(1), as WebGPU served it) fails, naming the row', () => {
    const g = manifest.models.ranker.golden!;
    const check = checkGoldenOutputs(g, { pClick: new Float32Array(g.rows).fill(0.7310585), watchFraction: new Float32Array(g.rows).fill(1) });
    expect(check.ok).toBe(false);
    expect(check.problem).toMatch(/^pClick row 0: got 0\.73105/);
    expect(checkGoldenOutputs(g, { pClick: Float32Array.from(g.outputs.pClick!) }).problem).toMatch(/watchFraction: expected 8 values, got none/);
    const nan = Float32Array.from(g.outputs.pClick!);
    nan[3] = NaN;
    expect(checkGoldenOutputs(g, { pClick: nan, watchFraction: Float32Array.from(g.outputs.watchFraction!) })).toMatchObject({ ok: false, maxDiff: Infinity });
    // Within tolerance passes.
    const near = Float32Array.from(g.outputs.pClick!, (x) => x + RELEASE_CONTRACT_DEFAULTS.goldenTolerance / 2);
    expect(checkGoldenOutputs(g, { pClick: near, watchFraction: Float32Array.from(g.outputs.watchFraction!) }).ok).toBe(true);
  });

  it('the top ids are what scoring the head shard gives; a wrong order fails, a tie may swap', async () => {
    const r = manifest.retrievalGolden!;
    const head = decodeShard(new Uint8Array(await readFile(join(dir, shardArtifacts(manifest).head.url))));
    const top = topK(scoreShard(Float32Array.from(r.query), head), r.ids.length);
    const got = { ids: Array.from(top.indices, (i) => String(head.id(i))), scores: top.scores };
    expect(checkGoldenTopK(r, got)).toEqual({ ok: true, maxDiff: 0, problem: null });
    const swapped = [...got.ids];
    [swapped[0], swapped[5]] = [swapped[5]!, swapped[0]!];
    expect(checkGoldenTopK(r, { ids: swapped, scores: got.scores }).problem).toMatch(/^rank 0: item/);
    expect(checkGoldenTopK(r, { ids: got.ids, scores: got.scores.map((s) => s + 1e-3) }).problem).toMatch(/^rank 0: score/);
    expect(checkGoldenTopK(r, { ids: got.ids.slice(1), scores: got.scores.slice(1) }).ok).toBe(false);
    // Two items whose scores tie within the tolerance may come in either order.
    const tied = { ...r, scores: r.scores.map((s, i) => (i === 1 ? r.scores[0]! : s)) };
    const flipped = [...got.ids];
    [flipped[0], flipped[1]] = [flipped[1]!, flipped[0]!];
    expect(checkGoldenTopK(tied, { ids: flipped, scores: Float32Array.from(tied.scores) }).ok).toBe(true);
  });

  it('parseManifest refuses golden vectors that do not fit the model or the spec', async () => {
    const raw = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8'));
    const width = tensorLayout(spec).find((t) => t.tensor === 'history:ids')!.width;
    const cases: Array<[(m: any) => void, string]> = [
      [(m) => delete m.models.ranker.golden.inputs['history:ids'], 'models.ranker.golden.inputs'],
      [(m) => (m.models.ranker.golden.inputs['history:ids'].dims = [4, width + 1]), 'models.ranker.golden.inputs["history:ids"].dims'],
      // A per-user ranker's history has a row per user (4), not per row (8).
      [(m) => (m.models.ranker.golden.inputs['history:ids'].dims = [8, width]), 'models.ranker.golden.inputs["history:ids"].dims'],
      [(m) => (m.models.ranker.golden.inputs[USER_INDEX_TENSOR].data[2] = -1), `models.ranker.golden.inputs["${USER_INDEX_TENSOR}"].data`],
      [(m) => delete m.models.ranker.golden.inputs[USER_INDEX_TENSOR], 'models.ranker.golden.inputs'],
      [(m) => (m.models.ranker.golden.inputs['history:ids'].type = 'float32'), 'models.ranker.golden.inputs["history:ids"].type'],
      [(m) => m.models.ranker.golden.outputs.pClick.pop(), 'models.ranker.golden.outputs.pClick'],
      [(m) => (m.models.userTower.golden.outputs.userVector = m.models.userTower.golden.outputs.userVector.slice(1)), 'models.userTower.golden.outputs.userVector'],
      [(m) => (m.retrievalGolden.shard = 'cluster-0'), 'retrievalGolden.shard'],
      [(m) => m.retrievalGolden.query.pop(), 'retrievalGolden.query'],
    ];
    for (const [mutate, field] of cases) {
      const m = structuredClone(raw);
      mutate(m);
      expect(() => parseManifest(m), field).toThrow(expect.objectContaining({ name: 'ValidationError', field }));
    }
  });

  it('the model bytes must load: a stand-in ranker fails with a hint, unless golden is false', async () => {
    const base = {
      created: '2024-03-01T00:00:00Z',
      featureSpec: spec,
      embeddingDim: DIM,
      items: [{ id: 'a', embedding: Float32Array.of(1, 0, 0, 0, 0, 0, 0, 0) }],
      popularity: Float32Array.of(1),
      models: { ranker: { bytes: new TextEncoder().encode('not ONNX'), inputs: manifest.models.ranker.inputs, outputs: { pClick: 'p_click' } } },
      seed: 1,
    };
    await expect(writeRelease({ ...base, outDir: join(root, 'stand-in') })).rejects.toMatchObject({ name: 'ReleaseInputError', field: 'models.ranker.bytes' });
    const plain = await writeRelease({ ...base, outDir: join(root, 'plain'), golden: false });
    expect(plain.manifest.models.ranker.golden).toBeUndefined();
    expect(plain.manifest.retrievalGolden).toBeUndefined();
    expect(rankerBytes.length).toBeGreaterThan(0);
  });
});
