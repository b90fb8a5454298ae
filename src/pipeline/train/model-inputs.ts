/**
 * The input tensors a model reads, checked once up front and cut into minibatches.
 * Data arrives as core FeatureTensors (plain typed arrays from buildFeatureTensors): checking
 * them here, with the tensor named, beats an opaque shape error deep inside a tfjs kernel, and
 * an out-of-range id would otherwise read garbage on the wasm backend instead of throwing.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { FeatureTensor } from '../../core/features/index.ts';
import { TrainInputError } from './errors.ts';

export interface ModelInput {
  /** Tensor name, as tensorLayout() gives it: `<feature>`, `<feature>:ids`, `<feature>:weights`. */
  name: string;
  feature: string;
  dtype: 'int32' | 'float32';
  /** Columns; categorical and bucketized ids have 1 and may also come as a rank-1 [N] tensor. */
  width: number;
  /** For ids: the table's row count; every id must be in [0, rows). */
  rows?: number;
}

export type FeatureTensors = Readonly<Record<string, FeatureTensor>>;

/** Checks that `data` holds every input with the right dtype and width; returns the row count. */
export function checkFeatureTensors(inputs: readonly ModelInput[], data: FeatureTensors, field = 'inputs'): number {
  let n = -1;
  for (const input of inputs) {
    const at = `${field}["${input.name}"]`;
    const t = data[input.name];
    if (t === undefined) {
      throw new TrainInputError(at, `is missing; the model reads ${inputs.map((i) => i.name).join(', ')}`);
    }
    const wantArray = input.dtype === 'int32' ? Int32Array : Float32Array;
    if (t.type !== input.dtype || !(t.data instanceof wantArray)) {
      throw new TrainInputError(at, `must be ${input.dtype} (${wantArray.name}), got ${t.type} (${t.data.constructor.name})`);
    }
    const [rows, width] = t.dims;
    if (width !== input.width || t.data.length !== rows * width) {
      throw new TrainInputError(at, `must be [N, ${input.width}] with N·${input.width} values, got dims [${t.dims.join(', ')}] and ${t.data.length} values`);
    }
    if (n === -1) n = rows;
    else if (rows !== n) throw new TrainInputError(at, `has ${rows} rows, other inputs have ${n}`);
    if (input.rows !== undefined) checkIds(t.data as Int32Array, input.rows, at);
    else checkFinite(t.data as Float32Array, at);
  }
  if (n === -1) throw new TrainInputError(field, 'the model reads no inputs');
  return n;
}

function checkIds(ids: Int32Array, rows: number, at: string): void {
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    if (id < 0 || id >= rows) throw new TrainInputError(`${at}[${i}]`, `id ${id} is outside the table's rows [0, ${rows})`);
  }
}

function checkFinite(values: Float32Array, at: string): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i]!)) throw new TrainInputError(`${at}[${i}]`, `must be finite, got ${values[i]}`);
  }
}

/** The rows `rows` (indices into data) of every input, as new FeatureTensors. */
export function selectRows(inputs: readonly ModelInput[], data: FeatureTensors, rows: ArrayLike<number>): Record<string, FeatureTensor> {
  const out: Record<string, FeatureTensor> = {};
  const n = rows.length;
  for (const input of inputs) {
    const src = data[input.name]!;
    const w = input.width;
    const dst = src.type === 'int32' ? new Int32Array(n * w) : new Float32Array(n * w);
    if (w === 1) {
      for (let r = 0; r < n; r++) dst[r] = src.data[rows[r]!]!;
    } else {
      for (let r = 0; r < n; r++) {
        const from = rows[r]! * w;
        dst.set(src.data.subarray(from, from + w), r * w);
      }
    }
    out[input.name] = { type: src.type, dims: [n, w], data: dst };
  }
  return out;
}

/** The rows [start, end) of every input, as views (no copy). */
export function sliceRows(inputs: readonly ModelInput[], data: FeatureTensors, start: number, end: number): Record<string, FeatureTensor> {
  const out: Record<string, FeatureTensor> = {};
  for (const input of inputs) {
    const src = data[input.name]!;
    const w = input.width;
    out[input.name] = { type: src.type, dims: [end - start, w], data: src.data.subarray(start * w, end * w) };
  }
  return out;
}

/** tfjs tensors of the inputs ([N, width]); the caller disposes them (or runs inside tf.tidy). */
export function toTfInputs(inputs: readonly ModelInput[], data: FeatureTensors): Record<string, tf.Tensor> {
  const out: Record<string, tf.Tensor> = {};
  for (const input of inputs) {
    const t = data[input.name]!;
    out[input.name] = tf.tensor(t.data, [t.dims[0], t.dims[1]], t.type);
  }
  return out;
}
