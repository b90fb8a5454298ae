/**
 * Tunables of the ONNX exporter, in one place.
 *
 * The operator set is deliberately small: every model we ship must run on onnxruntime-web's
 * WASM execution provider and, with no node falling back to the CPU, on its WebGPU one. With
 * onnxruntime-web 1.30 in Chromium (SwiftShader WebGPU), every op the layers emit ran as a
 * WebGPU program, int32 Gather indices included. The layers clamp with `Clip` (min as a scalar
 * input) rather than `Max`: an older onnxruntime WebGPU kernel registry we read has no Max, while
 * Clip has long had a kernel there. Adding an op here is a decision: check that it has a WebGPU kernel first.
 */
export const ONNX_DEFAULTS = Object.freeze({
  /** The only default-domain opset the layers are written for (axes are inputs, not attributes). */
  opset: 13 as const,
  /** IR version 7 is the one ONNX 1.8 introduced together with opset 13. */
  irVersion: 7,
  producerName: 'ondeck',
  /**
   * The most tensors one node may read and write together. onnxruntime-web's WebGPU backends bind
   * every input and output of a node as a storage buffer of one shader, and neither asks the
   * adapter for more than WebGPU's default maxStorageBuffersPerShaderStage, 8: a node over it
   * fails pipeline validation, and the run resolves with outputs never written (issue 12: a
   * 9-input Concat scored every item sigmoid(1)). Wider Concats are built as a tree (layers.ts),
   * and OnnxGraph.toBytes refuses any node over this (OnnxDeviceLimitError).
   */
  maxTensorsPerNode: 8,
  portableOps: Object.freeze([
    'Add',
    'Cast',
    'Clip',
    'Concat',
    'Div',
    'Gather',
    'Gemm',
    'Greater',
    'Identity',
    'MatMul',
    'Max',
    'Mul',
    'ReduceSum',
    'Relu',
    'Reshape',
    'Sigmoid',
    'Sqrt',
    'Squeeze',
    'Sub',
    'Tanh',
    'Unsqueeze',
  ] as const),
});
