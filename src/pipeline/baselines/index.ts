export { LOGREG_DEFAULTS, POPULARITY_DEFAULTS } from './defaults.ts';
export { BASELINE_ERROR_NAMES, BaselineInputError } from './errors.ts';
export { linearLayout } from './linear-layout.ts';
export type { LinearLayout, WeightBlock } from './linear-layout.ts';
export { predictLogisticRegression, predictLogisticRegressionTensors, trainLogisticRegression } from './logreg.ts';
export type { LogisticRegressionModel, LogisticRegressionOptions } from './logreg.ts';
export { popularityModel, popularityScores } from './popularity.ts';
export type { PopularityModel, PopularityOptions } from './popularity.ts';
