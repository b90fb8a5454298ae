/**
 * Protocol (2) of `ondeck build`: a global time cut, trained and evaluated on its own. Nothing of
 * it ships and it shares nothing with protocol (1) but the data and the seed, so the build runs
 * it on a thread of its own (build-thread.ts) while the main thread trains and evaluates
 * protocol (1): the two cores of a small machine both work, and the figures are those of
 * running it inline.
 */
import { globalTemporalSplit, sampleTestUsers, type Dataset } from '../data/index.ts';
import type { Progress } from '../progress/index.ts';
import { evaluateProtocol, evaluateWarmCold, scorers, type ProtocolMetrics } from './evaluate-protocol.ts';
import { startBuildThread } from './build-thread.ts';
import { disposeModels, trainModels, type TrainedModels } from './models.ts';
import type { BuildOptions } from './options.ts';
import { BUILD_DEFAULTS } from './defaults.ts';
import { sampledNdcg, type SampledNdcg } from './evaluation-sample.ts';

export interface GlobalProtocolResult {
  metrics: ProtocolMetrics & { curveKs: readonly number[] };
  warmCold: ReturnType<typeof evaluateWarmCold>;
  stats: ReturnType<typeof globalTemporalSplit>['stats'];
  seconds: { train: number; evaluate: number; models: TrainedModels['seconds'] };
  /** null when every test user was evaluated; else the sample and its served NDCG@10 interval. */
  sample: SampledNdcg | null;
}

/** Protocol (2) here, on this thread. */
export async function runGlobalProtocol(ds: Dataset, o: Pick<BuildOptions, 'epochs' | 'seed'>, progress: Progress): Promise<GlobalProtocolResult> {
  const global = globalTemporalSplit(ds);
  let t = performance.now();
  const m = await trainModels(ds, global.train, { epochs: o.epochs, seed: o.seed, baselines: true }, progress);
  const train = (performance.now() - t) / 1000;
  t = performance.now();
  const stage = progress.stage('evaluate global temporal');
  try {
    // Large data: a seeded sample of test users (train stays whole), as in protocol (1).
    const sampled = sampleTestUsers(global, BUILD_DEFAULTS.evaluationUsers, o.seed);
    const s = scorers(sampled.split, m);
    const metrics = evaluateProtocol(sampled.split, m, s);
    const warmCold = evaluateWarmCold(sampled.split, m, s);
    const sample = sampled.sample && sampledNdcg(sampled.split, m.builder.catalog, s.served, BUILD_DEFAULTS.feedK, sampled.sample);
    stage.done();
    return { metrics, warmCold, stats: global.stats, seconds: { train, evaluate: (performance.now() - t) / 1000, models: m.seconds }, sample };
  } finally {
    disposeModels(m);
  }
}

/** Protocol (2) on a worker thread of its own (build-thread.ts). */
export function startGlobalProtocol(options: BuildOptions, progress: Progress): Promise<GlobalProtocolResult> {
  return startBuildThread<GlobalProtocolResult>({ kind: 'global', options }, progress);
}
