export { REPORT_DEFAULTS } from './defaults.ts';
export { ReportError } from './errors.ts';
export { formatCount, formatDuration, formatMetric, formatPercent, formatRatio, ratio } from './format.ts';
export {
  FEED_BASELINES,
  FEED_NAMES,
  LOWER_IS_BETTER,
  MODEL_NAMES,
  RETRIEVAL_NAMES,
  bestFeedBaseline,
  bestRetrievalBaseline,
  feedRows,
  headlineRows,
  isRateMetric,
  modelName,
  servedRatio,
  type FeedKey,
  type FeedRow,
  type HeadlineRow,
} from './headline.ts';
export { markdownTable, type Align } from './markdown-table.ts';
export { lossChartSvg, recallChartSvg } from './report-charts.ts';
export {
  buildReport,
  serializeReport,
  summarizeDataset,
  validateReport,
  type CohortResults,
  type Curves,
  type DatasetSummary,
  type FeedMetrics,
  type FeedResults,
  type GlobalSplitReport,
  type GlobalSplitResults,
  type Metric,
  type PerUserSplitReport,
  type RankingMetrics,
  type RankingResults,
  type Report,
  type ReportParts,
  type ReportSettings,
  type RetrievalChoice,
  type RetrievalMetrics,
  type RetrievalResults,
  type StageSeconds,
} from './report-json.ts';
export { renderReportMarkdown, type ReportMarkdownOptions } from './report-md.ts';
export { describeGlobalSplit, describePerUserSplit } from './split-definitions.ts';
export { renderLineChart, type ChartSeries, type LineChartSpec } from './svg-line-chart.ts';
export { displayWidth, padEnd, padStart } from './text-width.ts';
export { niceTicks, type AxisTicks } from './ticks.ts';
export { writeReportFiles, type WrittenReport } from './write-report.ts';
