export { StoreFigureCache, collectMetrics } from './collect.ts';
export { DriftCache } from './drift.ts';
export { PROMETHEUS_CONTENT_TYPE, toPrometheus } from './prometheus.ts';
