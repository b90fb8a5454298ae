/**
 * Dense layers, x·W + b with W [in, out], as explicit variables. Plain MatMul + Add (not tfjs's
 * fused matmul): each maps one-to-one onto an ONNX node, and both have gradients on wasm.
 */
import * as tf from '@tensorflow/tfjs-core';
import { glorotVariable, readWeight, zerosVariable } from './variables.ts';
import type { WeightMap } from './weights.ts';

export interface DenseLayer {
  /** [in, out] */
  W: tf.Variable;
  /** [out] */
  b: tf.Variable;
}

/** Glorot-uniform W (stream `<name>.W` under `seed`), zero b. */
export function initDense(inDim: number, outDim: number, seed: number, name: string): DenseLayer {
  return { W: glorotVariable(inDim, outDim, seed, `${name}.W`), b: zerosVariable([outDim]) };
}

/** Layers of the given output sizes, named `<prefix>.0`, `<prefix>.1`, ... */
export function initStack(inDim: number, sizes: readonly number[], seed: number, prefix: string): DenseLayer[] {
  const layers: DenseLayer[] = [];
  let width = inDim;
  sizes.forEach((size, i) => {
    layers.push(initDense(width, size, seed, `${prefix}.${i}`));
    width = size;
  });
  return layers;
}

export function applyDense(x: tf.Tensor, layer: DenseLayer, relu: boolean): tf.Tensor2D {
  const y = tf.add(tf.matMul(x as tf.Tensor2D, layer.W as tf.Tensor2D), layer.b);
  return (relu ? tf.relu(y) : y) as tf.Tensor2D;
}

/** Every layer relu, or every layer but the last when `linearLast` (a tower's output layer). */
export function applyStack(x: tf.Tensor, layers: readonly DenseLayer[], linearLast: boolean): tf.Tensor2D {
  let h = x as tf.Tensor2D;
  layers.forEach((layer, i) => {
    h = applyDense(h, layer, !(linearLast && i === layers.length - 1));
  });
  return h;
}

export function denseVariables(layers: readonly DenseLayer[]): tf.Variable[] {
  return layers.flatMap((l) => [l.W, l.b]);
}

/** Writes `<prefix>.<i>.W` and `<prefix>.<i>.b` (or `<prefix>.W`/`.b` for a single named layer). */
export function exportStack(out: WeightMap, layers: readonly DenseLayer[], prefix: string): void {
  layers.forEach((l, i) => exportDense(out, l, `${prefix}.${i}`));
}

export function exportDense(out: WeightMap, layer: DenseLayer, name: string): void {
  out[`${name}.W`] = readWeight(layer.W);
  out[`${name}.b`] = readWeight(layer.b);
}

export function disposeDense(layers: readonly DenseLayer[]): void {
  for (const l of layers) {
    l.W.dispose();
    l.b.dispose();
  }
}
