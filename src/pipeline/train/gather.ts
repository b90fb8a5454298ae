/**
 * Embedding lookup with its own gradient.
 *
 * tfjs's gradient of Gather scatters dy back with UnsortedSegmentSum, a kernel the wasm backend
 * does not have, so training through tf.gather fails there. The gradient of rows = table[ids]
 * is dTable = onehot(ids, rows)ᵀ · dy: row r receives the sum of dy over the positions whose id
 * is r. We compute exactly that sum with ScatterNd (which the wasm backend has and which adds up
 * repeated indices), in O(ids · dim) instead of the O(ids · rows · dim) of the one-hot matmul,
 * so a 100k-row item table costs no more than a 10-row one. The result is still a dense
 * [rows, dim] gradient, which Adam needs anyway for its moment estimates.
 *
 * The forward pass uses GatherNd with [K, 1] indices rather than GatherV2: same rows, but the
 * wasm GatherV2 kernel copies element by element and is about 20x slower (5.7 ms vs 0.3 ms for
 * 2048 lookups of 32 floats, measured here), which made lookups the biggest cost of a step.
 */
import * as tf from '@tensorflow/tfjs-core';

/**
 * table[ids] for int32 ids of any shape: returns [...ids.shape, dim]. Differentiable with
 * respect to `table` (not `ids`).
 */
export function gatherRows(table: tf.Tensor, ids: tf.Tensor): tf.Tensor {
  const dim = table.shape[1]!;
  const flat = ids.rank === 1 ? ids : tf.reshape(ids, [-1]);
  const lookup = tf.customGrad((t: tf.Tensor | tf.GradSaveFunc, save: tf.Tensor | tf.GradSaveFunc) => {
    const tableT = t as tf.Tensor;
    const indices = tf.reshape(flat, [-1, 1]);
    // Saved, not closed over: the tape keeps saved tensors alive until backprop, whatever
    // tidy scope the lookup ran in.
    (save as tf.GradSaveFunc)([indices]);
    return {
      value: tf.gatherND(tableT, indices),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.scatterND(saved[0]!, dy, tableT.shape),
    };
  });
  const rows = lookup(table);
  return ids.rank === 1 ? rows : tf.reshape(rows, [...ids.shape, dim]);
}

/**
 * Σ_l w[n, l] · table[ids[n, l]] -> [N, dim]: the history pool (a `weighted-sum` part) as one
 * operation, differentiable with respect to `table`. It computes exactly what
 * Sum(Mul(gatherRows(table, ids), w), axis 1) computes, bit for bit: each product rounded to
 * float32, summed in float32 in l order from 0, and the gradient dTable[id] += dy[n] · w[n, l]
 * added in (n, l) order as ScatterNd adds. Why: on the wasm backend that chain materialised
 * [N, L, dim] four times forwards (gather, product, a transpose inside Sum, saved copies) and
 * again backwards, for a history of 300 ids the larger part of a DCN step; here nothing of
 * that size exists. Zero weights (padding) add a zero, so they are skipped.
 */
export function weightedRowSum(table: tf.Tensor, ids: tf.Tensor, weights: tf.Tensor): tf.Tensor2D {
  const [rows, dim] = table.shape as [number, number];
  const [n, length] = ids.shape as [number, number];
  const idv = ids.dataSync() as Int32Array;
  const wv = weights.dataSync() as Float32Array;
  const pool = tf.customGrad((t: tf.Tensor | tf.GradSaveFunc) => {
    const tv = (t as tf.Tensor).dataSync() as Float32Array;
    const out = new Float32Array(n * dim);
    const acc = new Float32Array(dim);
    for (let r = 0; r < n; r++) {
      acc.fill(0);
      for (let l = 0; l < length; l++) {
        const w = wv[r * length + l]!;
        if (w === 0) continue;
        const base = idv[r * length + l]! * dim;
        // A Float32Array store rounds: the product to float32 first, then the float32 sum.
        for (let k = 0; k < dim; k++) acc[k]! += Math.fround(w * tv[base + k]!);
      }
      out.set(acc, r * dim);
    }
    return {
      value: tf.tensor2d(out, [n, dim]),
      gradFunc: (dy: tf.Tensor) => {
        const g = dy.dataSync() as Float32Array;
        const grad = new Float32Array(rows * dim);
        for (let r = 0; r < n; r++) {
          for (let l = 0; l < length; l++) {
            const w = wv[r * length + l]!;
            if (w === 0) continue;
            const base = idv[r * length + l]! * dim;
            for (let k = 0; k < dim; k++) grad[base + k]! += Math.fround(g[r * dim + k]! * w);
          }
        }
        return tf.tensor2d(grad, [rows, dim]);
      },
    };
  });
  return pool(table) as tf.Tensor2D;
}
