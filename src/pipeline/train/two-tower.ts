/**
 * The two-tower retrieval model: a user tower and an item tower, each an MLP over its features'
 * parts, ending in a unit vector; relevance is the dot product. Item vectors go into the shards,
 * the device computes its user vector and retrieves by dot product. This file is the model
 * (config, initial weights, forward pass, exported weights); training is in two-tower-train.ts,
 * the exported layout in weights.ts (TwoTowerWeights).
 *
 * The history part of the user tower reads the item id table that the item tower's id part
 * reads: one table, so a user is literally pooled from the item embeddings it watched.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { FeatureSpec } from '../../core/features/index.ts';
import { ensureTrainingBackend } from './backend.ts';
import { INIT_DEFAULTS, TWO_TOWER_DEFAULTS } from './defaults.ts';
import { applyStack, denseVariables, disposeDense, exportStack, initStack, type DenseLayer } from './dense.ts';
import { TrainConfigError } from './errors.ts';
import { embedParts, initTables, planParts, planTables, type PartsLayout, type TableSpec } from './feature-parts.ts';
import type { ModelInput } from './model-inputs.ts';
import { readWeight } from './variables.ts';
import type { TwoTowerWeights, WeightMap } from './weights.ts';

/** Floor on a tower output's squared norm before normalising (an all-zero output stays finite). */
export const NORM_EPSILON = 1e-12;

export interface TwoTowerConfig {
  spec: FeatureSpec;
  /** Default: history features and those with a `user.` or `context.` source. */
  userFeatures: readonly string[];
  /** Default: features with an `item.` source. */
  itemFeatures: readonly string[];
  /**
   * The categorical item feature that identifies an item (must be an item feature): in-batch
   * duplicates and log q are counted by its ids. Default: the item feature of the first history
   * feature of the user tower, else the first categorical item feature.
   */
  itemIdFeature: string;
  embeddingDim: number;
  embeddingDims: Readonly<Record<string, number>>;
  embeddingScale: number;
  /** Hidden sizes (relu) of each tower; a linear layer to outputDim follows. */
  userLayers: readonly number[];
  itemLayers: readonly number[];
  outputDim: number;
  temperature: number;
  logQCorrection: boolean;
  /** Logit added to in-batch duplicates of a row's positive. */
  duplicateMask: number;
}

export type TwoTowerConfigInput = { spec: FeatureSpec } & Partial<Omit<TwoTowerConfig, 'spec'>>;

export interface TwoTowerParams {
  readonly model: 'two-tower';
  readonly config: TwoTowerConfig;
  readonly tableSpecs: readonly TableSpec[];
  readonly tables: ReadonlyMap<string, tf.Variable>;
  readonly userLayout: PartsLayout;
  readonly itemLayout: PartsLayout;
  /** Hidden layers then the output layer. */
  readonly user: readonly DenseLayer[];
  readonly item: readonly DenseLayer[];
  /** Every input tensor either tower reads, user tower first, without repeats. */
  readonly inputs: readonly ModelInput[];
}

function checkSizes(sizes: readonly number[], field: string): void {
  sizes.forEach((size, i) => {
    if (!Number.isInteger(size) || size < 1) throw new TrainConfigError(`${field}[${i}]`, `must be an integer ≥ 1, got ${size}`);
  });
}

export function resolveTwoTowerConfig(input: TwoTowerConfigInput): TwoTowerConfig {
  const spec = input.spec;
  const userFeatures =
    input.userFeatures ??
    spec.features.filter((f) => f.kind === 'history' || f.source.startsWith('user.') || f.source.startsWith('context.')).map((f) => f.name);
  const itemFeatures = input.itemFeatures ?? spec.features.filter((f) => f.kind !== 'history' && f.source.startsWith('item.')).map((f) => f.name);
  const byName = new Map(spec.features.map((f) => [f.name, f] as const));
  const firstHistory = userFeatures.map((n) => byName.get(n)).find((f) => f?.kind === 'history');
  const defaultId =
    firstHistory?.kind === 'history'
      ? firstHistory.item
      : itemFeatures.find((n) => byName.get(n)?.kind === 'categorical');
  const config: TwoTowerConfig = {
    spec,
    userFeatures,
    itemFeatures,
    itemIdFeature: input.itemIdFeature ?? defaultId ?? '',
    embeddingDim: input.embeddingDim ?? TWO_TOWER_DEFAULTS.embeddingDim,
    embeddingDims: input.embeddingDims ?? {},
    embeddingScale: input.embeddingScale ?? INIT_DEFAULTS.embeddingScale,
    userLayers: input.userLayers ?? TWO_TOWER_DEFAULTS.userLayers,
    itemLayers: input.itemLayers ?? TWO_TOWER_DEFAULTS.itemLayers,
    outputDim: input.outputDim ?? TWO_TOWER_DEFAULTS.outputDim,
    temperature: input.temperature ?? TWO_TOWER_DEFAULTS.temperature,
    logQCorrection: input.logQCorrection ?? TWO_TOWER_DEFAULTS.logQCorrection,
    duplicateMask: input.duplicateMask ?? TWO_TOWER_DEFAULTS.duplicateMask,
  };
  const id = byName.get(config.itemIdFeature);
  if (!id || id.kind !== 'categorical' || !config.itemFeatures.includes(id.name)) {
    throw new TrainConfigError('itemIdFeature', `must name a categorical feature of itemFeatures (${config.itemFeatures.join(', ')}), got "${config.itemIdFeature}"`);
  }
  checkSizes(config.userLayers, 'userLayers');
  checkSizes(config.itemLayers, 'itemLayers');
  checkSizes([config.outputDim], 'outputDim');
  if (!(config.temperature > 0 && Number.isFinite(config.temperature))) {
    throw new TrainConfigError('temperature', `must be a finite number > 0, got ${config.temperature}`);
  }
  if (!(config.duplicateMask <= -1e4)) throw new TrainConfigError('duplicateMask', `must be ≤ -1e4 (a logit that vanishes), got ${config.duplicateMask}`);
  if (!(config.embeddingScale > 0)) throw new TrainConfigError('embeddingScale', `must be > 0, got ${config.embeddingScale}`);
  return config;
}

/** Fresh weights for `config`, deterministic in `seed`. Starts the training backend if needed. */
export async function initTwoTower(input: TwoTowerConfigInput, seed = 0): Promise<TwoTowerParams> {
  await ensureTrainingBackend();
  const config = resolveTwoTowerConfig(input);
  const tableSpecs = planTables(config.spec, [...config.userFeatures, ...config.itemFeatures], config);
  const userLayout = planParts(config.spec, config.userFeatures, tableSpecs, 'userFeatures');
  const itemLayout = planParts(config.spec, config.itemFeatures, tableSpecs, 'itemFeatures');
  const seen = new Set<string>();
  const inputs = [...userLayout.inputs, ...itemLayout.inputs].filter((i) => !seen.has(i.name) && seen.add(i.name));
  return {
    model: 'two-tower',
    config,
    tableSpecs,
    tables: initTables(tableSpecs, seed, config.embeddingScale),
    userLayout,
    itemLayout,
    user: initStack(userLayout.width, [...config.userLayers, config.outputDim], seed, 'user'),
    item: initStack(itemLayout.width, [...config.itemLayers, config.outputDim], seed, 'item'),
    inputs,
  };
}

/** y / ||y|| row-wise, as y · rsqrt(max(Σ y², ε)). */
export function l2Normalize(y: tf.Tensor2D): tf.Tensor2D {
  return tf.mul(y, tf.rsqrt(tf.maximum(tf.sum(tf.square(y), 1, true), tf.scalar(NORM_EPSILON)))) as tf.Tensor2D;
}

/** User vectors [N, outputDim], unit length. */
export function userTower(p: TwoTowerParams, inputs: Readonly<Record<string, tf.Tensor>>): tf.Tensor2D {
  return l2Normalize(applyStack(embedParts(p.userLayout, p.tables, inputs), p.user, true));
}

/** Item vectors [N, outputDim], unit length. */
export function itemTower(p: TwoTowerParams, inputs: Readonly<Record<string, tf.Tensor>>): tf.Tensor2D {
  return l2Normalize(applyStack(embedParts(p.itemLayout, p.tables, inputs), p.item, true));
}

export function twoTowerVariables(p: TwoTowerParams): tf.Variable[] {
  return [...p.tables.values(), ...denseVariables(p.user), ...denseVariables(p.item)];
}

/** The weights as plain arrays with the layout the exporters rebuild (see TwoTowerWeights). */
export function exportTwoTowerWeights(p: TwoTowerParams): TwoTowerWeights {
  const weights: WeightMap = {};
  for (const t of p.tableSpecs) weights[`embedding.${t.feature}`] = readWeight(p.tables.get(t.feature)!);
  exportStack(weights, p.user, 'user');
  exportStack(weights, p.item, 'item');
  const c = p.config;
  return {
    format: 'ondeck-two-tower',
    version: 1,
    inputs: p.inputs.map((i) => ({ ...i })),
    tables: p.tableSpecs.map((t) => ({ ...t })),
    userParts: p.userLayout.parts.map((part) => ({ ...part })),
    itemParts: p.itemLayout.parts.map((part) => ({ ...part })),
    userInputs: p.userLayout.inputs.map((i) => i.name),
    itemInputs: p.itemLayout.inputs.map((i) => i.name),
    userLayers: [...c.userLayers, c.outputDim],
    itemLayers: [...c.itemLayers, c.outputDim],
    outputDim: c.outputDim,
    temperature: c.temperature,
    normEpsilon: NORM_EPSILON,
    weights,
  };
}

export function disposeTwoTower(p: TwoTowerParams): void {
  for (const t of p.tables.values()) t.dispose();
  disposeDense([...p.user, ...p.item]);
}
