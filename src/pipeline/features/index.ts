export { deriveFeaturePlan } from './derive-spec.ts';
export type { FeaturePlan } from './derive-spec.ts';
export { FEATURE_DEFAULTS } from './defaults.ts';
export { ExampleBuilder } from './examples.ts';
