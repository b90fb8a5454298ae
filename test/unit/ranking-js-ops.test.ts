// The plain-JS ONNX operators against values worked out by hand (the whole-model parity with
// onnxruntime is test/browser/feed-parity.test.ts, ranking 'js').
import { describe, expect, it } from 'vitest';
import { runNode, type JsTensor } from '../../workers/ranking/js/ops.ts';
import type { OnnxNode } from '../../workers/ranking/js/onnx-reader.ts';

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
