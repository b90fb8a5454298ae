export { deriveFeaturePlan } from './derive-spec.ts';
export type { DeriveOptions, FeaturePlan } from './derive-spec.ts';
export { FEATURE_DEFAULTS } from './defaults.ts';
export { ExampleBuilder } from './examples.ts';
export type { ExampleOptions, Examples } from './examples.ts';
export { itemRecord } from './item-record.ts';
export type { ItemRecord } from './item-record.ts';
