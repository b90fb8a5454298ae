export { deriveFeaturePlan } from './derive-spec.ts';
export type { FeaturePlan } from './derive-spec.ts';
export { ExampleBuilder } from './examples.ts';
