export { computeDrift, readBaseline } from './compute-drift.ts';
export type { ComputeDriftOptions } from './compute-drift.ts';
export { releaseItems } from './release-items.ts';
export { DriftBaselineError } from './errors.ts';
export { DRIFT_DEFAULTS } from './defaults.ts';
