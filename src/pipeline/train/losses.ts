/**
 * Losses, written so that their gradients exist and stay finite on the wasm backend.
 *
 * - tf.logSigmoid (and so the usual sigmoid cross-entropy) has no working gradient there, and
 *   log(sigmoid(x)) overflows for large |x|; bceWithLogits uses the stable closed form.
 * - The in-batch softmax computes its own gradient (softmax - onehot) rather than differentiating
 *   through Max/LogSumExp, which keeps the gradient exact and the set of kernels small.
 */
import * as tf from '@tensorflow/tfjs-core';
import { matMulT } from './gradients.ts';

/**
 * Elementwise binary cross-entropy of logits x against targets y in [0, 1]:
 * max(x, 0) - x·y + log(1 + exp(-|x|)), which equals -y·log σ(x) - (1-y)·log(1-σ(x)) without
 * ever exponentiating a positive number. Gradient σ(x) - y, finite for any x.
 */
export function bceWithLogits(logits: tf.Tensor, targets: tf.Tensor): tf.Tensor {
  return tf.add(tf.sub(tf.relu(logits), tf.mul(logits, targets)), tf.log1p(tf.exp(tf.neg(tf.abs(logits)))));
}

/** [[0, 0], [1, 1], ...]: GatherNd/ScatterNd indices of a [b, b] diagonal (cheaper than tf.eye). */
function diagonalIndices(b: number): tf.Tensor2D {
  const idx = new Int32Array(2 * b);
  for (let i = 0; i < b; i++) idx[2 * i] = idx[2 * i + 1] = i;
  return tf.tensor2d(idx, [b, 2], 'int32');
}

/**
 * Mean over rows of -log softmax(logits)[i, i]: cross-entropy with the diagonal as the targets
 * (row i's positive is column i). Gradient (softmax(logits) - I) / B.
 */
export function diagonalSoftmaxCrossEntropy(logits: tf.Tensor2D): tf.Scalar {
  const b = logits.shape[0];
  const loss = tf.customGrad((l: tf.Tensor | tf.GradSaveFunc, save: tf.Tensor | tf.GradSaveFunc) => {
    const x = l as tf.Tensor2D;
    const diagonal = diagonalIndices(b);
    const max = tf.max(x, 1, true);
    const lse = tf.add(tf.log(tf.sum(tf.exp(tf.sub(x, max)), 1)), tf.reshape(max, [-1]));
    (save as tf.GradSaveFunc)([x, diagonal]);
    return {
      value: tf.div(tf.sum(tf.sub(lse, tf.gatherND(x, diagonal))), tf.scalar(b)) as tf.Scalar,
      gradFunc: (dy: tf.Tensor, [xs, idx]: tf.Tensor[]) =>
        tf.mul(tf.sub(tf.softmax(xs!), tf.scatterND(idx!, tf.ones([b]), [b, b])), tf.div(dy, tf.scalar(b))),
    };
  });
  return loss(logits);
}

/**
 * The additive mask of in-batch duplicates: [B, B], `value` where item i and item j (i ≠ j) are
 * the same item, 0 elsewhere; null when the batch has no duplicates. Without it, a popular item
 * that is the positive of two rows of a batch would be pushed down as its own negative.
 */
export function duplicateMask(itemKeys: ArrayLike<number>, value: number): Float32Array | null {
  const b = itemKeys.length;
  const rowsOf = new Map<number, number[]>();
  for (let i = 0; i < b; i++) {
    const key = itemKeys[i]!;
    const rows = rowsOf.get(key);
    if (rows) rows.push(i);
    else rowsOf.set(key, [i]);
  }
  if (rowsOf.size === b) return null;
  const mask = new Float32Array(b * b);
  for (const rows of rowsOf.values()) {
    if (rows.length < 2) continue;
    for (const i of rows) for (const j of rows) if (i !== j) mask[i * b + j] = value;
  }
  return mask;
}

export interface InBatchSoftmaxOptions {
  temperature: number;
  /**
   * log q_j for each column's item, [B]: its probability of being sampled as an in-batch
   * negative, i.e. its share of the training positives. Null: no correction.
   */
  logQ: tf.Tensor1D | null;
  /** From duplicateMask, [B, B]; null when the batch has no duplicates to mask. */
  mask: tf.Tensor2D | null;
}

/**
 * logits_ij = u_i·v_j / τ - log q_j (+ mask_ij).
 *
 * Why log-Q: in-batch negatives are other rows' positives, so an item is sampled as a negative
 * in proportion to its popularity q_j. Uncorrected, the softmax learns to push popular items
 * down by about log q_j (it sees them as negatives far more often than a uniform sample would
 * show them). Subtracting log q_j from the logits (Yi et al., RecSys 2019, "Sampling-bias-
 * corrected neural modeling") makes the sampled softmax an unbiased estimate of the full one;
 * at serving time the plain dot product is used, without the correction.
 */
export function inBatchLogits(user: tf.Tensor2D, item: tf.Tensor2D, options: InBatchSoftmaxOptions): tf.Tensor2D {
  let logits = tf.div(matMulT(user, item, false, true), tf.scalar(options.temperature));
  if (options.logQ) logits = tf.sub(logits, tf.reshape(options.logQ, [1, -1]));
  if (options.mask) logits = tf.add(logits, options.mask);
  return logits as tf.Tensor2D;
}

/** The sampled-softmax loss of a batch of (user, positive item) rows; see inBatchLogits. */
export function inBatchSoftmaxLoss(user: tf.Tensor2D, item: tf.Tensor2D, options: InBatchSoftmaxOptions): tf.Scalar {
  return diagonalSoftmaxCrossEntropy(inBatchLogits(user, item, options));
}
