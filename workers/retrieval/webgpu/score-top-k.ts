/**
 * The GPU side of one search, as tfjs graphs over the resident matrix. Both start with one
 * matMul, scores = query · matrixᵀ, and end in exactly one readback:
 * - scoreTopK: tf.topk on the GPU (bitonic; ties to the lower index, as src/core topK), values
 *   and indices packed into one float32 tensor: 2·want floats come back, whatever the rows;
 * - scoreAll: every row's score comes back, for the CPU's topK (RETRIEVAL_DEFAULTS.webgpuTopK).
 * Indices are exact as float32 below 2^24 rows (ShardSet caps the item count there).
 */
import type { Tensor2D } from '@tensorflow/tfjs-core';
import type { Tf } from './tfjs-webgpu.ts';

/** [1, 2·want]: the `want` best scores, descending, then their row indices. */
export function scoreTopK(tf: Tf, matrix: Tensor2D, query: Float32Array, want: number): Tensor2D {
  return tf.tidy(() => {
    const { values, indices } = tf.topk(scoreAll(tf, matrix, query), want, true);
    return tf.concat([values, tf.cast(indices, 'float32')], 1) as Tensor2D;
  });
}

/** [1, rows]: query · row for every row of the matrix. */
export function scoreAll(tf: Tf, matrix: Tensor2D, query: Float32Array): Tensor2D {
  return tf.tidy(() => tf.matMul(tf.tensor2d(query, [1, query.length]), matrix, false, true));
}
