/**
 * Tunables of `ondeck release` (models trained elsewhere), in one place. Each limit is what some
 * device runtime needs, so a model that passes runs on all of them: onnxruntime-web's WebGPU and
 * WASM providers and the plain-JS ranker (workers/ranking/js).
 */
import { EXPORT_DEFAULTS } from '../export/index.ts';
import { ONNX_DEFAULTS } from '../onnx/index.ts';

export const IMPORT_DEFAULTS = Object.freeze({
  /**
   * Default-domain opsets accepted. 13 is the first with axes as inputs (Squeeze, Unsqueeze,
   * ReduceSum), which the plain-JS ranker reads; up to 21 none of the operators below changed
   * meaning (later versions only add element types or attributes it would ignore).
   */
  minOpset: 13,
  maxOpset: 21,
  /** IR version 3 is the first with opset imports; onnxruntime itself refuses what it cannot read. */
  minIrVersion: 3,
  /**
   * Operators every device runtime runs: the exporter's portable set (each has a WebGPU kernel,
   * src/pipeline/onnx/defaults.ts) that the plain-JS ranker also implements
   * (workers/ranking/js/js-session.ts). Max, Reshape, Sub and Tanh have WebGPU kernels but no
   * plain-JS one, so they are not here.
   */
  operators: Object.freeze(
    ['Add', 'Cast', 'Clip', 'Concat', 'Div', 'Gather', 'Gemm', 'Greater', 'Identity', 'MatMul', 'Mul', 'ReduceSum', 'Relu', 'Sigmoid', 'Sqrt', 'Squeeze', 'Unsqueeze'].filter((op) =>
      (ONNX_DEFAULTS.portableOps as readonly string[]).includes(op),
    ),
  ),
  /** Cast targets the plain-JS ranker has: float32, int32, bool. */
  castTo: Object.freeze([1, 6, 9]),
  /** Tensors one node may bind (WebGPU's default maxStorageBuffersPerShaderStage; see ONNX_DEFAULTS). */
  maxTensorsPerNode: ONNX_DEFAULTS.maxTensorsPerNode,
  /**
   * The largest initializer, in bytes: WebGPU's default maxStorageBufferBindingSize (128 MiB).
   * onnxruntime-web uploads each initializer as one storage buffer; a bigger one fails to bind
   * on a device with default limits (an embedding table of 1M rows × 32 floats is 122 MiB).
   */
  maxInitializerBytes: 134_217_728,
  /** Graph output names looked for when no --output names a role (the exporter's names). */
  outputs: EXPORT_DEFAULTS.outputs,
  /** Seeds k-means when --seed is not given. */
  seed: 1,
});
