import { ratio } from './format.ts';
import type { FeedQualityMetrics, FeedResults, Metric, RankingResults, RetrievalResults } from './report-json.ts';

/** One model-vs-baseline comparison; `metric` is a ready label, the rest is structure. */
export interface HeadlineRow {
  metric: string;
  model: Metric;
  baseline: Metric;
  lowerIsBetter: boolean;
  stage: 'retrieval' | 'ranking' | 'feed';
  metricKey: string;
  modelName: string;
  baselineName: string;
}

/**
 * Display names of the report's model keys. `retrieval.twoTower` holds the candidates the device
 * ranks, so retrieval tables call it `ours` (see RETRIEVAL_NAMES).
 */
export const MODEL_NAMES: Readonly<Record<string, string>> = Object.freeze({
  ours: 'ours',
  twoTower: 'two-tower',
  popularity: 'popularity',
  dcn: 'DCN',
  logisticRegression: 'logistic regression',
  served: 'served',
  ranked: 'ranked',
  ease: 'EASE',
  itemKnn: 'ItemKNN',
});

/** Column names of the retrieval tables. */
export const RETRIEVAL_NAMES: Readonly<Record<string, string>> = Object.freeze({ twoTower: 'ours', ease: 'EASE', popularity: 'popularity' });

/** Metrics where smaller is better; a ratio below 1 is the model winning there. */
export const LOWER_IS_BETTER: ReadonlySet<string> = new Set(['logloss']);

/**
 * Whether an extra key of a metric block is a rate (shown to 4 significant digits with a ratio)
 * rather than a count an evaluator carried along (users, rows: shown as integers). Rates are
 * the `<name>@<k>` family and a few named ones.
 */
export function isRateMetric(key: string): boolean {
  return /@\d+$/.test(key) || RATE_METRICS.has(key);
}

const RATE_METRICS: ReadonlySet<string> = new Set(['auc', 'logloss', 'coverage', 'diversity', 'mrr', 'hitRate']);

export function modelName(key: string): string {
  return MODEL_NAMES[key] ?? key;
}

// --- feeds ----------------------------------------------------------------------------------

export type FeedKey = 'served' | 'ranked' | 'twoTower' | 'ease' | 'itemKnn' | 'popularity';

/** The feeds in the order report.md lists them, with the names its feed table uses. */
export const FEED_NAMES: Readonly<Record<FeedKey, string>> = Object.freeze({
  served: 'served feed',
  ranked: 'ranked (before re-ranking)',
  twoTower: 'retrieval only (two-tower)',
  ease: 'EASE',
  itemKnn: 'ItemKNN',
  popularity: 'most-popular',
});

/** The baselines the served feed is measured against; `ranked` is ours, not a baseline. */
export const FEED_BASELINES: readonly FeedKey[] = Object.freeze(['twoTower', 'ease', 'itemKnn', 'popularity'] as const);

export interface FeedRow {
  key: FeedKey;
  name: string;
  metrics: FeedQualityMetrics;
}

/**
 * Every feed the results hold, in display order. `ranked` falls back to `dcn`, its old name,
 * which every report has.
 */
export function feedRows(feed: FeedResults): FeedRow[] {
  const metricsOf: Record<FeedKey, FeedQualityMetrics | undefined> = {
    served: feed.served,
    ranked: feed.ranked ?? feed.dcn,
    twoTower: feed.twoTower,
    ease: feed.ease,
    itemKnn: feed.itemKnn,
    popularity: feed.popularity,
  };
  const rows: FeedRow[] = [];
  for (const key of Object.keys(FEED_NAMES) as FeedKey[]) {
    const metrics = metricsOf[key];
    if (metrics) rows.push({ key, name: FEED_NAMES[key], metrics });
  }
  return rows;
}

/**
 * The baseline feed with the highest NDCG@10 (the one the served feed has to beat); most-popular
 * when no baseline has a value, since every report has it.
 */
export function bestFeedBaseline(feed: FeedResults): FeedRow {
  const rows = feedRows(feed).filter((r) => FEED_BASELINES.includes(r.key));
  return best(rows, (r) => r.metrics['ndcg@10']) ?? rows.find((r) => r.key === 'popularity')!;
}

/** The retrieval baseline (EASE or popularity) with the higher value of `metricKey`. */
export function bestRetrievalBaseline(retrieval: RetrievalResults, metricKey: string): 'ease' | 'popularity' {
  const keys = (['ease', 'popularity'] as const).filter((k) => retrieval[k] !== undefined);
  return best(keys, (k) => retrieval[k]![metricKey] ?? null) ?? 'popularity';
}

function best<T>(xs: readonly T[], value: (x: T) => Metric): T | undefined {
  let out: T | undefined;
  let top = -Infinity;
  for (const x of xs) {
    const v = value(x);
    if (v !== null && Number.isFinite(v) && v > top) [out, top] = [x, v];
  }
  return out;
}

/** served ÷ best baseline on NDCG@10: the number issue 11 is judged by. */
export function servedRatio(feed: FeedResults): number | null {
  return ratio(feed.served['ndcg@10'], bestFeedBaseline(feed).metrics['ndcg@10']);
}

// --- headline -------------------------------------------------------------------------------

interface Results {
  retrieval: RetrievalResults;
  ranking: RankingResults;
  feed: FeedResults;
}

/**
 * The few numbers that say whether ondeck wins, each against the baseline it has to beat: the
 * table `ondeck build` prints at the end. Retrieval recall@100 against the better of EASE and
 * popularity, ranking AUC against logistic regression, the served feed's NDCG@10 against the
 * best baseline feed and against most-popular. Pass `report` for the per-user split or
 * `report.globalSplit` for the global one.
 */
export function headlineRows(results: Results): HeadlineRow[] {
  const { retrieval, ranking, feed } = results;
  const retrievalBase = bestRetrievalBaseline(retrieval, 'recall@100');
  const feedBase = bestFeedBaseline(feed);
  const hasOtherBaselines = feedRows(feed).some((r) => r.key !== 'popularity' && FEED_BASELINES.includes(r.key));
  const rows = [
    row('retrieval', 'recall@100', 'ours', retrievalBase, retrieval.twoTower['recall@100'], retrieval[retrievalBase]!['recall@100'], retrieval.ease !== undefined),
    row('ranking', 'auc', 'dcn', 'logisticRegression', ranking.dcn.auc, ranking.logisticRegression.auc),
    row('feed', 'ndcg@10', 'served', feedBase.key, feed.served['ndcg@10'], feedBase.metrics['ndcg@10'], hasOtherBaselines),
  ];
  if (feedBase.key !== 'popularity') {
    rows.push(row('feed', 'ndcg@10', 'served', 'popularity', feed.served['ndcg@10'], feed.popularity['ndcg@10']));
  }
  return rows;
}

const METRIC_LABELS: Readonly<Record<string, string>> = Object.freeze({ auc: 'AUC', 'ndcg@10': 'NDCG@10' });

function row(
  stage: HeadlineRow['stage'],
  metricKey: string,
  model: string,
  baseline: string,
  modelValue: Metric,
  baselineValue: Metric,
  /** Label the baseline as the best of several, so the reader knows it was picked. */
  bestOfSeveral = false,
): HeadlineRow {
  const lowerIsBetter = LOWER_IS_BETTER.has(metricKey);
  const metricLabel = METRIC_LABELS[metricKey] ?? metricKey;
  const vs = `${modelName(model)} vs ${modelName(baseline)}${bestOfSeveral ? ', best baseline' : ''}`;
  return {
    metric: `${stage} ${metricLabel} (${vs})`,
    model: modelValue,
    baseline: baselineValue,
    lowerIsBetter,
    stage,
    metricKey,
    modelName: modelName(model),
    baselineName: modelName(baseline),
  };
}
