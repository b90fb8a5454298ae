export type { ServerMetrics } from './metrics.ts';
export { driftRows, parseDriftBaseline } from './drift.ts';
export type { DriftBaseline, DriftItem, DriftSample } from './drift.ts';
