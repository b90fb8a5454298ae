/**
 * Training the models of a release on one training window, everything chosen on a validation
 * slice of that window (each user's latest 20% of train), never on test:
 *
 * 1. retrieval: EASE (item-item) with its λ and the history's order recency chosen on
 *    validation, factorised into the two-tower format (train/item-item-retrieval.ts);
 * 2. ranking: DCN-V2 trained on the retrieval's own candidates for the validation users (head
 *    items and retrieved items, labelled by what the user liked next: hard negatives), with
 *    the retrieval score as a feature, so it learns what to add to it;
 * 3. the step table (what users reached within a few events of which item: the ranker's
 *    sequence score, src/core/feed/step-table.ts), fitted on the same windows;
 * 4. baselines (for the report): logistic regression on the ranker's rows, EASE and ItemKNN.
 */
import { buildFeatureTensors, type FeatureRow, type FeatureSpec, type FeatureTensor } from '../../core/features/index.ts';
import { fitEase, fitItemKnn, trainLogisticRegression, type ItemItemMatrix, type LogisticRegressionModel } from '../baselines/index.ts';
import { perUserTemporalSplit, sampleTestUsers, type Dataset, type Interaction } from '../data/index.ts';
import { buildTensorsPerRow } from '../evaluate/index.ts';
import { ExampleBuilder, deriveFeaturePlan, type FeaturePlan } from '../features/index.ts';
import { standardize } from '../features/derive-spec.ts';
import type { Progress } from '../progress/index.ts';
import { logloss } from '../../core/metrics/index.ts';
import {
  disposeDcn,
  disposeTwoTower,
  factorize,
  initDcn,
  itemItemRetrieval,
  predictDcn,
  fitStepTable,
  selectRows,
  trainDcn,
  type DcnParams,
  type FeatureTensors,
  type TwoTowerParams,
} from '../train/index.ts';
import { BUILD_DEFAULTS } from './defaults.ts';
import { FeedCandidates } from './feed-candidates.ts';
import { candidateRows, chooseItemItem, type CandidateRows, type ItemItemChoice } from './item-item-choice.ts';
import { entryVectorsOf, userVectorsOf, type UserMoment } from './user-vectors.ts';
import { SequenceScorer, sequenceEvents } from './sequence-scorer.ts';
import type { StepTable } from '../../core/feed/index.ts';

export interface TrainedModels {
  plan: FeaturePlan;
  builder: ExampleBuilder;
  /** The retrieval model in the two-tower format: its user tower is what ships. */
  twoTower: TwoTowerParams;
  dcn: DcnParams;
  logReg: LogisticRegressionModel | null;
  /** Item vectors, row-major [catalog, dim], in builder.catalog order (norms carry weight). */
  itemVectors: Float32Array;
  dim: number;
  /** The device's candidate mix over these vectors. */
  candidates: FeedCandidates;
  /** The step table of this window (a release artifact) and its scorer. */
  steps: StepTable;
  sequence: SequenceScorer;
  /** What validation chose for retrieval, and the textbook EASE / ItemKNN baselines. */
  retrieval: ItemItemChoice;
  baselines: { ease: ItemItemMatrix; itemKnn: ItemItemMatrix } | null;
  losses: { twoTower: number[]; dcn: number[] };
  seconds: { features: number; twoTower: number; dcn: number; baselines: number };
  hasWatch: boolean;
  /** Epochs of the DCN, chosen on held-out validation users. */
  dcnEpochs: number;
}

export interface TrainOptions {
  epochs: number;
  seed: number;
  /** Train the baselines too (not needed for a release). */
  baselines: boolean;
}

const now = () => performance.now();

export async function trainModels(ds: Dataset, train: readonly Interaction[], o: TrainOptions, progress: Progress): Promise<TrainedModels> {
  const catalog = [...ds.items.keys()];
  const dim = BUILD_DEFAULTS.retrievalDim;
  let t = now();

  // 1. Validation: each user's latest 20% of this window; λ and recency chosen there.
  const inner = perUserTemporalSplit({ interactions: [...train] });
  // Large data: the validation feeds (retrieval settings, ranker rows) of a seeded sample of
  // users; train stays whole. The demo has fewer users than the bound: all of them.
  const validation = sampleTestUsers(inner, BUILD_DEFAULTS.validationUsers, o.seed).split;
  const stage = progress.stage('fit item-item retrieval');
  const choice = chooseItemItem(validation, catalog, { historyLengths: BUILD_DEFAULTS.historyLengths });
  stage.done(`λ ${choice.lambda}, history ${choice.historyLength}, recency half-life ${choice.halfLifeEvents ?? '∞'} events, validation ndcg@10 ${choice.validationNdcg.toFixed(4)}`);
  let retrievalSeconds = (now() - t) / 1000;
  t = now();

  // 2. The ranker's rows: the validation users' feed candidates from a model of the earlier part.
  const innerPlan = deriveFeaturePlan(ds, inner.train, { historyLength: choice.historyLength, historyHalfLifeEvents: choice.halfLifeEvents ?? undefined });
  const innerBuilder = new ExampleBuilder(ds, innerPlan);
  const innerRetrieval = await retrievalModel(innerPlan.spec, catalog, choice.validationMatrix, o.seed, dim);
  const innerCandidates = new FeedCandidates(innerBuilder, innerRetrieval.itemVectors, dim);
  const events = sequenceEvents(innerPlan.spec);
  const innerSequence = new SequenceScorer(fitStepTable(inner.train, idsOf(choice.validationMatrix, catalog), { events }), innerBuilder);
  const rows = candidateRows(validation, innerBuilder, innerCandidates, (users) => userVectorsOf(innerPlan.spec, innerBuilder, innerRetrieval.tower, users), {
    seed: o.seed,
    randomNegatives: BUILD_DEFAULTS.rankerRandomNegatives,
    listsPerUser: BUILD_DEFAULTS.rankerListsPerUser,
    entryVectors: (users) => entryVectorsOf(innerPlan.spec, innerBuilder, innerRetrieval.tower, users),
    sequence: innerSequence,
  });
  const scoreStats = standardize(Array.from(rows.retrievalScores));
  const rankStats = standardize(Array.from(rows.retrievalRanks, (r) => Math.log1p(r)));
  const contextStats = (field: string) => standardize(rows.rows.map((r) => r.context![field] as number));
  const historyScores = { historyMaxScore: contextStats('historyMaxScore'), historyLastScore: contextStats('historyLastScore'), historyRecentScore: contextStats('historyRecentScore') };
  const sequenceScore = contextStats('historySequenceScore');
  disposeTwoTower(innerRetrieval.tower);
  const features = (now() - t) / 1000;
  t = now();

  // 3. The window's own plan and retrieval model (what ships, and what the test is scored with).
  const plan = deriveFeaturePlan(ds, train, { historyLength: choice.historyLength, historyHalfLifeEvents: choice.halfLifeEvents ?? undefined, retrievalScore: scoreStats, retrievalRank: rankStats, historyScores, sequenceScore });
  // The retrieval tower reads the liked-history pool only (item-item factors), not the profile.
  plan.userTower = ['history'];
  const builder = new ExampleBuilder(ds, plan);
  const spec = plan.spec;
  const full = fitEase(train, catalog, { lambda: choice.lambda, maxItems: BUILD_DEFAULTS.itemItemMaxItems });
  const retrieval = await retrievalModel(spec, catalog, full, o.seed, dim);
  const steps = fitStepTable(train, idsOf(full, catalog), { events: sequenceEvents(spec) });
  retrievalSeconds += (now() - t) / 1000;

  t = now();
  const rankerInputs = buildTensorsPerRow(spec, rows.rows, rows.nows);
  const hasWatch = rows.watch.some((w) => !Number.isNaN(w));
  // Epochs are chosen on held-out validation users (every fifth): the ranker sees few lists,
  // and past its best epoch it learns the validation period's items rather than the users.
  const chosen = await chooseDcnEpochs(plan, rankerInputs, rows, hasWatch, o);
  const dcn = await initDcn({ spec, features: plan.ranker, watchHead: hasWatch }, o.seed);
  const dcnStage = progress.stage('train DCN-V2', chosen.epochs);
  const dcnResult = await trainDcn(dcn, { inputs: rankerInputs, clicks: rows.labels, watchFractions: rows.watch }, {
    epochs: chosen.epochs,
    batchSize: BUILD_DEFAULTS.dcnBatchSize,
    learningRate: BUILD_DEFAULTS.learningRate,
    seed: o.seed,
    averageFrom: BUILD_DEFAULTS.dcnAverageFrom,
    onProgress: (p) => {
      if (p.step === p.steps) dcnStage.tick(1, `loss ${p.loss.toFixed(4)}`);
    },
  });
  dcnStage.done(`${rows.rows.length} candidate rows, ${chosen.epochs} epochs (held-out log loss ${chosen.losses.map((l) => l.toFixed(4)).join(', ')}), weights averaged over its last ${dcnResult.averagedSteps} steps, ${Math.round(dcnResult.examplesPerSecond)} ex/s`);
  const dcnSeconds = (now() - t) / 1000;

  t = now();
  let logReg: LogisticRegressionModel | null = null;
  let baselines: TrainedModels['baselines'] = null;
  if (o.baselines) {
    logReg = trainLogisticRegression(spec, rankerInputs, rows.labels, { seed: o.seed });
    const ease = choice.baselineLambda === choice.lambda ? full : fitEase(train, catalog, { lambda: choice.baselineLambda, maxItems: BUILD_DEFAULTS.itemItemMaxItems });
    baselines = { ease, itemKnn: fitItemKnn(train, catalog, { maxItems: BUILD_DEFAULTS.itemItemMaxItems }) };
  }
  const baselineSeconds = (now() - t) / 1000;

  return {
    plan,
    builder,
    twoTower: retrieval.tower,
    dcn,
    logReg,
    itemVectors: retrieval.itemVectors,
    dim,
    candidates: new FeedCandidates(builder, retrieval.itemVectors, dim),
    steps,
    sequence: new SequenceScorer(steps, builder),
    retrieval: choice,
    baselines,
    losses: { twoTower: [], dcn: dcnResult.epochLosses },
    seconds: { features, twoTower: retrievalSeconds, dcn: dcnSeconds, baselines: baselineSeconds },
    hasWatch,
    dcnEpochs: chosen.epochs,
  };
}

/**
 * The DCN's epochs (1..o.epochs): trained on four fifths of the validation users one epoch at a
 * time, the count with the lowest log loss on the other fifth.
 */
async function chooseDcnEpochs(plan: FeaturePlan, inputs: FeatureTensors, rows: CandidateRows, hasWatch: boolean, o: TrainOptions): Promise<{ epochs: number; losses: number[] }> {
  const userIndex = new Map<string, number>();
  for (const u of rows.users) if (!userIndex.has(u)) userIndex.set(u, userIndex.size);
  const fit: number[] = [];
  const held: number[] = [];
  rows.users.forEach((u, r) => (userIndex.get(u)! % BUILD_DEFAULTS.rankerHoldoutEvery === 0 ? held : fit).push(r));
  const probe = await initDcn({ spec: plan.spec, features: plan.ranker, watchHead: hasWatch }, o.seed);
  const layout = probe.layout.inputs;
  const fitInputs = selectRows(layout, inputs, fit);
  const heldInputs = selectRows(layout, inputs, held);
  const heldLabels = Float32Array.from(held, (r) => rows.labels[r]!);
  const losses: number[] = [];
  for (let e = 0; e < o.epochs; e++) {
    await trainDcn(probe, { inputs: fitInputs, clicks: Float32Array.from(fit, (r) => rows.labels[r]!), watchFractions: Float32Array.from(fit, (r) => rows.watch[r]!) }, {
      epochs: 1,
      batchSize: BUILD_DEFAULTS.dcnBatchSize,
      learningRate: BUILD_DEFAULTS.learningRate,
      seed: o.seed + e,
    });
    losses.push(logloss(heldLabels, predictDcn(probe, heldInputs).click));
  }
  disposeDcn(probe);
  return { epochs: losses.indexOf(Math.min(...losses)) + 1, losses };
}

async function retrievalModel(spec: FeatureSpec, catalog: readonly string[], m: ItemItemMatrix, seed: number, dim: number) {
  return itemItemRetrieval(spec, catalog, m, await factorize(m, dim, seed), { historyFeature: 'history', itemIdFeature: 'item_id', seed });
}

/** The item ids an item-item matrix models, in its row order (the step table's rows). */
function idsOf(m: ItemItemMatrix, catalog: readonly string[]): string[] {
  return Array.from(m.items, (i) => catalog[i]!);
}

/** User vectors of many users at once: user -> vector. */
export function userVectors(
  m: TrainedModels,
  users: readonly { user: string; history: readonly Interaction[]; now: number }[],
): Map<string, Float32Array> {
  const vectors = userVectorsOf(m.plan.spec, m.builder, m.twoTower, users);
  return new Map(users.map((u, i) => [u.user, vectors[i]!] as const));
}

/** Per-entry vectors of many users at once (for the history scores): user -> vectors. */
export function userEntryVectors(m: TrainedModels, users: readonly UserMoment[]): Map<string, { vectors: Float32Array; rows: number }> {
  const vectors = entryVectorsOf(m.plan.spec, m.builder, m.twoTower, users);
  return new Map(users.map((u, i) => [u.user, vectors[i]!] as const));
}

/** The item tower's inputs for every catalog item (its features do not depend on time). */
export function itemTensors(spec: FeatureSpec, builder: ExampleBuilder, features: readonly string[]): Record<string, FeatureTensor> {
  const rows: FeatureRow[] = builder.catalog.map((_, i) => ({ item: builder.item(i) as unknown as Record<string, unknown> }));
  return buildFeatureTensors(spec, rows, { now: 0, only: features });
}

/** Click probability and expected watch fraction of (user, item) rows at their `now`s. */
export function rankRows(m: TrainedModels, rows: readonly FeatureRow[], nows: Float64Array): { click: Float32Array; watch: Float32Array | null } {
  const inputs = buildTensorsPerRow(m.plan.spec, rows, nows);
  return predictDcn(m.dcn, inputs);
}

/** Frees the tensors of trained models. */
export function disposeModels(m: TrainedModels): void {
  disposeDcn(m.dcn);
  disposeTwoTower(m.twoTower);
}
