import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { LazyAdamTable } from '../../../src/pipeline/train/lazy-adam.ts';
import { ensureTrainingBackend } from '../../../src/pipeline/train/index.ts';

const O = { learningRate: 0.01, adamBeta1: 0.9, adamBeta2: 0.999, adamEpsilon: 1e-7 };
const ROWS = 5;
const DIM = 3;
const initial = Float32Array.from({ length: ROWS * DIM }, (_, i) => Math.sin(i + 1) * 0.1);
const gradient = (step: number) => Float32Array.from({ length: ROWS * DIM }, (_, i) => Math.cos(i * 0.7 + step) * (1 + step));

describe('lazy Adam (large embedding tables)', () => {
  it("updates a row as tfjs's Adam does while every step touches it, and leaves an untouched row and its moments alone", async () => {
    await ensureTrainingBackend();
    const dense = tf.variable(tf.tensor2d(initial, [ROWS, DIM]));
    const adam = tf.train.adam(O.learningRate, O.adamBeta1, O.adamBeta2, O.adamEpsilon);
    const own = tf.variable(tf.tensor2d(initial, [ROWS, DIM]));
    const lazy = new LazyAdamTable(own, O);
    const add = (rows: readonly number[], g: Float32Array) => {
      for (const r of rows) {
        const at = lazy.slot(r);
        for (let k = 0; k < DIM; k++) lazy.gradient[at + k]! += g[r * DIM + k]!;
      }
    };
    for (let step = 0; step < 3; step++) {
      const g = gradient(step);
      tf.tidy(() => adam.applyGradients([{ name: dense.name, tensor: tf.tensor2d(g, [ROWS, DIM]) }]));
      // Rows asked twice in one step add up (a table shared by the item and the history).
      add([0, 1, 2, 3, 4], g.map((x) => x / 2));
      add([4, 3, 2, 1, 0], g.map((x) => x / 2));
      expect(lazy.touchedRows).toBe(ROWS);
      lazy.step();
      expect(lazy.touchedRows).toBe(0);
    }
    const want = dense.dataSync();
    for (let i = 0; i < want.length; i++) expect(lazy.values[i]!).toBeCloseTo(want[i]!, 6);
    expect(Math.max(...lazy.values.map((v, i) => Math.abs(v - initial[i]!)))).toBeGreaterThan(0.01);

    // A step that touches rows 1 and 3 only: the others keep their values exactly.
    const before = Float32Array.from(lazy.values);
    add([1, 3], gradient(9));
    lazy.step();
    for (const r of [0, 2, 4]) expect(lazy.values.subarray(r * DIM, (r + 1) * DIM)).toEqual(before.subarray(r * DIM, (r + 1) * DIM));
    for (const r of [1, 3]) expect(lazy.values.subarray(r * DIM, (r + 1) * DIM)).not.toEqual(before.subarray(r * DIM, (r + 1) * DIM));
    // Row 0's moments were not decayed by the step that skipped it, while the bias correction
    // counts every step: its next update (a zero gradient, step 5) uses the moments of step 3.
    const [, m3, v3] = (await adam.getWeights()).map((w) => w.tensor.dataSync());
    add([0], new Float32Array(ROWS * DIM));
    const beforeZero = Float32Array.from(lazy.values.subarray(0, DIM));
    lazy.step();
    for (let k = 0; k < DIM; k++) {
      const m = O.adamBeta1 * m3![k]!;
      const v = O.adamBeta2 * v3![k]!;
      const update = (O.learningRate * (m / (1 - O.adamBeta1 ** 5))) / (Math.sqrt(v / (1 - O.adamBeta2 ** 5)) + O.adamEpsilon);
      expect(lazy.values[k]!).toBeCloseTo(beforeZero[k]! - update, 6);
      expect(Math.abs(update)).toBeGreaterThan(1e-3);
    }

    // finish() hands the values to the variable and frees the handle.
    const tensors = tf.memory().numTensors;
    lazy.finish();
    expect(own.dataSync()).toEqual(lazy.values);
    expect(tf.memory().numTensors).toBe(tensors - 1);
    dense.dispose();
    own.dispose();
    adam.dispose();
  });
});
