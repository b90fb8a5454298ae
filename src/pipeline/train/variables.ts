/**
 * Trainable variables with seeded initial values, and reading them back as plain arrays.
 * Values come from random.ts (not tf.random*), one stream per variable name.
 */
import * as tf from '@tensorflow/tfjs-core';
import { fillUniform, streamFor } from './random.ts';
import type { WeightArray } from './weight-array.ts';

/** Uniform in [-limit, limit]; `name` picks the variable's own random stream under `seed`. */
export function uniformVariable(shape: readonly number[], limit: number, seed: number, name: string): tf.Variable {
  const size = shape.reduce((a, b) => a * b, 1);
  const values = fillUniform(new Float32Array(size), limit, streamFor(seed, name));
  return asVariable(() => tf.tensor(values, shape as number[], 'float32'));
}

/**
 * A variable from a freshly made tensor. tf.variable shares the tensor's data and leaves the
 * tensor itself alive; made inside tidy, the tensor is freed and only the variable remains.
 */
function asVariable(make: () => tf.Tensor): tf.Variable {
  return tf.tidy(() => tf.variable(make(), true));
}

/**
 * Glorot (Xavier) uniform for a [fanIn, fanOut] matrix: limit sqrt(6 / (fanIn + fanOut)) keeps
 * the activation variance about constant through a stack of layers.
 */
export function glorotVariable(fanIn: number, fanOut: number, seed: number, name: string): tf.Variable {
  return uniformVariable([fanIn, fanOut], Math.sqrt(6 / (fanIn + fanOut)), seed, name);
}

export function zerosVariable(shape: readonly number[]): tf.Variable {
  return asVariable(() => tf.zeros(shape as number[], 'float32'));
}

/** A copy of a variable's values with its shape: what exportWeights hands out. */
export function readWeight(v: tf.Tensor): WeightArray {
  const data = v.dataSync();
  if (!(data instanceof Float32Array)) throw new Error(`weight of dtype ${v.dtype} is not float32`);
  return { shape: v.shape.slice(), data: Float32Array.from(data) };
}
