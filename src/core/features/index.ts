export { USER_INDEX_TENSOR, buildFeatureTensors, tensorLayout, userTensors } from './build.ts';
export type { FeatureRow, FeatureTensor, TensorLayout } from './build.ts';
export { DEFAULT_HISTORY_EVENT_WEIGHTS, newestFirst } from './history.ts';
export type { HistoryEntry } from './history.ts';
export { featureCardinality, parseFeatureSpec } from './spec.ts';
export type { Feature, FeatureSpec, FeatureSpecInput } from './spec.ts';
export { encodeCategorical } from './transforms.ts';
