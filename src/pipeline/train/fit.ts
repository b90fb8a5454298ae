/**
 * The minibatch loop both models train with: seeded shuffling, Adam, per-step and per-epoch
 * losses, progress callbacks, and a stop on a non-finite loss. The model supplies one function,
 * the loss of a batch of row indices; everything else is the same for every model.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ensureTrainingBackend, type TrainingBackendInfo } from './backend.ts';
import { FIT_DEFAULTS } from './defaults.ts';
import { TrainConfigError, TrainDivergedError } from './errors.ts';
import { permutation, streamFor } from './random.ts';
import type { StepPosition } from './weight-average.ts';

export interface TrainProgress {
  /** 0-based epoch. */
  epoch: number;
  epochs: number;
  /** Steps done in this epoch, 1..steps. */
  step: number;
  steps: number;
  /** Mean loss of this epoch so far (weighted by batch size). */
  loss: number;
}

export interface FitOptions {
  epochs: number;
  batchSize: number;
  learningRate: number;
  adamBeta1: number;
  adamBeta2: number;
  adamEpsilon: number;
  shuffle: boolean;
  /** Seed of the shuffles (the weights' seed is the model's). */
  seed: number;
  /** Embedding tables of at least this many rows train with lazy Adam (the DCN; lazy-adam.ts). */
  lazyTableRows: number;
  /** Called after every step; the CLI draws its progress bar from it. */
  onProgress?: (progress: TrainProgress) => void;
  /**
   * Tail averaging (weight-average.ts): the weights a training returns are the mean of the
   * weights after each step of the last epoch past this share of it (0.5: its second half);
   * null: the last step's weights. The DCN reads it.
   */
  averageFrom: number | null;
}

export interface TrainResult {
  /** Mean training loss of each epoch: the loss curve. */
  epochLosses: number[];
  /** Loss of every step, in order. */
  stepLosses: number[];
  /** Rows processed (examples · epochs). */
  examples: number;
  seconds: number;
  examplesPerSecond: number;
  backend: TrainingBackendInfo;
}

/** Defaults filled in and checked; `field` names a bad option. */
export function resolveFitOptions(options: Partial<FitOptions> = {}): FitOptions {
  const o: FitOptions = { ...FIT_DEFAULTS, seed: 0, ...options };
  const positiveInt = (name: 'epochs' | 'batchSize') => {
    if (!Number.isInteger(o[name]) || o[name] < 1) throw new TrainConfigError(name, `must be an integer ≥ 1, got ${o[name]}`);
  };
  positiveInt('epochs');
  positiveInt('batchSize');
  if (!(o.learningRate > 0 && Number.isFinite(o.learningRate))) {
    throw new TrainConfigError('learningRate', `must be a finite number > 0, got ${o.learningRate}`);
  }
  if (!Number.isInteger(o.seed)) throw new TrainConfigError('seed', `must be an integer, got ${o.seed}`);
  if (!(Number.isInteger(o.lazyTableRows) && o.lazyTableRows >= 0)) {
    throw new TrainConfigError('lazyTableRows', `must be an integer ≥ 0, got ${o.lazyTableRows}`);
  }
  if (o.averageFrom !== null && !(o.averageFrom >= 0 && o.averageFrom < 1)) {
    throw new TrainConfigError('averageFrom', `must be null or a share of the last epoch in [0, 1), got ${o.averageFrom}`);
  }
  return o;
}

/** The loss of the rows `rows` (indices into the training set) as a scalar tensor. */
export type BatchLoss = (rows: Uint32Array) => tf.Scalar;

/**
 * One optimizer step on one batch: returns the batch's loss before the update. Every tensor it
 * makes is freed before it returns.
 *
 * Pass the same variables in the same order at every step: tfjs's Adam keeps its moment
 * estimates by position in this list, not by variable, so a reordered list would silently mix
 * up moments (or fail on a shape mismatch). The models' `*Variables(params)` give a fixed order.
 */
export function optimizerStep(optimizer: tf.Optimizer, variables: readonly tf.Variable[], loss: () => tf.Scalar): number {
  const cost = optimizer.minimize(loss, true, variables as tf.Variable[]);
  if (!cost) throw new Error('optimizer returned no cost');
  const value = cost.dataSync()[0]!;
  cost.dispose();
  return value;
}

export function createAdam(o: FitOptions): tf.Optimizer {
  return tf.train.adam(o.learningRate, o.adamBeta1, o.adamBeta2, o.adamEpsilon);
}

/**
 * Trains `variables` on `n` rows for the given epochs; see TrainResult. `afterStep` runs after
 * every optimizer step (the lazy Adam tables' own update, dcn-train.ts).
 */
export async function fit(
  n: number,
  variables: readonly tf.Variable[],
  batchLoss: BatchLoss,
  options: Partial<FitOptions> = {},
  afterStep?: (at: StepPosition) => void,
): Promise<TrainResult> {
  const o = resolveFitOptions(options);
  const backend = await ensureTrainingBackend();
  if (n < 1) throw new TrainConfigError('data', 'has no rows to train on');
  const steps = Math.ceil(n / o.batchSize);
  const optimizer = createAdam(o);
  const epochLosses: number[] = [];
  const stepLosses: number[] = [];
  const started = performance.now();
  try {
    for (let epoch = 0; epoch < o.epochs; epoch++) {
      const order = o.shuffle ? permutation(n, streamFor(o.seed, `shuffle.${epoch}`)) : Uint32Array.from({ length: n }, (_, i) => i);
      let sum = 0;
      let seen = 0;
      for (let step = 0; step < steps; step++) {
        const rows = order.subarray(step * o.batchSize, Math.min(n, (step + 1) * o.batchSize));
        const loss = optimizerStep(optimizer, variables, () => batchLoss(rows));
        afterStep?.({ epoch, epochs: o.epochs, step: step + 1, steps });
        if (!Number.isFinite(loss)) throw new TrainDivergedError(epoch, step, loss);
        stepLosses.push(loss);
        sum += loss * rows.length;
        seen += rows.length;
        o.onProgress?.({ epoch, epochs: o.epochs, step: step + 1, steps, loss: sum / seen });
      }
      epochLosses.push(sum / seen);
    }
  } finally {
    optimizer.dispose();
  }
  const seconds = (performance.now() - started) / 1000;
  const examples = n * o.epochs;
  return { epochLosses, stepLosses, examples, seconds, examplesPerSecond: examples / seconds, backend };
}
