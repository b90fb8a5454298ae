import type { FeedResults, Metric, RankingResults, RetrievalResults } from './report-json.ts';

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

/** Display names of the report's model keys. */
export const MODEL_NAMES: Readonly<Record<string, string>> = Object.freeze({
  twoTower: 'two-tower',
  popularity: 'popularity',
  dcn: 'DCN',
  logisticRegression: 'logistic regression',
});

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

interface Results {
  retrieval: RetrievalResults;
  ranking: RankingResults;
  feed: FeedResults;
}

/**
 * The headline numbers, each model beside its baseline, in pipeline order. One list feeds both
 * the Summary of report.md and the table `ondeck build` prints, so the two never disagree.
 * Pass `report` for the per-user split or `report.globalSplit` for the global one.
 */
export function headlineRows(results: Results): HeadlineRow[] {
  return [
    row('retrieval', 'recall@50', 'twoTower', 'popularity', results.retrieval.twoTower['recall@50'], results.retrieval.popularity['recall@50']),
    row('retrieval', 'recall@100', 'twoTower', 'popularity', results.retrieval.twoTower['recall@100'], results.retrieval.popularity['recall@100']),
    row('ranking', 'auc', 'dcn', 'logisticRegression', results.ranking.dcn.auc, results.ranking.logisticRegression.auc),
    row('ranking', 'logloss', 'dcn', 'logisticRegression', results.ranking.dcn.logloss, results.ranking.logisticRegression.logloss),
    row('feed', 'ndcg@10', 'dcn', 'popularity', results.feed.dcn['ndcg@10'], results.feed.popularity['ndcg@10']),
    row('feed', 'precision@10', 'dcn', 'popularity', results.feed.dcn['precision@10'], results.feed.popularity['precision@10']),
    row('feed', 'map@10', 'dcn', 'popularity', results.feed.dcn['map@10'], results.feed.popularity['map@10']),
  ];
}

function row(
  stage: HeadlineRow['stage'],
  metricKey: string,
  model: string,
  baseline: string,
  modelValue: Metric,
  baselineValue: Metric,
): HeadlineRow {
  const lowerIsBetter = LOWER_IS_BETTER.has(metricKey);
  const metricLabel = metricKey === 'auc' ? 'AUC' : metricKey;
  return {
    metric: `${stage} ${metricLabel} (${modelName(model)} vs ${modelName(baseline)})`,
    model: modelValue,
    baseline: baselineValue,
    lowerIsBetter,
    stage,
    metricKey,
    modelName: modelName(model),
    baselineName: modelName(baseline),
  };
}
