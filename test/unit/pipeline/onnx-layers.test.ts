import { afterAll, describe, expect, it } from 'vitest';
import { OnnxGraph, concat, createNodeSession, crossLayer, dense, embeddingLookup, maskedMeanPool, ortForNode, weightedSumPool, type Weights } from '../../../src/pipeline/onnx/index.ts';
import { OnnxShapeError } from '../../../src/pipeline/onnx/errors.ts';
import { dotRows, l2Normalize, sigmoid, type Activation } from '../../../src/pipeline/onnx/layers.ts';

// Each layer is checked against a plain float64 reference of the forward pass the trainer
// computes: the ONNX model must give the same numbers as TensorFlow.js, up to float32 rounding.

const ort = ortForNode();
type OrtTensor = InstanceType<typeof ort.Tensor>;
const TOL = 1e-5;

// ---------- seeded randomness -----------------------------------------------------------------

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

const rand = mulberry32(20240601);
const normal = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
const randInt = (n: number) => Math.floor(rand() * n);

/** Weights scaled by 1/sqrt(fan-in), as an initialiser would, so activations stay O(1). */
function weights(...dims: number[]): Weights {
  const size = dims.reduce((a, b) => a * b, 1);
  const scale = 1 / Math.sqrt(dims[0]!);
  return { data: Float32Array.from({ length: size }, () => normal() * scale), dims };
}
const floats = (n: number, scale = 1) => Float32Array.from({ length: n }, () => normal() * scale);
/** Ids in [1, rows), each a padding 0 with probability `pad`. */
const ids = (n: number, rows: number, pad = 0) =>
  Int32Array.from({ length: n }, () => (rand() < pad ? 0 : 1 + randInt(rows - 1)));

// ---------- float64 reference -----------------------------------------------------------------

/** A row-major [rows, cols] matrix in float64. */
interface Mat {
  rows: number;
  cols: number;
  data: Float64Array;
}

const mat = (rows: number, cols: number, data: ArrayLike<number>): Mat => ({
  rows,
  cols,
  data: Float64Array.from(data),
});
const map = (a: Mat, f: (x: number) => number): Mat => ({ ...a, data: a.data.map(f) });
const zip = (a: Mat, b: Mat, f: (x: number, y: number) => number): Mat => ({
  ...a,
  data: a.data.map((x, i) => f(x, b.data[i]!)),
});

function refMatmul(x: Mat, w: Weights): Mat {
  const [k, n] = w.dims as [number, number];
  const out = new Float64Array(x.rows * n);
  for (let r = 0; r < x.rows; r++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let i = 0; i < k; i++) s += x.data[r * k + i]! * w.data[i * n + j]!;
      out[r * n + j] = s;
    }
  return { rows: x.rows, cols: n, data: out };
}

const refAddBias = (x: Mat, b: Float32Array): Mat => ({ ...x, data: x.data.map((v, i) => v + b[i % x.cols]!) });
const refSigmoid = (x: Mat) => map(x, (v) => 1 / (1 + Math.exp(-v)));

function refDense(x: Mat, W: Weights, b: Float32Array, act: Activation): Mat {
  const y = refAddBias(refMatmul(x, W), b);
  return act === 'relu' ? map(y, (v) => Math.max(v, 0)) : act === 'sigmoid' ? refSigmoid(y) : y;
}

function refCross(x0: Mat, xl: Mat, p: { W?: Weights; V?: Weights; U?: Weights; b: Float32Array }): Mat {
  const t = p.W ? refMatmul(xl, p.W) : refMatmul(refMatmul(xl, p.V!), p.U!);
  return zip(zip(x0, refAddBias(t, p.b), (a, c) => a * c), xl, (a, c) => a + c);
}

/** Σ_l w_l · E[id_l] per row; `w` undefined means the masked mean (weight 1 per real id / count). */
function refPool(idx: Int32Array, len: number, table: Weights, w?: Float32Array): Mat {
  const e = table.dims[1]!;
  const n = idx.length / len;
  const out = new Float64Array(n * e);
  for (let r = 0; r < n; r++) {
    let count = 0;
    for (let l = 0; l < len; l++) {
      const id = idx[r * len + l]!;
      const weight = w ? w[r * len + l]! : id !== 0 ? 1 : 0;
      count += id !== 0 ? 1 : 0;
      for (let j = 0; j < e; j++) out[r * e + j]! += weight * table.data[id * e + j]!;
    }
    if (!w) for (let j = 0; j < e; j++) out[r * e + j]! /= Math.max(count, 1);
  }
  return { rows: n, cols: e, data: out };
}

const refGather = (idx: Int32Array, table: Weights) => refPool(idx, 1, table, new Float32Array(idx.length).fill(1));

function refConcat(xs: Mat[]): Mat {
  const cols = xs.reduce((s, x) => s + x.cols, 0);
  const out = new Float64Array(xs[0]!.rows * cols);
  for (let r = 0; r < xs[0]!.rows; r++) {
    let at = r * cols;
    for (const x of xs) for (let j = 0; j < x.cols; j++) out[at++] = x.data[r * x.cols + j]!;
  }
  return { rows: xs[0]!.rows, cols, data: out };
}

function refRowReduce(x: Mat, f: (row: Float64Array) => Float64Array): Mat {
  const rows = Array.from({ length: x.rows }, (_, r) => f(x.data.subarray(r * x.cols, (r + 1) * x.cols)));
  const cols = rows[0]!.length;
  const out = new Float64Array(x.rows * cols);
  rows.forEach((row, r) => out.set(row, r * cols));
  return { rows: x.rows, cols, data: out };
}

const refL2Normalize = (x: Mat, eps = 1e-12) =>
  refRowReduce(x, (row) => {
    const norm = Math.sqrt(row.reduce((s, v) => s + v * v, 0));
    return row.map((v) => v / Math.max(norm, eps));
  });
const refDotRows = (a: Mat, b: Mat) =>
  refRowReduce(zip(a, b, (x, y) => x * y), (row) => Float64Array.of(row.reduce((s, v) => s + v, 0)));

function maxAbsDiff(got: Float32Array, want: Mat): number {
  expect(got.length).toBe(want.data.length);
  let worst = 0;
  got.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - want.data[i]!))));
  return worst;
}

// ---------- running a graph -------------------------------------------------------------------

const f32 = (data: Float32Array, dims: number[]) => new ort.Tensor('float32', data, dims);
const i32 = (data: Int32Array, dims: number[]) => new ort.Tensor('int32', data, dims);

/** Declares `outs` (name -> [value, width]) as [N, width] outputs, runs once, returns the data. */
async function runGraph(
  g: OnnxGraph,
  outs: Record<string, [string, number]>,
  feeds: Record<string, OrtTensor>,
): Promise<Record<string, Float32Array>> {
  for (const [name, [value, width]] of Object.entries(outs)) g.output(name, 'float32', ['N', width], value);
  const session = await createNodeSession(g.toBytes({ opset: 13, producer: 'ondeck' }));
  try {
    const r = await session.run(feeds);
    return Object.fromEntries(Object.keys(outs).map((k) => [k, r[k]!.data as Float32Array]));
  } finally {
    await session.release();
  }
}

// ---------- one layer at a time ---------------------------------------------------------------

const N = 64;

describe('layers equal a float64 reference of the trainer forward pass', () => {
  it('embeddingLookup gathers rows with int32 ids', async () => {
    const table = weights(30, 6);
    const id = ids(N, 30);
    const g = new OnnxGraph('t');
    const out = embeddingLookup(g, g.input('ids', 'int32', ['N']), table);
    const r = await runGraph(g, { y: [out, 6] }, { ids: i32(id, [N]) });
    expect(maxAbsDiff(r.y!, refGather(id, table))).toBe(0);
  });

  it('maskedMeanPool averages the non-padding rows; an all-padding row gives zeros', async () => {
    const L = 5;
    const table = weights(20, 4);
    const id = ids(N * L, 20, 0.4);
    id.fill(0, 0, L); // row 0: padding only
    id.fill(7, L, 2 * L); // row 1: no padding
    const g = new OnnxGraph('t');
    const out = maskedMeanPool(g, g.input('ids', 'int32', ['N', L]), table);
    const r = await runGraph(g, { y: [out, 4] }, { ids: i32(id, [N, L]) });
    expect(maxAbsDiff(r.y!, refPool(id, L, table))).toBeLessThanOrEqual(TOL);
    expect(r.y!.subarray(0, 4).every((v) => v === 0)).toBe(true); // ±0: 0 · a negative weight is -0
    expect(maxAbsDiff(r.y!.subarray(4, 8), mat(1, 4, table.data.subarray(28, 32)))).toBeLessThanOrEqual(1e-7);
  });

  it('weightedSumPool sums weight · embedding', async () => {
    const L = 6;
    const table = weights(40, 5);
    const id = ids(N * L, 40, 0.3);
    const w = floats(N * L).map((v, i) => (id[i] === 0 ? 0 : Math.abs(v)));
    const g = new OnnxGraph('t');
    const out = weightedSumPool(g, g.input('ids', 'int32', ['N', L]), g.input('w', 'float32', ['N', L]), table);
    const r = await runGraph(g, { y: [out, 5] }, { ids: i32(id, [N, L]), w: f32(w, [N, L]) });
    expect(maxAbsDiff(r.y!, refPool(id, L, table, w))).toBeLessThanOrEqual(TOL);
  });

  it.each(['relu', 'sigmoid', 'none'] as const)('dense x·W + b with %s', async (act) => {
    const W = weights(7, 5);
    const b = floats(5, 0.5);
    const x = floats(N * 7);
    const g = new OnnxGraph('t');
    const out = dense(g, g.input('x', 'float32', ['N', 7]), W, b, act);
    const r = await runGraph(g, { y: [out, 5] }, { x: f32(x, [N, 7]) });
    expect(maxAbsDiff(r.y!, refDense(mat(N, 7, x), W, b, act))).toBeLessThanOrEqual(TOL);
  });

  it('crossLayer, full rank and low rank', async () => {
    const D = 6;
    const full = { W: weights(D, D), b: floats(D, 0.3) };
    const low = { V: weights(D, 2), U: weights(2, D), b: floats(D, 0.3) };
    const x0 = floats(N * D);
    const xl = floats(N * D);
    const g = new OnnxGraph('t');
    const a = g.input('x0', 'float32', ['N', D]);
    const c = g.input('xl', 'float32', ['N', D]);
    const r = await runGraph(
      g,
      { full: [crossLayer(g, a, c, full), D], low: [crossLayer(g, a, c, low), D] },
      { x0: f32(x0, [N, D]), xl: f32(xl, [N, D]) },
    );
    expect(maxAbsDiff(r.full!, refCross(mat(N, D, x0), mat(N, D, xl), full))).toBeLessThanOrEqual(TOL);
    expect(maxAbsDiff(r.low!, refCross(mat(N, D, x0), mat(N, D, xl), low))).toBeLessThanOrEqual(TOL);
  });

  it('concat, l2Normalize (a zero row stays zero), sigmoid, dotRows', async () => {
    const a = floats(N * 4);
    const b = floats(N * 4);
    a.fill(0, 0, 4);
    const g = new OnnxGraph('t');
    const ia = g.input('a', 'float32', ['N', 4]);
    const ib = g.input('b', 'float32', ['N', 4]);
    const r = await runGraph(
      g,
      {
        cat: [concat(g, [ia, ib]), 8],
        unit: [l2Normalize(g, ia), 4],
        sig: [sigmoid(g, ib), 4],
        dot: [dotRows(g, ia, ib), 1],
      },
      { a: f32(a, [N, 4]), b: f32(b, [N, 4]) },
    );
    const [A, B] = [mat(N, 4, a), mat(N, 4, b)];
    expect(maxAbsDiff(r.cat!, refConcat([A, B]))).toBe(0);
    expect(maxAbsDiff(r.unit!, refL2Normalize(A))).toBeLessThanOrEqual(TOL);
    expect(Array.from(r.unit!.subarray(0, 4))).toEqual([0, 0, 0, 0]);
    expect(maxAbsDiff(r.sig!, refSigmoid(B))).toBeLessThanOrEqual(TOL);
    expect(maxAbsDiff(r.dot!, refDotRows(A, B))).toBeLessThanOrEqual(TOL);
  });

  it('refuses weights whose shapes do not fit, with OnnxShapeError naming the part', () => {
    const g = new OnnxGraph('t');
    const x = g.input('x', 'float32', ['N', 4]);
    const shapeError = (fn: () => unknown) => {
      try {
        fn();
      } catch (err) {
        expect(err).toBeInstanceOf(OnnxShapeError);
        expect((err as Error).name).toBe('OnnxShapeError');
        return (err as OnnxShapeError).field;
      }
      throw new Error('no OnnxShapeError');
    };
    expect(shapeError(() => dense(g, x, weights(4, 3), floats(4), 'relu', { name: 'mlp' }))).toBe('mlp.b');
    expect(shapeError(() => crossLayer(g, x, x, { W: weights(4, 3), b: floats(4) }))).toMatch(/^cross.*\.W$/);
    expect(shapeError(() => crossLayer(g, x, x, { V: weights(4, 2), U: weights(3, 4), b: floats(4) }))).toMatch(/\.U$/);
    expect(shapeError(() => embeddingLookup(g, x, { data: floats(4), dims: [4] }))).toMatch(/\.table$/);
  });
});

// ---------- composed models -------------------------------------------------------------------

describe('composed models, 1,000 rows', () => {
  const ROWS = 1000;
  const ITEMS = 2000;
  const E = 8; // item embedding width
  const GENRES = 16;
  const GE = 4; // genre embedding width
  const G = 3; // genre slots per item
  const H = 10; // history length
  const timings: string[] = [];
  afterAll(() => console.log(timings.join('\n')));

  it('mini DCN-V2 ranker: two low-rank cross layers beside a ReLU MLP, two sigmoid heads', async () => {
    const itemTable = weights(ITEMS, E);
    const genreTable = weights(GENRES, GE);
    const D = E + GE + 2 + E;
    const cross1 = { V: weights(D, 4), U: weights(4, D), b: floats(D, 0.1) };
    const cross2 = { V: weights(D, 4), U: weights(4, D), b: floats(D, 0.1) };
    const mlp1 = { W: weights(D, 16), b: floats(16, 0.1) };
    const mlp2 = { W: weights(16, 8), b: floats(8, 0.1) };
    const click = { W: weights(D + 8, 1), b: floats(1, 0.1) };
    const watch = { W: weights(D + 8, 1), b: floats(1, 0.1) };

    const g = new OnnxGraph('ranker');
    const item = g.input('item_id', 'int32', ['N']);
    const genres = g.input('genres', 'int32', ['N', G]);
    const numeric = g.input('numeric', 'float32', ['N', 2]);
    const hist = g.input('hist_ids', 'int32', ['N', H]);
    const histW = g.input('hist_w', 'float32', ['N', H]);
    const itemVec = embeddingLookup(g, item, itemTable, { name: 'item_emb' });
    const tableName = 'item_emb/table'; // shared with the history pooling, stored once
    const genreVec = maskedMeanPool(g, genres, genreTable);
    const histVec = weightedSumPool(g, hist, histW, tableName);
    const x0 = concat(g, [itemVec, genreVec, numeric, histVec]);
    const x1 = crossLayer(g, x0, x0, cross1);
    const x2 = crossLayer(g, x0, x1, cross2);
    const h = dense(g, dense(g, x0, mlp1.W, mlp1.b, 'relu'), mlp2.W, mlp2.b, 'relu');
    const z = concat(g, [x2, h]);
    g.output('p_click', 'float32', ['N', 1], dense(g, z, click.W, click.b, 'sigmoid'));
    g.output('watch_fraction', 'float32', ['N', 1], dense(g, z, watch.W, watch.b, 'sigmoid'));
    const bytes = g.toBytes({ opset: 13, producer: 'ondeck' });
    expect(bytes.length).toBeLessThan(itemTable.data.byteLength * 1.5); // the table is not stored twice

    const inputs = {
      item_id: ids(ROWS, ITEMS),
      genres: ids(ROWS * G, GENRES, 0.4),
      numeric: floats(ROWS * 2),
      hist_ids: ids(ROWS * H, ITEMS, 0.3),
      hist_w: new Float32Array(ROWS * H),
    };
    inputs.hist_w.forEach((_, i) => (inputs.hist_w[i] = inputs.hist_ids[i] === 0 ? 0 : rand() / H));
    const feeds = (n: number): Record<string, OrtTensor> => ({
      item_id: i32(inputs.item_id.subarray(0, n), [n]),
      genres: i32(inputs.genres.subarray(0, n * G), [n, G]),
      numeric: f32(inputs.numeric.subarray(0, n * 2), [n, 2]),
      hist_ids: i32(inputs.hist_ids.subarray(0, n * H), [n, H]),
      hist_w: f32(inputs.hist_w.subarray(0, n * H), [n, H]),
    });

    const session = await createNodeSession(bytes);
    const r = await session.run(feeds(ROWS));
    const t0 = performance.now();
    const runs = 5;
    for (let i = 0; i < runs; i++) await session.run(feeds(500));
    const ms = (performance.now() - t0) / runs;
    await session.release();
    timings.push(`ranker: ${bytes.length} bytes, ${g.nodeCount} nodes; ORT wasm run, 500 rows: ${ms.toFixed(2)} ms`);

    // The same forward pass in float64.
    const rx0 = refConcat([
      refGather(inputs.item_id, itemTable),
      refPool(inputs.genres, G, genreTable),
      mat(ROWS, 2, inputs.numeric),
      refPool(inputs.hist_ids, H, itemTable, inputs.hist_w),
    ]);
    const rx2 = refCross(rx0, refCross(rx0, rx0, cross1), cross2);
    const rh = refDense(refDense(rx0, mlp1.W, mlp1.b, 'relu'), mlp2.W, mlp2.b, 'relu');
    const rz = refConcat([rx2, rh]);
    const pClick = r.p_click!.data as Float32Array;
    const watchFraction = r.watch_fraction!.data as Float32Array;
    expect(r.p_click!.dims).toEqual([ROWS, 1]);
    const diffs = [
      maxAbsDiff(pClick, refDense(rz, click.W, click.b, 'sigmoid')),
      maxAbsDiff(watchFraction, refDense(rz, watch.W, watch.b, 'sigmoid')),
    ];
    const [dClick, dWatch] = diffs.map((d) => d.toExponential(2));
    timings.push(`ranker: max abs diff vs float64, p_click ${dClick}, watch_fraction ${dWatch}`);
    for (const d of diffs) expect(d).toBeLessThanOrEqual(TOL);
    // Not a degenerate model: the scores spread.
    expect(Math.max(...pClick) - Math.min(...pClick)).toBeGreaterThan(0.1);
  });

  it('mini user tower: weighted history pooling + numeric -> MLP -> l2-normalised user vector', async () => {
    const itemTable = weights(ITEMS, E);
    const l1 = { W: weights(E + 3, 16), b: floats(16, 0.1) };
    const l2 = { W: weights(16, E), b: floats(E, 0.1) };
    const g = new OnnxGraph('user_tower');
    const hist = g.input('hist_ids', 'int32', ['N', H]);
    const pooled = weightedSumPool(g, hist, g.input('hist_w', 'float32', ['N', H]), itemTable);
    const x = concat(g, [pooled, g.input('user_numeric', 'float32', ['N', 3])]);
    const u = l2Normalize(g, dense(g, dense(g, x, l1.W, l1.b, 'relu'), l2.W, l2.b, 'none'));

    const histIds = ids(ROWS * H, ITEMS, 0.3);
    const histW = Float32Array.from(histIds, (id) => (id === 0 ? 0 : rand()));
    const numeric = floats(ROWS * 3);
    const r = await runGraph(
      g,
      { user_vec: [u, E] },
      { hist_ids: i32(histIds, [ROWS, H]), hist_w: f32(histW, [ROWS, H]), user_numeric: f32(numeric, [ROWS, 3]) },
    );
    const rx = refConcat([refPool(histIds, H, itemTable, histW), mat(ROWS, 3, numeric)]);
    const want = refL2Normalize(refDense(refDense(rx, l1.W, l1.b, 'relu'), l2.W, l2.b, 'none'));
    const diff = maxAbsDiff(r.user_vec!, want);
    timings.push(`user tower: max abs diff vs float64 ${diff.toExponential(2)}`);
    expect(diff).toBeLessThanOrEqual(TOL);
    for (let i = 0; i < ROWS; i += 97) {
      const row = r.user_vec!.subarray(i * E, (i + 1) * E);
      expect(Math.hypot(...row)).toBeCloseTo(1, 5);
    }
  });
});
