export { OTHER_FEEDS, StoreFigureCache, capFeeds, collectMetrics } from './collect.ts';
export type { CollectedMetrics } from './collect.ts';
export { IngestCounters } from './counters.ts';
export { DriftCache } from './drift.ts';
export { PROMETHEUS_CONTENT_TYPE, toPrometheus } from './prometheus.ts';
