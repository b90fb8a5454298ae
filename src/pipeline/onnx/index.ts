export {
  OnnxGraph,
  type InitializerData,
  type OnnxDim,
  type OnnxElemType,
  type OnnxValueSpec,
  type ToBytesOptions,
} from './graph.ts';
export { floatAttr, floatsAttr, type AttrValue, type Attrs, type FloatAttr, type FloatsAttr } from './attributes.ts';
export {
  concat,
  crossLayer,
  dense,
  dotRows,
  embeddingLookup,
  l2Normalize,
  maskedMeanPool,
  sigmoid,
  weightedSumPool,
  type Activation,
  type CrossParams,
  type LayerOptions,
  type Weights,
  type WeightsRef,
} from './layers.ts';
export { ONNX_DEFAULTS } from './defaults.ts';
export { checkDeviceLimits, tensorsOfNode } from './device-limits.ts';
export { createNodeSession, ortForNode } from './ort-node.ts';
export {
  OnnxDeviceLimitError,
  OnnxDuplicateNameError,
  OnnxGraphError,
  OnnxShapeError,
  OnnxUnknownNameError,
  OnnxUnsupportedOpError,
} from './errors.ts';
