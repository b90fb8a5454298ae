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
