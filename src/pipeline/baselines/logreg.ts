/**
 * Logistic regression on the ranker's features, in plain TypeScript: the second baseline of
 * DESIGN stage 4. A deep ranker has to beat a linear model on the same inputs to earn its
 * cost; written without tfjs so it trains in well under a second and tells us nothing about
 * the training stack, only about the features.
 *
 * P(y = 1 | x) = σ(bias + Σ_parts contribution), the parts as in linear-layout.ts. Trained by
 * minibatch AdaGrad on mean BCE + (l2 / 2)·‖w‖² with seeded shuffling: the same tensors,
 * labels and options give the same weights, bit for bit, on the same JS engine.
 */
import { buildFeatureTensors, type FeatureRow, type FeatureSpec, type FeatureTensor } from '../../core/features/index.ts';
import { createRng } from '../data/index.ts';
import { LOGREG_DEFAULTS } from './defaults.ts';
import { BaselineInputError } from './errors.ts';
import {
  PART_ID,
  PART_MEAN_IDS,
  PART_VALUES,
  PART_WEIGHTED_IDS,
  bindTensors,
  linearLayout,
  linearLogit,
  type BoundPart,
  type LinearLayout,
} from './linear-layout.ts';

export interface LogisticRegressionOptions {
  epochs?: number;
  learningRate?: number;
  l2?: number;
  batchSize?: number;
  seed?: number;
  initialAccumulator?: number;
}

export interface LogisticRegressionModel {
  kind: 'logistic-regression';
  bias: number;
  /**
   * By the name of the feature that owns them: one weight per id for categorical, bucketized
   * and multi-categorical features (index 0 = missing), one per component for numeric and
   * dense ones. History features own none: they read their item feature's.
   */
  weights: Record<string, Float32Array>;
  /** Mean BCE (without the L2 term) of each epoch, each row's loss taken just before its step. */
  trainingLoss: number[];
}

/** Trains on tensors built from `spec` (buildFeatureTensors, or buildTensorsPerRow for per-row times). */
export function trainLogisticRegression(
  spec: FeatureSpec,
  tensors: Readonly<Record<string, FeatureTensor>>,
  labels: Float32Array,
  opts: LogisticRegressionOptions = {},
): LogisticRegressionModel {
  const o = checkOptions(opts);
  const layout = linearLayout(spec);
  const { parts, rows } = bindTensors(layout, tensors);
  if (labels.length !== rows) throw new BaselineInputError('labels.length', `must equal the tensors' rows (${rows}), got ${labels.length}`);
  let mean = 0;
  for (let i = 0; i < rows; i++) {
    const y = labels[i]!;
    if (!(y >= 0 && y <= 1)) throw new BaselineInputError(`labels[${i}]`, `must be in [0, 1], got ${y}`);
    mean += y;
  }
  mean = rows > 0 ? mean / rows : 0.5;

  const size = layout.size;
  const theta = new Float64Array(size);
  const accum = new Float64Array(size).fill(o.initialAccumulator);
  const grad = new Float64Array(size);
  const marked = new Uint8Array(size);
  const touched = new Int32Array(size);
  // Start at the base rate: the first epochs then learn effects, not the mean.
  const clipped = Math.min(Math.max(mean, 1e-6), 1 - 1e-6);
  let bias = Math.log(clipped / (1 - clipped));
  let biasAccum = o.initialAccumulator;

  const order = Uint32Array.from({ length: rows }, (_, i) => i);
  const rng = createRng(o.seed);
  const trainingLoss: number[] = [];
  for (let epoch = 0; epoch < o.epochs; epoch++) {
    shuffle(order, rng.next);
    let lossSum = 0;
    for (let start = 0; start < rows; start += o.batchSize) {
      const end = Math.min(rows, start + o.batchSize);
      let nTouched = 0;
      let biasGrad = 0;
      for (let b = start; b < end; b++) {
        const r = order[b]!;
        const y = labels[r]!;
        const z = linearLogit(parts, theta, bias, r);
        // BCE from the logit, stable for large |z|: softplus(z) − y·z.
        lossSum += (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z))) - y * z;
        const g = sigmoid(z) - y;
        biasGrad += g;
        nTouched = accumulate(parts, r, g, grad, marked, touched, nTouched);
      }
      const scale = 1 / (end - start);
      // AdaGrad on the weights this batch touched; L2 only on those (the usual lazy
      // regularisation of sparse models: an untouched id's weight is not dragged every step).
      for (let t = 0; t < nTouched; t++) {
        const j = touched[t]!;
        const gj = grad[j]! * scale + o.l2 * theta[j]!;
        accum[j]! += gj * gj;
        theta[j]! -= (o.learningRate * gj) / Math.sqrt(accum[j]!);
        grad[j] = 0;
        marked[j] = 0;
      }
      const gb = biasGrad * scale;
      biasAccum += gb * gb;
      bias -= (o.learningRate * gb) / Math.sqrt(biasAccum);
    }
    trainingLoss.push(rows > 0 ? lossSum / rows : NaN);
  }

  const weights: Record<string, Float32Array> = {};
  for (const block of layout.blocks) weights[block.feature] = Float32Array.from(theta.subarray(block.offset, block.offset + block.size));
  return { kind: 'logistic-regression', bias, weights, trainingLoss };
}

/** P(y = 1) for rows that share one `now` (a feed's candidates). */
export function predictLogisticRegression(
  model: LogisticRegressionModel,
  spec: FeatureSpec,
  rows: readonly FeatureRow[],
  now: number,
): Float32Array {
  return predictLogisticRegressionTensors(model, spec, buildFeatureTensors(spec, rows, { now }));
}

/** P(y = 1) for pre-built tensors (e.g. test rows each built as of its own time). */
export function predictLogisticRegressionTensors(
  model: LogisticRegressionModel,
  spec: FeatureSpec,
  tensors: Readonly<Record<string, FeatureTensor>>,
): Float32Array {
  const layout = linearLayout(spec);
  const theta = modelTheta(model, layout);
  const { parts, rows } = bindTensors(layout, tensors);
  const out = new Float32Array(rows);
  for (let r = 0; r < rows; r++) out[r] = sigmoid(linearLogit(parts, theta, model.bias, r));
  return out;
}

function modelTheta(model: LogisticRegressionModel, layout: LinearLayout): Float64Array {
  const theta = new Float64Array(layout.size);
  for (const block of layout.blocks) {
    const w = model.weights[block.feature];
    if (w === undefined || w.length !== block.size) {
      throw new BaselineInputError(
        `model.weights["${block.feature}"]`,
        `must hold ${block.size} weights for this spec, got ${w === undefined ? 'none' : w.length}; was the model trained with another spec?`,
      );
    }
    theta.set(w, block.offset);
  }
  return theta;
}

/**
 * Adds g · ∂z/∂θ of row r into `grad`, recording each weight touched for the first time in
 * this batch; returns the new count. Mirrors linearLogit term by term.
 */
function accumulate(
  parts: readonly BoundPart[],
  r: number,
  g: number,
  grad: Float64Array,
  marked: Uint8Array,
  touched: Int32Array,
  nTouched: number,
): number {
  // `touch` is written out at each site: a closure per row cost a third of the training time.
  let n = nTouched;
  for (let p = 0; p < parts.length; p++) {
    const part = parts[p]!;
    const w = part.width;
    const off = part.offset;
    const base = r * w;
    switch (part.kind) {
      case PART_ID: {
        const j = off + part.ids[r]!;
        grad[j]! += g;
        if (marked[j] === 0) {
          marked[j] = 1;
          touched[n++] = j;
        }
        break;
      }
      case PART_MEAN_IDS: {
        let c = 0;
        for (let l = 0; l < w; l++) if (part.ids[base + l] !== 0) c++;
        if (c === 0) break;
        const share = g / c;
        for (let l = 0; l < w; l++) {
          const id = part.ids[base + l]!;
          if (id === 0) continue;
          const j = off + id;
          grad[j]! += share;
          if (marked[j] === 0) {
            marked[j] = 1;
            touched[n++] = j;
          }
        }
        break;
      }
      case PART_WEIGHTED_IDS:
        for (let l = 0; l < w; l++) {
          const id = part.ids[base + l]!;
          const wt = part.values[base + l]!;
          if (id === 0 || wt === 0) continue;
          const j = off + id;
          grad[j]! += g * wt;
          if (marked[j] === 0) {
            marked[j] = 1;
            touched[n++] = j;
          }
        }
        break;
      case PART_VALUES:
        for (let k = 0; k < w; k++) {
          const x = part.values[base + k]!;
          if (x === 0) continue;
          const j = off + k;
          grad[j]! += g * x;
          if (marked[j] === 0) {
            marked[j] = 1;
            touched[n++] = j;
          }
        }
        break;
    }
  }
  return n;
}

function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

/** Fisher-Yates with the seeded generator: the minibatch order is part of the seed's contract. */
function shuffle(a: Uint32Array, next: () => number): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  }
}

function checkOptions(opts: LogisticRegressionOptions): Required<LogisticRegressionOptions> {
  const o = { ...LOGREG_DEFAULTS, ...definedOnly(opts) };
  const fail = (name: string, rule: string, v: number): never => {
    throw new BaselineInputError(`opts.${name}`, `must be ${rule}, got ${v}`);
  };
  if (!Number.isInteger(o.epochs) || o.epochs < 1) fail('epochs', 'an integer >= 1', o.epochs);
  if (!(o.learningRate > 0 && Number.isFinite(o.learningRate))) fail('learningRate', 'a finite number > 0', o.learningRate);
  if (!(o.l2 >= 0 && Number.isFinite(o.l2))) fail('l2', 'a finite number >= 0', o.l2);
  if (!Number.isInteger(o.batchSize) || o.batchSize < 1) fail('batchSize', 'an integer >= 1', o.batchSize);
  if (!Number.isInteger(o.seed)) fail('seed', 'an integer', o.seed);
  if (!(o.initialAccumulator > 0 && Number.isFinite(o.initialAccumulator))) fail('initialAccumulator', 'a finite number > 0', o.initialAccumulator);
  return o;
}

/** Drops keys set to undefined, so `{ epochs: undefined }` keeps the default instead of erasing it. */
function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
