/**
 * Training the three learned models of a release on one training window: the two-tower
 * (retrieval), the DCN-V2 (ranking) and the logistic-regression baseline, all from the same
 * feature plan and example rows.
 */
import { buildFeatureTensors, type FeatureRow, type FeatureSpec, type FeatureTensor } from '../../core/features/index.ts';
import type { Dataset, Interaction } from '../data/index.ts';
import { buildTensorsPerRow } from '../evaluate/index.ts';
import { trainLogisticRegression, type LogisticRegressionModel } from '../baselines/index.ts';
import { ExampleBuilder, deriveFeaturePlan, type FeaturePlan } from '../features/index.ts';
import {
  embedItems,
  embedUsers,
  initDcn,
  initTwoTower,
  predictDcn,
  trainDcn,
  trainTwoTower,
  type DcnParams,
  type TwoTowerParams,
} from '../train/index.ts';
import type { Progress } from '../progress/index.ts';
import { BUILD_DEFAULTS } from './defaults.ts';

export interface TrainedModels {
  plan: FeaturePlan;
  builder: ExampleBuilder;
  twoTower: TwoTowerParams;
  dcn: DcnParams;
  logReg: LogisticRegressionModel | null;
  /** Unit-norm item vectors, row-major [catalog, dim], in builder.catalog order. */
  itemVectors: Float32Array;
  dim: number;
  losses: { twoTower: number[]; dcn: number[] };
  seconds: { features: number; twoTower: number; dcn: number; baselines: number };
  hasWatch: boolean;
}

export interface TrainOptions {
  epochs: number;
  seed: number;
  /** Train the logistic-regression baseline too (not needed for a release). */
  baselines: boolean;
}

const now = () => performance.now();

export async function trainModels(ds: Dataset, train: readonly Interaction[], o: TrainOptions, progress: Progress): Promise<TrainedModels> {
  let t = now();
  const plan = deriveFeaturePlan(ds, train);
  const builder = new ExampleBuilder(ds, plan);
  const spec = plan.spec;
  const retrieval = builder.retrievalExamples(train);
  const ranker = builder.rankerExamples(train, { negativesPerPositive: BUILD_DEFAULTS.negativesPerPositive, seed: o.seed });
  const retrievalInputs = buildTensorsPerRow(spec, retrieval.rows, retrieval.nows);
  const rankerInputs = buildTensorsPerRow(spec, ranker.rows, ranker.nows);
  const hasWatch = ranker.watch.some((w) => !Number.isNaN(w));
  const features = (now() - t) / 1000;

  t = now();
  const twoTower = await initTwoTower({ spec, userFeatures: plan.userTower, itemFeatures: plan.itemTower, itemIdFeature: 'item_id' }, o.seed);
  const ttStage = progress.stage('train two-tower', o.epochs);
  const ttResult = await trainTwoTower(twoTower, { inputs: retrievalInputs }, {
    epochs: o.epochs,
    batchSize: BUILD_DEFAULTS.twoTowerBatchSize,
    learningRate: BUILD_DEFAULTS.learningRate,
    seed: o.seed,
    onProgress: (p) => {
      if (p.step === p.steps) ttStage.tick(1, `loss ${p.loss.toFixed(4)}`);
    },
  });
  ttStage.done(`${retrieval.rows.length} positives, ${Math.round(ttResult.examplesPerSecond)} ex/s`);
  const itemVectors = embedItems(twoTower, itemTensors(spec, builder, plan.itemTower));
  const twoTowerSeconds = (now() - t) / 1000;

  t = now();
  const dcn = await initDcn({ spec, features: plan.ranker, watchHead: hasWatch }, o.seed);
  const dcnStage = progress.stage('train DCN-V2', o.epochs);
  const dcnResult = await trainDcn(dcn, { inputs: rankerInputs, clicks: ranker.labels, watchFractions: ranker.watch }, {
    epochs: o.epochs,
    batchSize: BUILD_DEFAULTS.dcnBatchSize,
    learningRate: BUILD_DEFAULTS.learningRate,
    seed: o.seed,
    onProgress: (p) => {
      if (p.step === p.steps) dcnStage.tick(1, `loss ${p.loss.toFixed(4)}`);
    },
  });
  dcnStage.done(`${ranker.rows.length} rows, ${Math.round(dcnResult.examplesPerSecond)} ex/s`);
  const dcnSeconds = (now() - t) / 1000;

  t = now();
  const logReg = o.baselines ? trainLogisticRegression(spec, rankerInputs, ranker.labels, { seed: o.seed }) : null;
  const baselines = (now() - t) / 1000;

  return {
    plan,
    builder,
    twoTower,
    dcn,
    logReg,
    itemVectors,
    dim: twoTower.config.outputDim,
    losses: { twoTower: ttResult.epochLosses, dcn: dcnResult.epochLosses },
    seconds: { features, twoTower: twoTowerSeconds, dcn: dcnSeconds, baselines },
    hasWatch,
  };
}

/** The item tower's inputs for every catalog item (its features do not depend on time). */
export function itemTensors(spec: FeatureSpec, builder: ExampleBuilder, features: readonly string[]): Record<string, FeatureTensor> {
  const rows: FeatureRow[] = builder.catalog.map((_, i) => ({ item: builder.item(i) as unknown as Record<string, unknown> }));
  return buildFeatureTensors(spec, rows, { now: 0, only: features });
}

/** User vectors of many users at once (one batched tower call): user -> vector. */
export function userVectors(
  m: TrainedModels,
  users: readonly { user: string; history: readonly Interaction[]; now: number }[],
): Map<string, Float32Array> {
  const rows: FeatureRow[] = users.map((u) => ({ user: m.builder.user(u.user, m.builder.history(u.history)) }));
  const nows = Float64Array.from(users, (u) => u.now);
  const all = buildTensorsPerRow(m.plan.spec, rows, nows);
  const inputs: Record<string, FeatureTensor> = {};
  for (const [name, t] of Object.entries(all)) {
    const feature = name.split(':')[0]!;
    if (m.plan.userTower.includes(feature)) inputs[name] = t;
  }
  const vectors = embedUsers(m.twoTower, inputs);
  const out = new Map<string, Float32Array>();
  users.forEach((u, i) => out.set(u.user, vectors.slice(i * m.dim, (i + 1) * m.dim)));
  return out;
}

/** Click probability and expected watch fraction of (user, item) rows at their `now`s. */
export function rankRows(m: TrainedModels, rows: readonly FeatureRow[], nows: Float64Array): { click: Float32Array; watch: Float32Array | null } {
  const inputs = buildTensorsPerRow(m.plan.spec, rows, nows);
  return predictDcn(m.dcn, inputs);
}
