export { OnnxGraph } from './graph.ts';
export {
  concat,
  crossLayer,
  dense,
  embeddingLookup,
  maskedMeanPool,
  splitAffine,
  weightedSumPool,
  type CrossParams,
  type Weights,
  type XSplit,
} from './layers.ts';
export { ONNX_DEFAULTS } from './defaults.ts';
export { tensorsOfNode } from './device-limits.ts';
export { createNodeSession, ortForNode } from './ort-node.ts';
