export { ensureTrainingBackend, wasmBinaryDir } from './backend.ts';
export type { TrainingBackendInfo } from './backend.ts';
export { DCN_DEFAULTS, FIT_DEFAULTS, INIT_DEFAULTS, TRAINING_BACKENDS, TWO_TOWER_DEFAULTS } from './defaults.ts';
export type { TrainingBackend } from './defaults.ts';
export { TrainBackendError, TrainConfigError, TrainDivergedError, TrainInputError } from './errors.ts';
export { embedParts, initTables, planParts, planTables } from './feature-parts.ts';
export type { EmbeddingDims, FeaturePart, PartsLayout, TableSpec } from './feature-parts.ts';
export { gatherRows } from './gather.ts';
export { TRAINING_GRADIENT_KERNELS, registerTrainingGradients } from './gradients.ts';
export { bceWithLogits, diagonalSoftmaxCrossEntropy, duplicateMask, inBatchLogits, inBatchSoftmaxLoss } from './losses.ts';
export type { InBatchSoftmaxOptions } from './losses.ts';
export { checkFeatureTensors, selectRows, sliceRows, toTfInputs } from './model-inputs.ts';
export type { FeatureTensors, ModelInput } from './model-inputs.ts';
export { createAdam, fit, optimizerStep, resolveFitOptions } from './fit.ts';
export type { BatchLoss, FitOptions, TrainProgress, TrainResult } from './fit.ts';
export { createRandom, permutation, streamFor } from './random.ts';
export type { Random } from './random.ts';
export { dcnLogits, dcnVariables, disposeDcn, exportDcnWeights, forwardDcn, initDcn, resolveDcnConfig } from './dcn.ts';
export type { CrossLayer, DcnConfig, DcnConfigInput, DcnOutputs, DcnParams } from './dcn.ts';
export { dcnLoss, dcnLossParts, predictDcn, trainDcn, trainDcnStep } from './dcn-train.ts';
export type { DcnBatch, DcnLossParts, DcnPredictions, DcnTrainResult, DcnTrainingData } from './dcn-train.ts';
export {
  NORM_EPSILON,
  disposeTwoTower,
  exportTwoTowerWeights,
  forwardTwoTower,
  initTwoTower,
  itemTower,
  l2Normalize,
  resolveTwoTowerConfig,
  twoTowerVariables,
  userTower,
} from './two-tower.ts';
export type { TwoTowerConfig, TwoTowerConfigInput, TwoTowerOutputs, TwoTowerParams } from './two-tower.ts';
export { countIds, embedItems, embedUsers, itemLogQ, trainTwoTower, trainTwoTowerStep, twoTowerLoss } from './two-tower-train.ts';
export type { TwoTowerBatch, TwoTowerTrainingData } from './two-tower-train.ts';
export type { DcnWeights, ExportedLayout, TwoTowerWeights, WeightArray, WeightMap } from './weights.ts';
export { factorize, itemItemRetrieval } from './item-item-retrieval.ts';
export type { Factors, ItemItemRetrieval } from './item-item-retrieval.ts';
