/**
 * Training and batch inference of the DCN-V2 ranker.
 *
 * Loss = mean over rows of BCE(click logit, clicked)
 *      + watchLossWeight · (Σ over clicked rows of BCE(watch logit, watch fraction)) / max(#clicked, 1).
 * The watch head learns E[watch fraction | click]: a non-clicked row has no watch time to learn
 * from, and counting it as 0 would teach the head P(click) a second time.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ensureTrainingBackend } from './backend.ts';
import { dcnLogits, dcnVariables, forwardDcn, type DcnParams } from './dcn.ts';
import { FIT_DEFAULTS } from './defaults.ts';
import { TrainInputError } from './errors.ts';
import { fit, resolveFitOptions, type FitOptions, type TrainResult } from './fit.ts';
import { LazyAdamTable, type TableSource } from './lazy-adam.ts';
import { bceWithLogits } from './losses.ts';
import { checkFeatureTensors, selectRows, sliceRows, toTfInputs, type FeatureTensors } from './model-inputs.ts';
import { WeightAverage, inAverageTail, type StepPosition } from './weight-average.ts';

export interface DcnTrainingData {
  /** Feature tensors (buildFeatureTensors), N rows; those the model reads must be present. */
  inputs: FeatureTensors;
  /** 1 clicked, 0 shown and not clicked; N values. */
  clicks: ArrayLike<number>;
  /**
   * Watch fraction in [0, 1] of each row; read on clicked rows only (others may hold anything,
   * NaN included). Required when the model has a watch head, ignored otherwise.
   */
  watchFractions?: ArrayLike<number>;
}

/** One minibatch as tensors. */
export interface DcnBatch {
  inputs: Record<string, tf.Tensor>;
  /** [B, 1], 0 or 1. */
  clicks: tf.Tensor2D;
  /** [B, 1]; 0 on non-clicked rows. Null without a watch head. */
  watchFractions: tf.Tensor2D | null;
}

export interface DcnLossParts {
  /** What training minimises: click + watchLossWeight · watch. */
  total: tf.Scalar;
  /** Mean click log loss of the batch. */
  click: tf.Scalar;
  /** Mean watch BCE over the batch's clicked rows (before weighting); null without a watch head. */
  watch: tf.Scalar | null;
}

/** The training loss of a batch and its two terms (see the file comment); `tables` as dcnLogits. */
export function dcnLossParts(p: DcnParams, batch: DcnBatch, tables: ReadonlyMap<string, TableSource> = p.tables): DcnLossParts {
  const logits = dcnLogits(p, batch.inputs, tables);
  const click = tf.mean(bceWithLogits(logits.click, batch.clicks)) as tf.Scalar;
  if (!logits.watch || !batch.watchFractions) return { total: click, click, watch: null };
  const perRow = tf.mul(bceWithLogits(logits.watch, batch.watchFractions), batch.clicks);
  const watch = tf.div(tf.sum(perRow), tf.maximum(tf.sum(batch.clicks), tf.scalar(1))) as tf.Scalar;
  const total = p.config.watchLossWeight === 0 ? click : (tf.add(click, tf.mul(watch, tf.scalar(p.config.watchLossWeight))) as tf.Scalar);
  return { total, click, watch };
}

interface CheckedLabels {
  clicks: Float32Array;
  watch: Float32Array | null;
}

function checkLabels(p: DcnParams, data: DcnTrainingData, n: number): CheckedLabels {
  if (data.clicks.length !== n) throw new TrainInputError('clicks', `must have one label per row (${n}), got ${data.clicks.length}`);
  const clicks = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const y = data.clicks[i]!;
    if (y !== 0 && y !== 1) throw new TrainInputError(`clicks[${i}]`, `must be 0 or 1, got ${y}`);
    clicks[i] = y;
  }
  if (!p.watch) return { clicks, watch: null };
  const wf = data.watchFractions;
  if (!wf) {
    throw new TrainInputError('watchFractions', 'the model has a watch head: pass watch fractions, or init it with watchHead: false');
  }
  if (wf.length !== n) throw new TrainInputError('watchFractions', `must have one value per row (${n}), got ${wf.length}`);
  const watch = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    if (clicks[i] === 0) continue; // masked out of the loss; 0 keeps NaN out of the products
    const v = wf[i]!;
    if (!(v >= 0 && v <= 1)) throw new TrainInputError(`watchFractions[${i}]`, `must be in [0, 1] on a clicked row, got ${v}`);
    watch[i] = v;
  }
  return { clicks, watch };
}

function column(values: Float32Array, rows: Uint32Array): tf.Tensor2D {
  const out = new Float32Array(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = values[rows[i]!]!;
  return tf.tensor2d(out, [rows.length, 1]);
}

export interface DcnTrainResult extends TrainResult {
  /**
   * Per epoch, the click log loss alone (epochLosses is the total objective, which adds the
   * weighted watch term): the curve to compare with a logistic-regression baseline.
   */
  clickLosses: number[];
  /** Per epoch, the watch head's BCE on clicked rows; null without a watch head. */
  watchLosses: number[] | null;
  /** Steps whose weights the returned ones average (options.averageFrom); 0 without averaging. */
  averagedSteps: number;
}

/** Per-epoch means of per-step values, weighted by batch size. */
function epochMeans(values: readonly number[], sizes: readonly number[], stepsPerEpoch: number): number[] {
  const out: number[] = [];
  for (let start = 0; start < values.length; start += stepsPerEpoch) {
    let sum = 0;
    let count = 0;
    for (let s = start; s < Math.min(values.length, start + stepsPerEpoch); s++) {
      sum += values[s]! * sizes[s]!;
      count += sizes[s]!;
    }
    out.push(sum / count);
  }
  return out;
}

/**
 * Trains `p` in place on `data`: minibatches, epochs, Adam (see FitOptions and FIT_DEFAULTS).
 * Same params seed + same options.seed -> the same loss curve, bit for bit, on one machine.
 */
export async function trainDcn(p: DcnParams, data: DcnTrainingData, options: Partial<FitOptions> = {}): Promise<DcnTrainResult> {
  await ensureTrainingBackend();
  const inputs = p.layout.inputs;
  const n = checkFeatureTensors(inputs, data.inputs);
  const labels = checkLabels(p, data, n);
  const o = resolveFitOptions(options);
  const clickSteps: number[] = [];
  const watchSteps: number[] = [];
  const sizes: number[] = [];
  // Large tables train with lazy Adam (lazy-adam.ts): out of the optimizer's list, their handles
  // in it (in the table's place, so the order stays fixed), updated after each step.
  const lazy = new Map<string, LazyAdamTable>();
  for (const [feature, table] of p.tables) if (table.shape[0]! >= o.lazyTableRows) lazy.set(feature, new LazyAdamTable(table, o));
  const tables = new Map<string, TableSource>([...p.tables].map(([feature, t]) => [feature, lazy.get(feature) ?? t] as const));
  const lazyOf = new Map([...lazy.values()].map((l) => [l.variable, l] as const));
  const variables = dcnVariables(p);
  // The tail's mean reads a lazy table's live values, not its variable (written at the end).
  const average =
    o.averageFrom === null
      ? null
      : new WeightAverage(
          variables.map((v) => {
            const l = lazyOf.get(v);
            return l ? () => l.values : () => v.dataSync();
          }),
          variables.map((v) => v.size),
        );
  const afterStep =
    lazy.size > 0 || average
      ? (at: StepPosition) => {
          lazy.forEach((l) => l.step());
          if (average && inAverageTail(at, o.averageFrom!)) average.add();
        }
      : undefined;
  let result: TrainResult;
  try {
    result = await fit(
      n,
      variables.map((v) => lazyOf.get(v)?.handle ?? v),
      (rows) => {
        const parts = dcnLossParts(
          p,
          {
            inputs: toTfInputs(inputs, selectRows(inputs, data.inputs, rows)),
            clicks: column(labels.clicks, rows),
            watchFractions: labels.watch ? column(labels.watch, rows) : null,
          },
          tables,
        );
        // Read now (the backend is synchronous, so this costs no pipeline stall).
        clickSteps.push(parts.click.dataSync()[0]!);
        if (parts.watch) watchSteps.push(parts.watch.dataSync()[0]!);
        sizes.push(rows.length);
        return parts.total;
      },
      o,
      afterStep,
    );
  } finally {
    lazy.forEach((l) => l.finish());
  }
  average?.assign(variables);
  const steps = Math.ceil(n / o.batchSize);
  return {
    ...result,
    clickLosses: epochMeans(clickSteps, sizes, steps),
    watchLosses: labels.watch ? epochMeans(watchSteps, sizes, steps) : null,
    averagedSteps: average?.count ?? 0,
  };
}

export interface DcnPredictions {
  /** P(click) per row. */
  click: Float32Array;
  /** Expected watch fraction per row; null without a watch head. */
  watch: Float32Array | null;
}

/** Runs the model over every row of `inputs`, `batchSize` rows at a time (which only bounds memory). */
export function predictDcn(p: DcnParams, inputs: FeatureTensors, options: { batchSize?: number } = {}): DcnPredictions {
  const batchSize = options.batchSize ?? FIT_DEFAULTS.predictBatchSize;
  const n = checkFeatureTensors(p.layout.inputs, inputs);
  const click = new Float32Array(n);
  const watch = p.watch ? new Float32Array(n) : null;
  for (let start = 0; start < n; start += batchSize) {
    const end = Math.min(n, start + batchSize);
    tf.tidy(() => {
      const out = forwardDcn(p, toTfInputs(p.layout.inputs, sliceRows(p.layout.inputs, inputs, start, end)));
      click.set(out.click.dataSync(), start);
      if (watch && out.watch) watch.set(out.watch.dataSync(), start);
    });
  }
  return { click, watch };
}
