/** Picks the report's metric keys out of the evaluators' richer reports. */
import type { FeedReport, RankingReport, RetrievalReport } from '../evaluate/index.ts';
import type { FeedQualityMetrics, RankingMetrics, RetrievalMetrics } from '../report/index.ts';

export function retrievalMetrics(r: RetrievalReport): RetrievalMetrics {
  return { 'recall@10': r['recall@10'] ?? null, 'recall@50': r['recall@50'] ?? null, 'recall@100': r['recall@100'] ?? null };
}

export function rankingMetrics(r: RankingReport): RankingMetrics {
  return { auc: r.auc, logloss: r.logloss, rows: r.rows, positives: r.positives, ...(r.groupAuc === undefined ? {} : { userAuc: r.groupAuc }) };
}

export function feedMetrics(r: FeedReport): FeedQualityMetrics {
  return {
    'ndcg@10': r['ndcg@10'] ?? null,
    'precision@10': r['precision@10'] ?? null,
    'map@10': r['map@10'] ?? null,
    coverage: r.coverage,
    diversity: r.diversity,
  };
}

export function curve(r: RetrievalReport, ks: readonly number[]): (number | null)[] {
  return ks.map((k) => r[`recall@${k}`] ?? null);
}
