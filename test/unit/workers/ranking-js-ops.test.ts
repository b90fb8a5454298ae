// The plain-JS ONNX operators against values worked out by hand (the whole-model parity with
// onnxruntime is test/browser/feed-parity.test.ts, ranking 'js').
import { describe, expect, it } from 'vitest';
import { runNode, type JsTensor } from '../../../workers/ranking/js/ops.ts';
import type { OnnxNode } from '../../../workers/ranking/js/onnx-reader.ts';
import { matmulBias } from '../../../workers/ranking/js/gemm.ts';
import { gatherWeightedSum } from '../../../workers/ranking/js/gather-pool.ts';
import { fuseGatherPool, FUSED_GATHER_POOL } from '../../../workers/ranking/js/fuse.ts';
import { createJsSession } from '../../../workers/ranking/js/index.ts';
import { readOnnx } from '../../../workers/ranking/js/onnx-reader.ts';
import { OnnxGraph, maskedMeanPool, weightedSumPool, concat, dense } from '../../../src/pipeline/onnx/index.ts';

const node = (opType: string, attributes: OnnxNode['attributes'] = {}): OnnxNode => ({ opType, name: opType, inputs: [], outputs: [], attributes });
const f = (dims: number[], values: number[]): JsTensor => ({ dims, data: Float32Array.from(values) });
const i64 = (values: number[]): JsTensor => ({ dims: [values.length], data: BigInt64Array.from(values.map(BigInt)) });
const run = (n: OnnxNode, ...inputs: Array<JsTensor | undefined>) => runNode(n, inputs)[0]!;
const values = (t: JsTensor) => Array.from(t.data as ArrayLike<number>);

describe('plain-JS ONNX operators', () => {
  it('broadcasts Mul and Add as numpy does', () => {
    const a = f([2, 3], [1, 2, 3, 4, 5, 6]);
    expect(values(run(node('Mul'), a, f([3], [10, 20, 30])))).toEqual([10, 40, 90, 40, 100, 180]);
    const y = run(node('Add'), a, f([2, 1], [100, 200]));
    expect(y.dims).toEqual([2, 3]);
    expect(values(y)).toEqual([101, 102, 103, 204, 205, 206]);
    expect(values(run(node('Div'), f([], [1]), f([2], [2, 4])))).toEqual([0.5, 0.25]);
    expect(() => run(node('Add'), a, f([2], [1, 2]))).toThrow(/do not broadcast/);
  });

  it('gathers rows, multiplies matrices, applies Gemm', () => {
    const table = f([3, 2], [0, 0, 1, 2, 3, 4]);
    const g = run(node('Gather', { axis: 0 }), table, { dims: [2, 2], data: Int32Array.of(2, 1, 0, 2) });
    expect(g.dims).toEqual([2, 2, 2]);
    expect(values(g)).toEqual([3, 4, 1, 2, 0, 0, 3, 4]);
    expect(() => run(node('Gather', { axis: 0 }), table, { dims: [1], data: Int32Array.of(3) })).toThrow(/outside/);
    const m = run(node('MatMul'), f([2, 2], [1, 2, 3, 4]), f([2, 3], [1, 0, 1, 0, 1, 1]));
    expect(values(m)).toEqual([1, 2, 3, 3, 4, 7]);
    const gm = run(node('Gemm', { alpha: 2, beta: 1 }), f([1, 2], [1, 1]), f([2, 1], [3, 4]), f([1], [0.5]));
    expect(values(gm)).toEqual([14.5]);
  });

  it('reduces, squeezes, unsqueezes, clips, casts and concatenates', () => {
    const x = f([2, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8]);
    const r = run(node('ReduceSum', { keepdims: 0 }), x, i64([1]));
    expect(r.dims).toEqual([2, 2]);
    expect(values(r)).toEqual([4, 6, 12, 14]);
    expect(run(node('ReduceSum', { keepdims: 1 }), x, i64([1])).dims).toEqual([2, 1, 2]);
    expect(run(node('Unsqueeze'), f([2, 3], [0, 0, 0, 0, 0, 0]), i64([2])).dims).toEqual([2, 3, 1]);
    expect(run(node('Squeeze'), f([2, 1], [1, 2]), i64([1])).dims).toEqual([2]);
    expect(values(run(node('Clip'), f([3], [-1, 0.5, 9]), f([], [0]), f([], [1])))).toEqual([0, 0.5, 1]);
    const mask = run(node('Greater'), { dims: [3], data: Int32Array.of(0, 2, 5) }, { dims: [], data: Int32Array.of(0) });
    expect(values(run(node('Cast', { to: 1 }), mask))).toEqual([0, 1, 1]);
    const c = run(node('Concat', { axis: 1 }), f([2, 1], [1, 2]), f([2, 2], [3, 4, 5, 6]));
    expect(values(c)).toEqual([1, 3, 4, 2, 5, 6]);
    expect(values(run(node('Sigmoid'), f([1], [0])))).toEqual([0.5]);
    expect(() => run(node('Softmax'), f([1], [0]))).toThrow(/Softmax is not implemented/);
  });
});

// ---------- the fast paths (issue 12: 500 rows in ≤ 15 ms) must be the same arithmetic ----------


function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32 - 0.5;
  };
}

function naiveGemm(x: Float32Array, m: number, k: number, w: Float32Array, n: number, b: Float32Array | null): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
    let s = b ? b[j]! : 0;
    for (let p = 0; p < k; p++) s += x[i * k + p]! * w[p * n + j]!;
    out[i * n + j] = s;
  }
  return out;
}

describe('plain-JS fast kernels', () => {
  it.each([
    [1, 1, 1],
    [3, 5, 7],
    [17, 9, 6],
    [40, 33, 13],
  ])('matmulBias [%i x %i] · [.., %i] equals the plain sum, with and without constant columns', (m, k, n) => {
    const r = seeded(m * 100 + k);
    const w = Float32Array.from({ length: k * n }, r);
    const b = Float32Array.from({ length: n }, r);
    const x = Float32Array.from({ length: m * k }, r);
    // Every third column the same in all rows (a user's features, shared by a feed's candidates).
    for (let p = 0; p < k; p += 3) for (let i = 1; i < m; i++) x[i * k + p] = x[p]!;
    for (const [bias, alpha, beta] of [[null, 1, 1], [b, 1, 1], [b, 2, 0.5]] as const) {
      const got = matmulBias(x, m, k, w, n, bias, alpha, beta);
      const want = naiveGemm(x, m, k, w, n, null);
      for (let i = 0; i < m * n; i++) expect(got[i]).toBeCloseTo(alpha * want[i]! + (bias ? beta * bias[i % n]! : 0), 5);
    }
  });

  it('gatherWeightedSum equals Gather, Mul and ReduceSum, skipping weight 0 and repeating rows', () => {
    const r = seeded(5);
    const [rows, e, n, l] = [7, 3, 6, 4];
    const table = Float32Array.from({ length: rows * e }, r);
    const ids = Int32Array.from([1, 2, 0, 0, 1, 2, 0, 0, 6, 6, 5, 0, 6, 6, 5, 0, 3, 4, 5, 6, 0, 0, 0, 0]);
    const weights = Float32Array.from(ids, (id, i) => (id === 0 ? 0 : 0.25 + ((i % l) % 3)));
    const got = gatherWeightedSum(table, rows, e, ids, weights, n, l);
    const g = run(node('Gather', { axis: 0 }), { dims: [rows, e], data: table }, { dims: [n, l], data: ids });
    const p = run(node('Mul'), g, { dims: [n, l, 1], data: weights });
    const want = run(node('ReduceSum', { keepdims: 0 }), p, i64([1]));
    expect(Array.from(got)).toEqual(values(want));
    expect(Array.from(got.subarray(3 * e, 4 * e))).toEqual(Array.from(got.subarray(2 * e, 3 * e)));
    expect(Array.from(got.subarray(5 * e))).toEqual([0, 0, 0]);
    expect(() => gatherWeightedSum(table, rows, e, Int32Array.of(9), Float32Array.of(1), 1, 1)).toThrow(/outside/);
  });

  it('a model with both history poolings runs fused, with the unfused results', () => {
    const r = seeded(9);
    const g = new OnnxGraph('pools');
    const ids = g.input('ids', 'int32', ['N', 5]);
    const w = g.input('w', 'float32', ['N', 5]);
    const table = { data: Float32Array.from({ length: 10 * 4 }, r), dims: [10, 4] };
    const table2 = { data: Float32Array.from({ length: 10 * 4 }, r), dims: [10, 4] };
    const x = concat(g, [maskedMeanPool(g, ids, table), weightedSumPool(g, ids, w, table2)]);
    g.output('y', 'float32', ['N', 3], dense(g, x, { data: Float32Array.from({ length: 8 * 3 }, r), dims: [8, 3] }, Float32Array.from({ length: 3 }, r), 'sigmoid'));
    const bytes = g.toBytes({ opset: 13 });
    const model = readOnnx(bytes);
    const fused = fuseGatherPool(model);
    expect(fused.filter((n) => n.opType === FUSED_GATHER_POOL)).toHaveLength(2);
    expect(fused.some((n) => n.opType === 'Gather')).toBe(false);
    const rows = 40;
    const idData = Int32Array.from({ length: rows * 5 }, (_, i) => (i % 7 === 0 ? 0 : (i * 3) % 10));
    const wData = Float32Array.from({ length: rows * 5 }, (_, i) => (idData[i] === 0 ? 0 : ((i % 4) + 1) / 4));
    const got = createJsSession(bytes).run({ ids: { dims: [rows, 5], data: idData }, w: { dims: [rows, 5], data: wData } }).y!;
    // Reference: the nodes one by one, unfused.
    const vals = new Map<string, JsTensor>([...model.initializers].map(([k, t]) => [k, { dims: t.dims, data: t.data }]));
    vals.set('ids', { dims: [rows, 5], data: idData });
    vals.set('w', { dims: [rows, 5], data: wData });
    for (const n of model.nodes) runNode(n, n.inputs.map((i) => vals.get(i))).forEach((t, k) => vals.set(n.outputs[k]!, t));
    const want = values(vals.get('y')!);
    const diff = Math.max(...values(got).map((v, i) => Math.abs(v - want[i]!)));
    expect(diff).toBeLessThan(1e-6);
  });
});
