export { formatCount, formatMetric, formatRatio } from './format.ts';
export { headlineRows } from './headline.ts';
export {
  buildReport,
  summarizeDataset,
  type FeedQualityMetrics,
  type RankingMetrics,
  type Report,
  type RetrievalMetrics,
} from './report-json.ts';
export { displayWidth, padEnd, padStart } from './text-width.ts';
export { writeReportFiles } from './write-report.ts';
