/**
 * What a node costs a WebGPU device: onnxruntime-web's WebGPU backends bind each input and
 * output tensor of a node as one storage buffer of its shader, so a node may touch at most
 * ONNX_DEFAULTS.maxTensorsPerNode tensors (WebGPU's default maxStorageBuffersPerShaderStage).
 * Checked over the finished graph, whatever layer built the node.
 */
import { ONNX_DEFAULTS } from './defaults.ts';
import { OnnxDeviceLimitError } from './errors.ts';

interface NodeTensors {
  name: string;
  opType: string;
  inputs: readonly string[];
  outputs: readonly string[];
}

/** Tensors the node binds: its inputs (an omitted optional one, '', binds nothing) and outputs. */
export function tensorsOfNode(node: NodeTensors): number {
  return node.inputs.filter((name) => name !== '').length + node.outputs.length;
}

/** Throws OnnxDeviceLimitError naming the first node that binds more than `limit` tensors. */
export function checkDeviceLimits(nodes: readonly NodeTensors[], limit: number = ONNX_DEFAULTS.maxTensorsPerNode): void {
  for (const node of nodes) {
    const tensors = tensorsOfNode(node);
    if (tensors > limit) throw new OnnxDeviceLimitError(node.name, node.opType, tensors, limit);
  }
}
