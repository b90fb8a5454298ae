/**
 * What a build reports when it evaluates a sample of test users (large data, see
 * BUILD_DEFAULTS.evaluationUsers): the sample's size and a 95% confidence interval of the
 * served feed's NDCG@k, so a reader knows how far the figure could move on all users.
 */
import { ndcgAtK } from '../../core/metrics/index.ts';
import type { UserSample } from '../data/index.ts';
import { prepareProtocol, type Catalog, type EvalSplit, type RankFeed } from '../evaluate/index.ts';

export interface SampledNdcg extends UserSample {
  k: number;
  /** Mean NDCG@k over the sampled users with a positive test item (the report's figure). */
  mean: number;
  /**
   * mean ± 1.96 standard errors, with the finite-population correction sqrt(1 - n/N) (the
   * sample is drawn without replacement from N test users).
   */
  ci95: [number, number];
  /** Users the mean is over (sampled users without a positive test item are skipped, as in evaluateFeed). */
  measured: number;
}

/**
 * Per-user NDCG@k of `rank` over the (sampled) split, its mean and 95% interval. `rank` is the
 * build's remembered feed, so the pages are those already evaluated, not computed again.
 */
export function sampledNdcg(split: EvalSplit, catalog: Catalog, rank: RankFeed, k: number, sample: UserSample): SampledNdcg {
  const p = prepareProtocol(split, catalog);
  const values: number[] = [];
  for (const u of p.users) {
    const exclude = new Set<string>();
    for (const i of u.seen) exclude.add(catalog[i]!);
    const list = rank(u.user, u.history, exclude, k).slice(0, k);
    const relevant = new Set<string>();
    for (const i of u.relevant) relevant.add(catalog[i]!);
    values.push(ndcgAtK(list, relevant, k));
  }
  const n = values.length;
  const mean = n === 0 ? Number.NaN : values.reduce((a, b) => a + b, 0) / n;
  const variance = n < 2 ? Number.NaN : values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1);
  const fpc = Math.sqrt(Math.max(0, 1 - sample.users / sample.of));
  const half = 1.96 * Math.sqrt(variance / n) * fpc;
  return { ...sample, k, mean, ci95: [mean - half, mean + half], measured: n };
}
