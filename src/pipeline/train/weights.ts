/**
 * The exported form of a trained model: plain Float32Arrays with shapes, named per layer.
 * The ONNX exporter and the shard writer consume these; nothing here depends on tfjs, so they
 * can be written to disk, sent to a worker or compared in a test as they are.
 *
 * Conventions shared by both models:
 * - Row-major data; `shape` lists dimensions outermost first.
 * - A dense layer is x·W + b with `W` [in, out] and `b` [out].
 * - An embedding table `embedding.<feature>` is [rows, dim], rows = featureCardinality(feature),
 *   row 0 (missing / padding) included; history features read their item feature's table.
 */
import type { FeaturePart, TableSpec } from './feature-parts.ts';
import type { ModelInput } from './model-inputs.ts';
import type { WeightArray } from './weight-array.ts';

export type { WeightArray } from './weight-array.ts';

/** Weights by name, e.g. `cross.0.W`; insertion order is the order of the model's layers. */
export type WeightMap = Record<string, WeightArray>;

/** How a model reads the feature tensors: shared by both exported formats. */
export interface ExportedLayout {
  /** The input tensors, as tensorLayout() names them; categorical ids may be [N] or [N, 1]. */
  inputs: ModelInput[];
  /** Embedding tables (weight `embedding.<feature>`). */
  tables: TableSpec[];
}

/**
 * `ondeck-dcn-v2`, version 1. The forward pass, in this order (N rows; D = x0Width):
 *
 *   x0 = Concat(parts, axis 1)                                    [N, D], parts as listed
 *   x  = x0; for l in 0..crossLayers-1:
 *          full:      x = x0 ⊙ (x·cross.l.W + cross.l.b) + x     W [D, D]
 *          low rank:  x = x0 ⊙ ((x·cross.l.V)·cross.l.U + cross.l.b) + x   V [D, r], U [r, D]
 *   h  = x0; for l in 0..deepLayers.length-1: h = Relu(h·deep.l.W + deep.l.b)
 *   z  = Concat([x, h], axis 1)                  [N, D + last deep size]; z = x if no deep layers
 *   click = Sigmoid(z·head.click.W + head.click.b)                [N, 1]
 *   watch = Sigmoid(z·head.watch.W + head.watch.b)                [N, 1], when `heads` has it
 *
 * Parts (see FeaturePart): `embedding` = Gather(table, ids) [N, e];
 * `masked-mean` = ReduceSum(Gather(table, ids) · m[..., None], 1) / Max(ReduceSum(m, 1), 1)
 * with m = Cast(ids != 0) [N, L]; `weighted-sum` = ReduceSum(Gather(table, ids) · w[..., None], 1);
 * `numeric` [N, 1] and `dense` [N, d] are the input as is.
 */
export interface DcnWeights extends ExportedLayout {
  format: 'ondeck-dcn-v2';
  version: 1;
  parts: FeaturePart[];
  x0Width: number;
  crossLayers: number;
  /** 0: full-rank cross weights `cross.l.W`; r > 0: `cross.l.V` and `cross.l.U`. */
  crossRank: number;
  deepLayers: number[];
  /** Output order: `click` first, then `watch` when present. */
  heads: Array<'click' | 'watch'>;
  weights: WeightMap;
}

/**
 * `ondeck-two-tower`, version 1. Each tower, for t in {user, item}:
 *
 *   x = Concat(parts of t, axis 1)                  (the same part kinds as the DCN)
 *   for l in 0..layers-2: x = Relu(x·t.l.W + t.l.b)
 *   y = x·t.L.W + t.L.b                             last layer linear, L = layers-1, [N, outputDim]
 *   t = y · Rsqrt(Max(ReduceSum(y², 1, keepdims), 1e-12))          unit vectors
 *
 * Score = user·item / temperature (ranking needs only the dot product). The tables are shared:
 * a history part of the user tower reads the table of the item id feature.
 */
export interface TwoTowerWeights extends ExportedLayout {
  format: 'ondeck-two-tower';
  version: 1;
  userParts: FeaturePart[];
  itemParts: FeaturePart[];
  /** Input tensors of each tower (subsets of `inputs`). */
  userInputs: string[];
  itemInputs: string[];
  /** Sizes of each tower's layers, the last being outputDim. */
  userLayers: number[];
  itemLayers: number[];
  outputDim: number;
  temperature: number;
  /** The normalisation's floor on the squared norm. */
  normEpsilon: number;
  weights: WeightMap;
}
