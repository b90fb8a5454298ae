export { buildFeatureTensors, tensorLayout } from './build.ts';
export type { BuildOptions, FeatureRow, FeatureTensor, Scope, TensorLayout } from './build.ts';
export { hashBucket, hashString } from './hash.ts';
export { DEFAULT_HISTORY_EVENT_WEIGHTS, encodeHistory, encodeHistoryShare, poolVectors, selectHistory } from './history.ts';
export type { HistoryEntry } from './history.ts';
export { FEATURE_SPEC_VERSION, featureCardinality, parseFeatureSpec } from './spec.ts';
export type {
  BucketizedFeature,
  CategoricalFeature,
  DenseFeature,
  Feature,
  FeatureKind,
  FeatureSpec,
  FeatureSpecInput,
  HistoryFeature,
  HistoryShareFeature,
  MultiCategoricalFeature,
  NumericFeature,
} from './spec.ts';
export { ageInDays, encodeBucketized, encodeCategorical, encodeMultiCategorical, encodeNumeric } from './transforms.ts';
