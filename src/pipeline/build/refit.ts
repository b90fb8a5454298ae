/**
 * The release models refitted on all interactions (`--release-from all`): trained like the
 * evaluated ones, on the whole log. Nothing the report measures depends on them, so the build
 * trains them on a thread of their own (build-thread.ts) beside protocol (1) and protocol (2),
 * and keeps only what the release needs: exported weights, item vectors and the feature plan.
 */
import type { Dataset } from '../data/index.ts';
import type { FeaturePlan } from '../features/index.ts';
import type { Progress } from '../progress/index.ts';
import { exportDcnWeights, exportTwoTowerWeights, type DcnWeights, type TwoTowerWeights } from '../train/index.ts';
import { startBuildThread } from './build-thread.ts';
import { disposeModels, trainModels, type TrainedModels } from './models.ts';
import type { BuildOptions } from './options.ts';

/** What a release is written from: plain data, so it crosses a thread boundary. */
export interface ShippedModels {
  plan: FeaturePlan;
  dcn: DcnWeights;
  twoTower: TwoTowerWeights;
  /** Item vectors, row-major [catalog, dim], in catalog order. */
  itemVectors: Float32Array;
  dim: number;
  hasWatch: boolean;
  retrieval: Pick<TrainedModels['retrieval'], 'lambda' | 'historyLength' | 'halfLifeEvents'>;
  dcnEpochs: number;
  seconds: TrainedModels['seconds'];
  /** The step table (a release artifact). */
  steps: TrainedModels['steps'];
}

/** The release's view of trained models (their tensors stay with `m`). */
export function shippedOf(m: TrainedModels): ShippedModels {
  const { lambda, historyLength, halfLifeEvents } = m.retrieval;
  return {
    plan: m.plan,
    dcn: exportDcnWeights(m.dcn),
    twoTower: exportTwoTowerWeights(m.twoTower),
    itemVectors: m.itemVectors,
    dim: m.dim,
    hasWatch: m.hasWatch,
    retrieval: { lambda, historyLength, halfLifeEvents },
    dcnEpochs: m.dcnEpochs,
    seconds: m.seconds,
    steps: m.steps,
  };
}

/** The refit here, on this thread. */
export async function runRefit(ds: Dataset, o: Pick<BuildOptions, 'epochs' | 'seed'>, progress: Progress): Promise<ShippedModels> {
  const m = await trainModels(ds, ds.interactions, { epochs: o.epochs, seed: o.seed, baselines: false }, progress);
  try {
    return shippedOf(m);
  } finally {
    disposeModels(m);
  }
}

/** The refit on a worker thread of its own. */
export function startRefit(options: BuildOptions, progress: Progress): Promise<ShippedModels> {
  return startBuildThread<ShippedModels>({ kind: 'refit', options }, progress);
}
