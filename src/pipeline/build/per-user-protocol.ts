/**
 * Protocol (1) of `ondeck build`, the headline: each user's latest 20 % held out, the models
 * trained on the rest and evaluated on a seeded sample of test users (all of them on small data).
 * It returns its figures only and frees its models before it returns, so that the refit, when it
 * runs on the main thread after it (large data, build.ts), has that memory.
 */
import { sampleTestUsers, type Dataset, type perUserTemporalSplit } from '../data/index.ts';
import type { Progress } from '../progress/index.ts';
import { BUILD_DEFAULTS } from './defaults.ts';
import { sampledNdcg, type SampledNdcg } from './evaluation-sample.ts';
import { evaluateAgainstTruth, evaluateProtocol, scorers, type ProtocolMetrics } from './evaluate-protocol.ts';
import { disposeModels, trainModels, type TrainedModels } from './models.ts';
import type { BuildOptions } from './options.ts';
import { shippedOf, type ShippedModels } from './refit.ts';

export interface PerUserProtocolResult {
  metrics: ProtocolMetrics & { curveKs: readonly number[] };
  truth: ReturnType<typeof evaluateAgainstTruth>;
  /** null when every test user was evaluated; else the sample and its served NDCG@10 interval. */
  sample: SampledNdcg | null;
  /** What the report reads of the models. */
  models: Pick<TrainedModels, 'losses' | 'seconds'> & { easeLambda: number; validation: TrainedModels['retrieval']['grid'] };
  seconds: { train: number; evaluate: number };
  /** The models as a release takes them, when asked (`--release-from split`); else null. */
  shipped: ShippedModels | null;
}

export async function runPerUserProtocol(
  ds: Dataset,
  perUser: ReturnType<typeof perUserTemporalSplit>,
  o: Pick<BuildOptions, 'epochs' | 'seed'>,
  progress: Progress,
  ship: boolean,
): Promise<PerUserProtocolResult> {
  let t = performance.now();
  const m = await trainModels(ds, perUser.train, { epochs: o.epochs, seed: o.seed, baselines: true }, progress);
  try {
    const train = (performance.now() - t) / 1000;
    t = performance.now();
    // Large data: a seeded sample of test users (train stays whole), reported with its interval.
    const sampled = sampleTestUsers(perUser, BUILD_DEFAULTS.evaluationUsers, o.seed);
    const stage = progress.stage('evaluate per-user temporal');
    const s = scorers(sampled.split, m);
    const metrics = evaluateProtocol(sampled.split, m, s);
    const truth = evaluateAgainstTruth(ds, sampled.split, m, s);
    const sample = sampled.sample && sampledNdcg(sampled.split, m.builder.catalog, s.served, BUILD_DEFAULTS.feedK, sampled.sample);
    stage.done(sample ? `${sample.users} of ${sample.of} test users, served ndcg@10 ${sample.mean.toFixed(4)} [${sample.ci95.map((x) => x.toFixed(4)).join(', ')}]` : undefined);
    return {
      metrics,
      truth,
      sample,
      models: { losses: m.losses, seconds: m.seconds, easeLambda: m.retrieval.baselineLambda, validation: m.retrieval.grid },
      seconds: { train, evaluate: (performance.now() - t) / 1000 },
      shipped: ship ? shippedOf(m) : null,
    };
  } finally {
    disposeModels(m);
  }
}
