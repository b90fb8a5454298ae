/**
 * Row-wise unit vectors as the trainer computes them (two-tower.ts l2Normalize):
 *
 *   y · rsqrt(max(Σ y², eps))        eps floors the squared norm
 *
 * The onnx layer `l2Normalize` computes y / max(||y||, eps), flooring the norm instead (PyTorch's
 * convention). The two differ only for norms near or below sqrt(eps), but the device must
 * compute what was trained, so the towers use this one. rsqrt is spelt 1 / Sqrt then Mul, op for
 * op what tfjs does, and the floor is a Clip with a scalar min, which is max(s, eps) (Clip rather
 * than Max for the WebGPU reason given in onnx/defaults.ts).
 */
import type { OnnxGraph } from '../onnx/index.ts';

/** y [N, D] -> y · rsqrt(max(ReduceSum(y², 1, keepdims), eps)) [N, D]. */
export function unitRows(g: OnnxGraph, y: string, eps: number): string {
  const squares = first(g.node('Mul', [y, y]));
  const sum = first(g.node('ReduceSum', [squares, g.constant(BigInt64Array.of(1n), [1], 'axes_1')], { keepdims: 1 })); // [N, 1]
  const floored = first(g.node('Clip', [sum, g.constant(Float32Array.of(eps), [], 'scalar')]));
  const rsqrt = first(g.node('Div', [g.constant(Float32Array.of(1), [], 'scalar'), first(g.node('Sqrt', [floored]))]));
  return first(g.node('Mul', [y, rsqrt]));
}

function first(names: string[]): string {
  return names[0]!;
}
