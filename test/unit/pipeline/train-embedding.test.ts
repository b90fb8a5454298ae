import { describe, expect, it, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { ensureTrainingBackend } from '../../../src/pipeline/train/index.ts';
import type { TrainingBackendInfo } from '../../../src/pipeline/train/backend.ts';
import { gatherRows } from '../../../src/pipeline/train/gather.ts';
import { embedParts, type PartsLayout } from '../../../src/pipeline/train/feature-parts.ts';
import { TRAINING_GRADIENT_KERNELS } from '../../../src/pipeline/train/gradients.ts';
import { bceWithLogits } from '../../../src/pipeline/train/losses.ts';
import { createRandom } from '../../../src/pipeline/train/random.ts';
import { l2Normalize } from '../../../src/pipeline/train/two-tower.ts';

let backend: TrainingBackendInfo;
let listenersBefore: number[];
beforeAll(async () => {
  listenersBefore = [process.listenerCount('uncaughtException'), process.listenerCount('unhandledRejection')];
  backend = await ensureTrainingBackend();
});

function randomIds(n: number, rows: number, seed: number): Int32Array {
  const r = createRandom(seed);
  // Few rows, many ids: repeats are certain, which is what the scatter must sum.
  return Int32Array.from({ length: n }, () => r.int(rows));
}

function randomValues(n: number, seed: number): Float32Array {
  const r = createRandom(seed);
  return Float32Array.from({ length: n }, () => 2 * r.next() - 1);
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** Central finite differences of a scalar function of one float32 tensor, in float64 sums. */
function numericGrad(f: (x: tf.Tensor) => tf.Scalar, x0: Float32Array, shape: number[], eps = 1e-2): Float64Array {
  const out = new Float64Array(x0.length);
  const at = (xs: Float32Array) => tf.tidy(() => f(tf.tensor(xs, shape)).dataSync()[0]!);
  for (let i = 0; i < x0.length; i++) {
    const plus = Float32Array.from(x0);
    const minus = Float32Array.from(x0);
    plus[i]! += eps;
    minus[i]! -= eps;
    out[i] = (at(plus) - at(minus)) / (plus[i]! - minus[i]!);
  }
  return out;
}

describe('training backend', () => {
  it('runs on wasm with SIMD, from the installed package', () => {
    expect(backend.backend).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(backend.simd).toBe(true);
    expect(backend.wasmDir).toMatch(/tfjs-backend-wasm[/\\]dist[/\\]$/);
  });

  it("leaves no process listeners behind (Emscripten's rethrowing handlers are removed)", () => {
    expect([process.listenerCount('uncaughtException'), process.listenerCount('unhandledRejection')]).toEqual(listenersBefore);
  });

  it('refuses an unknown backend and names the allowed ones', async () => {
    await expect(ensureTrainingBackend('webgl')).rejects.toMatchObject({ name: 'TrainBackendError', message: expect.stringContaining('wasm') });
  });
});

describe('gatherRows', () => {
  const rows = 7;
  const dim = 3;

  it('looks up the rows and has the gradient of the dense one-hot product, repeats summed', () => {
    const tableValues = randomValues(rows * dim, 1);
    for (const shape of [[40], [10, 4]]) {
      const n = shape.reduce((a, b) => a * b, 1);
      const idsData = randomIds(n, rows, 2 + shape.length);
      const w = randomValues(n * dim, 3);
      const table = tf.tensor2d(tableValues, [rows, dim]);
      const ids = tf.tensor(idsData, shape, 'int32');
      const weight = tf.tensor(w, [...shape, dim]);

      const looked = gatherRows(table, ids);
      expect(looked.shape).toEqual([...shape, dim]);
      const expected = new Float32Array(n * dim);
      for (let i = 0; i < n; i++) expected.set(tableValues.subarray(idsData[i]! * dim, idsData[i]! * dim + dim), i * dim);
      expect(Array.from(looked.dataSync())).toEqual(Array.from(expected));

      const grad = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(gatherRows(t, ids), weight)))(table);
      // Reference: onehot(ids)·table, differentiated through MatMul alone.
      const reference = tf.grad((t: tf.Tensor) =>
        tf.sum(tf.mul(tf.reshape(tf.matMul(tf.oneHot(tf.reshape(ids, [-1]), rows), t as tf.Tensor2D), [...shape, dim]), weight)),
      )(table);
      expect(grad.shape).toEqual([rows, dim]);
      expect(maxAbsDiff(grad.dataSync(), reference.dataSync())).toBeLessThan(1e-5);
      // And by hand: row r gets the sum of the weights of the positions holding r.
      const byHand = new Float64Array(rows * dim);
      for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) byHand[idsData[i]! * dim + j]! += w[i * dim + j]!;
      expect(maxAbsDiff(grad.dataSync(), byHand)).toBeLessThan(1e-5);
      tf.dispose([table, ids, weight, looked, grad, reference]);
    }
  });

  it('trains a variable through optimizer.minimize on wasm', () => {
    const table = tf.variable(tf.zeros([rows, dim]));
    const ids = tf.tensor1d([1, 1, 2], 'int32');
    const opt = tf.train.sgd(0.5);
    opt.minimize(() => tf.sum(gatherRows(table, ids)) as tf.Scalar, false, [table]);
    const t = table.arraySync() as number[][];
    expect(t[0]).toEqual([0, 0, 0]);
    expect(t[1]).toEqual([-1, -1, -1]);
    expect(t[2]).toEqual([-0.5, -0.5, -0.5]);
    opt.dispose();
    table.dispose();
    ids.dispose();
  });
});

describe('embedParts', () => {
  it('gives the numbers of the per-part chain (gather, pools, concat), and its gradients, bit for bit', () => {
    const n = 16, items = 30, cats = 6;
    const layout: PartsLayout = {
      width: 24,
      inputs: [],
      parts: [
        { kind: 'embedding', feature: 'item', offset: 0, width: 8, input: 'item', table: 'item' },
        { kind: 'masked-mean', feature: 'cats', offset: 8, width: 4, input: 'cats', table: 'cats', length: 3 },
        { kind: 'numeric', feature: 'pop', offset: 12, width: 1, input: 'pop' },
        // Reads the item table too: its gradient is the sum of both parts'.
        { kind: 'weighted-sum', feature: 'history', offset: 13, width: 8, ids: 'history:ids', weights: 'history:weights', table: 'item', length: 6 },
        { kind: 'dense', feature: 'share', offset: 21, width: 3, input: 'share' },
      ],
    };
    const item = tf.variable(tf.tensor2d(randomValues(items * 8, 51), [items, 8]));
    const cat = tf.variable(tf.tensor2d(randomValues(cats * 4, 52), [cats, 4]));
    const tables = new Map<string, tf.Tensor>([['item', item], ['cats', cat]]);
    // Id 0 pads the categories (row 0 has none) and zero weights the history's tail.
    const catIds = randomIds(n * 3, cats, 53).map((id, i) => (i < 3 || i % 3 === 2 ? 0 : id));
    const weights = randomValues(n * 6, 54).map((w, i) => (i % 6 >= 4 ? 0 : w));
    const historyIds = randomIds(n * 6, items, 55);
    // Rows 4 and 5 share a history, as a feed's candidates do.
    historyIds.copyWithin(30, 24, 30);
    weights.copyWithin(30, 24, 30);
    const inputs: Record<string, tf.Tensor> = {
      item: tf.tensor2d(randomIds(n, items, 56), [n, 1], 'int32'),
      cats: tf.tensor2d(catIds, [n, 3], 'int32'),
      pop: tf.tensor2d(randomValues(n, 57), [n, 1]),
      'history:ids': tf.tensor2d(historyIds, [n, 6], 'int32'),
      'history:weights': tf.tensor2d(weights, [n, 6]),
      share: tf.tensor2d(randomValues(n * 3, 58), [n, 3]),
    };
    const chain = (t: ReadonlyMap<string, tf.Tensor>) => {
      const ids = inputs['cats']!;
      const mask = tf.cast(tf.notEqual(ids, tf.scalar(0, 'int32')), 'float32');
      const catMean = tf.div(tf.sum(tf.mul(gatherRows(t.get('cats')!, ids), tf.expandDims(mask, 2)), 1), tf.maximum(tf.sum(mask, 1, true), tf.scalar(1)));
      const history = tf.sum(tf.mul(gatherRows(t.get('item')!, inputs['history:ids']!), tf.expandDims(inputs['history:weights']!, 2)), 1);
      return tf.concat([gatherRows(t.get('item')!, tf.reshape(inputs['item']!, [-1])), catMean, inputs['pop']!, history, inputs['share']!], 1);
    };
    const fused = (t: ReadonlyMap<string, tf.Tensor>) => embedParts(layout, t, inputs);
    const dy = tf.tensor2d(randomValues(n * 24, 59), [n, 24]);
    const forward = (f: typeof chain) => tf.tidy(() => Array.from(f(tables).dataSync()));
    const grads = (f: typeof chain) =>
      tf.tidy(() => tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(f(new Map([['item', a], ['cats', b]])), dy)))([item, cat]).map((g) => Array.from(g.dataSync())));
    expect(forward(fused)).toEqual(forward(chain));
    expect(grads(fused)).toEqual(grads(chain));
    expect(forward(fused).slice(8, 12)).toEqual([0, 0, 0, 0]);
    tf.dispose([item, cat, dy, ...Object.values(inputs)]);
  });
});

describe('bceWithLogits', () => {
  const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

  it('equals -y log σ(x) - (1-y) log(1-σ(x)) for moderate logits, soft targets included', () => {
    const xs = [-6, -2.5, -0.3, 0, 0.7, 3, 8];
    const ys = [0, 1, 0.25, 0.5, 1, 0, 0.9];
    const got = tf.tidy(() => bceWithLogits(tf.tensor1d(xs), tf.tensor1d(ys)).dataSync());
    xs.forEach((x, i) => {
      const y = ys[i]!;
      const p = sigmoid(x);
      expect(got[i]!).toBeCloseTo(-y * Math.log(p) - (1 - y) * Math.log(1 - p), 5);
    });
  });

  it('stays finite with gradient σ(x) - y at |logit| = 50', () => {
    const xs = [50, -50, 50, -50];
    const ys = [1, 0, 0, 1];
    const x = tf.tensor1d(xs);
    const y = tf.tensor1d(ys);
    const loss = bceWithLogits(x, y).dataSync();
    // Confident and right: ~exp(-50); confident and wrong: 50.
    expect(Array.from(loss)).toEqual([expect.closeTo(0, 12), expect.closeTo(0, 12), 50, 50]);
    const grad = tf.grad((l: tf.Tensor) => tf.sum(bceWithLogits(l, y)))(x).dataSync();
    for (let i = 0; i < xs.length; i++) {
      expect(Number.isFinite(grad[i]!)).toBe(true);
      expect(grad[i]!).toBeCloseTo(sigmoid(xs[i]!) - ys[i]!, 6);
    }
    tf.dispose([x, y]);
  });
});

describe('registered gradients', () => {
  it('cover the kernels of the models', () => {
    for (const k of ['BatchMatMul', 'Transpose', 'Add', 'Sub', 'Multiply', 'RealDiv', 'Maximum', 'Relu', 'Sigmoid', 'Sum', 'Concat', 'Rsqrt']) {
      expect(TRAINING_GRADIENT_KERNELS).toContain(k);
      expect(tf.getGradient(k)).toBeDefined();
    }
  });

  it('match finite differences through a composite of every kernel', () => {
    const shape = [3, 4];
    const x0 = randomValues(12, 11);
    const w = tf.tensor2d(randomValues(20, 12), [4, 5]);
    const b = tf.tensor1d(randomValues(5, 13));
    // matMul, add, relu, sigmoid, sub, mul, div, maximum, concat, reshape, expandDims, sum, mean,
    // exp, log, log1p, abs, neg, square, sqrt, rsqrt (via l2Normalize), transpose.
    const f = (x: tf.Tensor): tf.Scalar =>
      tf.tidy(() => {
        const h = tf.add(tf.matMul(x as tf.Tensor2D, w), b);
        const a = tf.concat([tf.relu(h), tf.sigmoid(h), tf.neg(tf.abs(x))], 1);
        const n = l2Normalize(a as tf.Tensor2D);
        const s = tf.div(tf.sub(tf.exp(n), tf.sum(tf.log1p(tf.square(x)), 1, true)), tf.maximum(tf.sqrt(tf.add(tf.square(tf.mean(x, 1, true)), 1)), 0.5));
        const e = tf.sum(tf.reshape(tf.expandDims(tf.log(tf.add(tf.square(tf.transpose(h)), 1)), 0), [5, 3]));
        return tf.add(tf.sum(tf.mul(s, tf.scalar(0.3))), e) as tf.Scalar;
      });
    const analytic = tf.grad(f)(tf.tensor2d(x0, [3, 4] as [number, number])).dataSync();
    const numeric = numericGrad(f, x0, shape);
    for (let i = 0; i < x0.length; i++) expect(analytic[i]!).toBeCloseTo(numeric[i]!, 2);
    tf.dispose([w, b]);
  });
});
