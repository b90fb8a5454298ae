/**
 * Training and batch embedding of the two-tower model.
 *
 * Each training row is one (user, positive item) pair: the user's features (history, user and
 * context features) and the item's features, side by side. A batch of B rows gives a B x B
 * score matrix; row i's positive is column i, the other columns are its negatives (the other
 * rows' positives). Loss: in-batch sampled softmax with log-Q correction (losses.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import { ensureTrainingBackend } from './backend.ts';
import { FIT_DEFAULTS } from './defaults.ts';
import { TrainInputError } from './errors.ts';
import { fit, type FitOptions, type TrainResult } from './fit.ts';
import { duplicateMask, inBatchSoftmaxLoss } from './losses.ts';
import { checkFeatureTensors, selectRows, sliceRows, toTfInputs, type FeatureTensors, type ModelInput } from './model-inputs.ts';
import { itemTower, twoTowerVariables, userTower, type TwoTowerParams } from './two-tower.ts';

export interface TwoTowerTrainingData {
  /** Feature tensors of both towers, N rows: row i = a user and one item that user engaged with. */
  inputs: FeatureTensors;
  /**
   * Positives per item id (indexed by the id feature's ids, length = its table rows), from which
   * q = count / total. Default: counted over `inputs`, i.e. exactly how often each item turns up
   * as an in-batch negative here.
   */
  itemCounts?: ArrayLike<number>;
}

/** One minibatch as tensors, with what the loss needs besides the features. */
export interface TwoTowerBatch {
  inputs: Record<string, tf.Tensor>;
  /** Item id of each row (the id feature's ids), for the duplicate mask. */
  itemKeys: Int32Array;
  /** log q of each row's item, [B]; null for no correction. */
  logQ: Float32Array | null;
}

/**
 * log q per item id: log(count / total), with unseen ids given the log of half a count (they
 * are never in-batch negatives during this training; the value only has to be finite).
 */
export function itemLogQ(counts: ArrayLike<number>): Float32Array {
  let total = 0;
  for (let i = 0; i < counts.length; i++) total += counts[i]!;
  const out = new Float32Array(counts.length);
  for (let i = 0; i < counts.length; i++) out[i] = Math.log(Math.max(counts[i]!, 0.5) / Math.max(total, 1));
  return out;
}

/** How often each id of `ids` occurs: counts of length `rows`. */
export function countIds(ids: Int32Array, rows: number): Float64Array {
  const counts = new Float64Array(rows);
  for (let i = 0; i < ids.length; i++) counts[ids[i]!]! += 1;
  return counts;
}

/** The training loss of a batch: in-batch softmax over B x B, log-Q corrected, duplicates masked. */
export function twoTowerLoss(p: TwoTowerParams, batch: TwoTowerBatch): tf.Scalar {
  const u = userTower(p, batch.inputs);
  const v = itemTower(p, batch.inputs);
  const b = batch.itemKeys.length;
  const mask = duplicateMask(batch.itemKeys, p.config.duplicateMask);
  return inBatchSoftmaxLoss(u, v, {
    temperature: p.config.temperature,
    logQ: batch.logQ && p.config.logQCorrection ? tf.tensor1d(batch.logQ) : null,
    mask: mask ? tf.tensor2d(mask, [b, b]) : null,
  });
}

/**
 * Trains `p` in place (see FitOptions and FIT_DEFAULTS). Same seeds, same loss curve.
 * In-batch negatives need batches of more than one row: batchSize should be in the hundreds.
 */
export async function trainTwoTower(p: TwoTowerParams, data: TwoTowerTrainingData, options: Partial<FitOptions> = {}): Promise<TrainResult> {
  await ensureTrainingBackend();
  const n = checkFeatureTensors(p.inputs, data.inputs);
  const idName = p.config.itemIdFeature;
  const ids = data.inputs[idName]!.data as Int32Array;
  const rows = p.tableSpecs.find((t) => t.feature === idName)!.rows;
  let counts: ArrayLike<number> = countIds(ids, rows);
  if (data.itemCounts) {
    if (data.itemCounts.length !== rows) {
      throw new TrainInputError('itemCounts', `must have one count per row of the "${idName}" table (${rows}), got ${data.itemCounts.length}`);
    }
    counts = data.itemCounts;
  }
  const logQById = itemLogQ(counts);
  return fit(
    n,
    twoTowerVariables(p),
    (batchRows) => {
      const itemKeys = new Int32Array(batchRows.length);
      const logQ = new Float32Array(batchRows.length);
      for (let i = 0; i < batchRows.length; i++) {
        itemKeys[i] = ids[batchRows[i]!]!;
        logQ[i] = logQById[itemKeys[i]!]!;
      }
      return twoTowerLoss(p, { inputs: toTfInputs(p.inputs, selectRows(p.inputs, data.inputs, batchRows)), itemKeys, logQ });
    },
    options,
  );
}

function embed(
  layoutInputs: readonly ModelInput[],
  tower: (inputs: Record<string, tf.Tensor>) => tf.Tensor2D,
  dim: number,
  inputs: FeatureTensors,
  batchSize: number,
): Float32Array {
  const n = checkFeatureTensors(layoutInputs, inputs);
  const out = new Float32Array(n * dim);
  for (let start = 0; start < n; start += batchSize) {
    const end = Math.min(n, start + batchSize);
    tf.tidy(() => {
      out.set(tower(toTfInputs(layoutInputs, sliceRows(layoutInputs, inputs, start, end))).dataSync(), start * dim);
    });
  }
  return out;
}

/** User vectors, row-major [N, outputDim], from the user tower's inputs only. */
export function embedUsers(p: TwoTowerParams, inputs: FeatureTensors, options: { batchSize?: number } = {}): Float32Array {
  return embed(p.userLayout.inputs, (t) => userTower(p, t), p.config.outputDim, inputs, options.batchSize ?? FIT_DEFAULTS.predictBatchSize);
}

/** Item vectors, row-major [N, outputDim], from the item tower's inputs only. */
export function embedItems(p: TwoTowerParams, inputs: FeatureTensors, options: { batchSize?: number } = {}): Float32Array {
  return embed(p.itemLayout.inputs, (t) => itemTower(p, t), p.config.outputDim, inputs, options.batchSize ?? FIT_DEFAULTS.predictBatchSize);
}
