/**
 * The DCN-V2 ranker (Wang et al., 2021): a cross network and a deep network side by side on
 * x0, then two sigmoid heads, P(click) and the expected watch fraction. The feed score combines
 * them downstream. This file is the model: config, initial weights, the forward pass and the
 * exported weights. Training is in dcn-train.ts. The forward pass is the contract the ONNX
 * exporter reproduces; weights.ts spells it out (DcnWeights).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { FeatureSpec } from '../../core/features/index.ts';
import { ensureTrainingBackend } from './backend.ts';
import { DCN_DEFAULTS, INIT_DEFAULTS } from './defaults.ts';
import { applyDense, applyStack, denseVariables, disposeDense, exportDense, exportStack, initDense, initStack, type DenseLayer } from './dense.ts';
import { TrainConfigError } from './errors.ts';
import { embedParts, initTables, planParts, planTables, type PartsLayout, type TableSpec } from './feature-parts.ts';
import type { TableSource } from './lazy-adam.ts';
import { glorotVariable, readWeight, zerosVariable } from './variables.ts';
import type { DcnWeights, WeightMap } from './weights.ts';

export interface DcnConfig {
  spec: FeatureSpec;
  /** Features the ranker reads (x0 follows spec order whatever the order here). Default: all. */
  features: readonly string[];
  embeddingDim: number;
  /** Per-feature embedding widths, by the feature that owns the table. */
  embeddingDims: Readonly<Record<string, number>>;
  /** Uniform init range of embedding rows. */
  embeddingScale: number;
  crossLayers: number;
  /** 0: full W [D, D]; r > 0: V [D, r]·U [r, D]. */
  crossRank: number;
  deepLayers: readonly number[];
  watchHead: boolean;
  /** Weight of the watch head's loss relative to the click loss. */
  watchLossWeight: number;
}

/** What a caller passes: the spec, and any tunables to override (see DCN_DEFAULTS). */
export type DcnConfigInput = { spec: FeatureSpec } & Partial<Omit<DcnConfig, 'spec'>>;

/** One cross layer: W (full rank) or V and U (low rank), and b. */
export interface CrossLayer {
  W: tf.Variable | null;
  V: tf.Variable | null;
  U: tf.Variable | null;
  b: tf.Variable;
}

export interface DcnParams {
  readonly model: 'dcn-v2';
  readonly config: DcnConfig;
  readonly tableSpecs: readonly TableSpec[];
  /** Embedding tables by the feature that owns them. */
  readonly tables: ReadonlyMap<string, tf.Variable>;
  readonly layout: PartsLayout;
  readonly cross: readonly CrossLayer[];
  readonly deep: readonly DenseLayer[];
  readonly click: DenseLayer;
  readonly watch: DenseLayer | null;
}

function nonNegativeInt(value: number, field: string): void {
  if (!Number.isInteger(value) || value < 0) throw new TrainConfigError(field, `must be an integer ≥ 0, got ${value}`);
}

export function resolveDcnConfig(input: DcnConfigInput): DcnConfig {
  const config: DcnConfig = {
    spec: input.spec,
    features: input.features ?? input.spec.features.map((f) => f.name),
    embeddingDim: input.embeddingDim ?? DCN_DEFAULTS.embeddingDim,
    embeddingDims: input.embeddingDims ?? {},
    embeddingScale: input.embeddingScale ?? INIT_DEFAULTS.embeddingScale,
    crossLayers: input.crossLayers ?? DCN_DEFAULTS.crossLayers,
    crossRank: input.crossRank ?? DCN_DEFAULTS.crossRank,
    deepLayers: input.deepLayers ?? DCN_DEFAULTS.deepLayers,
    watchHead: input.watchHead ?? DCN_DEFAULTS.watchHead,
    watchLossWeight: input.watchLossWeight ?? DCN_DEFAULTS.watchLossWeight,
  };
  nonNegativeInt(config.crossLayers, 'crossLayers');
  nonNegativeInt(config.crossRank, 'crossRank');
  config.deepLayers.forEach((size, i) => {
    if (!Number.isInteger(size) || size < 1) throw new TrainConfigError(`deepLayers[${i}]`, `must be an integer ≥ 1, got ${size}`);
  });
  if (!(config.watchLossWeight >= 0)) throw new TrainConfigError('watchLossWeight', `must be ≥ 0, got ${config.watchLossWeight}`);
  if (!(config.embeddingScale > 0)) throw new TrainConfigError('embeddingScale', `must be > 0, got ${config.embeddingScale}`);
  return config;
}

/** Fresh weights for `config`, deterministic in `seed`. Starts the training backend if needed. */
export async function initDcn(input: DcnConfigInput, seed = 0): Promise<DcnParams> {
  await ensureTrainingBackend();
  const config = resolveDcnConfig(input);
  const tableSpecs = planTables(config.spec, config.features, config);
  const layout = planParts(config.spec, config.features, tableSpecs);
  const d = layout.width;
  const r = config.crossRank;
  const cross: CrossLayer[] = [];
  for (let l = 0; l < config.crossLayers; l++) {
    const name = `cross.${l}`;
    cross.push(
      r === 0
        ? { W: glorotVariable(d, d, seed, `${name}.W`), V: null, U: null, b: zerosVariable([d]) }
        : { W: null, V: glorotVariable(d, r, seed, `${name}.V`), U: glorotVariable(r, d, seed, `${name}.U`), b: zerosVariable([d]) },
    );
  }
  const deep = initStack(d, config.deepLayers, seed, 'deep');
  const zWidth = d + (config.deepLayers.at(-1) ?? 0);
  return {
    model: 'dcn-v2',
    config,
    tableSpecs,
    tables: initTables(tableSpecs, seed, config.embeddingScale),
    layout,
    cross,
    deep,
    click: initDense(zWidth, 1, seed, 'head.click'),
    watch: config.watchHead ? initDense(zWidth, 1, seed, 'head.watch') : null,
  };
}

export interface DcnOutputs {
  /** [N, 1] */
  click: tf.Tensor2D;
  /** [N, 1], or null without a watch head. */
  watch: tf.Tensor2D | null;
}

/**
 * The heads' logits (before the sigmoid): what the losses take. `tables` replaces p.tables while
 * some of them train with lazy Adam (dcn-train.ts).
 */
export function dcnLogits(p: DcnParams, inputs: Readonly<Record<string, tf.Tensor>>, tables: ReadonlyMap<string, TableSource> = p.tables): DcnOutputs {
  const x0 = embedParts(p.layout, tables, inputs);
  let x: tf.Tensor2D = x0;
  for (const layer of p.cross) {
    const proj = layer.W ? tf.matMul(x, layer.W as tf.Tensor2D) : tf.matMul(tf.matMul(x, layer.V as tf.Tensor2D), layer.U as tf.Tensor2D);
    x = tf.add(tf.mul(x0, tf.add(proj, layer.b)), x);
  }
  const z = p.deep.length > 0 ? (tf.concat([x, applyStack(x0, p.deep, false)], 1) as tf.Tensor2D) : x;
  return { click: applyDense(z, p.click, false), watch: p.watch ? applyDense(z, p.watch, false) : null };
}

/** Inference: P(click) and the expected watch fraction, each [N, 1]. */
export function forwardDcn(p: DcnParams, inputs: Readonly<Record<string, tf.Tensor>>): DcnOutputs {
  const logits = dcnLogits(p, inputs);
  return { click: tf.sigmoid(logits.click), watch: logits.watch ? tf.sigmoid(logits.watch) : null };
}

/** Every trainable variable, in a fixed order. */
export function dcnVariables(p: DcnParams): tf.Variable[] {
  const out: tf.Variable[] = [...p.tables.values()];
  for (const c of p.cross) for (const v of [c.W, c.V, c.U, c.b]) if (v) out.push(v);
  out.push(...denseVariables(p.deep), ...denseVariables([p.click]));
  if (p.watch) out.push(...denseVariables([p.watch]));
  return out;
}

/** The weights as plain arrays with the layout the ONNX exporter rebuilds (see DcnWeights). */
export function exportDcnWeights(p: DcnParams): DcnWeights {
  const weights: WeightMap = {};
  for (const t of p.tableSpecs) weights[`embedding.${t.feature}`] = readWeight(p.tables.get(t.feature)!);
  p.cross.forEach((c, l) => {
    if (c.W) weights[`cross.${l}.W`] = readWeight(c.W);
    if (c.V) weights[`cross.${l}.V`] = readWeight(c.V);
    if (c.U) weights[`cross.${l}.U`] = readWeight(c.U);
    weights[`cross.${l}.b`] = readWeight(c.b);
  });
  exportStack(weights, p.deep, 'deep');
  exportDense(weights, p.click, 'head.click');
  if (p.watch) exportDense(weights, p.watch, 'head.watch');
  return {
    format: 'ondeck-dcn-v2',
    version: 1,
    inputs: p.layout.inputs.map((i) => ({ ...i })),
    tables: p.tableSpecs.map((t) => ({ ...t })),
    parts: p.layout.parts.map((part) => ({ ...part })),
    x0Width: p.layout.width,
    crossLayers: p.cross.length,
    crossRank: p.config.crossRank,
    deepLayers: [...p.config.deepLayers],
    heads: p.watch ? ['click', 'watch'] : ['click'],
    weights,
  };
}

/** Frees the model's variables; the params must not be used afterwards. */
export function disposeDcn(p: DcnParams): void {
  for (const t of p.tables.values()) t.dispose();
  for (const c of p.cross) for (const v of [c.W, c.V, c.U, c.b]) v?.dispose();
  disposeDense([...p.deep, p.click, ...(p.watch ? [p.watch] : [])]);
}
