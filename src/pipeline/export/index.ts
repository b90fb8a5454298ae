export { EXPORT_DEFAULTS } from './defaults.ts';
export { onnxIdentifier } from './input-names.ts';
export { exportRankerOnnx } from './ranker.ts';
export { exportUserTowerOnnx } from './tower.ts';
