export { predictLogisticRegressionTensors, trainLogisticRegression } from './logreg.ts';
export type { LogisticRegressionModel } from './logreg.ts';
export { popularityModel } from './popularity.ts';
export { ITEM_ITEM_DEFAULTS } from './defaults.ts';
export { fitEase, fitItemKnn, itemItemModel, scoreHistory } from './item-item.ts';
export type { ItemItemMatrix } from './item-item.ts';
