/**
 * Rewrites the exporter's history pooling into one fused node before the plain-JS runtime runs a
 * model: Gather(table, ids) -> Mul(·, w3) -> ReduceSum(axis 1, keepdims 0), where the gathered
 * [N, L, e] tensor and the product feed nothing else, becomes `ondeck.GatherWeightedSum(table,
 * ids, w3)` (gather-pool.ts). That is maskedMeanPool's and weightedSumPool's pattern
 * (src/pipeline/onnx/layers.ts). Anything else is left as it is; the runtime falls back to the
 * three nodes when shapes are not the expected ones.
 */
import type { OnnxModel, OnnxNode } from './onnx-reader.ts';

export const FUSED_GATHER_POOL = 'ondeck.GatherWeightedSum';

export interface FusedNode extends OnnxNode {
  /** The nodes it replaces, in order, for the unfused fallback. */
  parts?: readonly OnnxNode[];
}

export function fuseGatherPool(model: OnnxModel): FusedNode[] {
  const consumers = new Map<string, number>();
  for (const n of model.nodes) for (const i of n.inputs) consumers.set(i, (consumers.get(i) ?? 0) + 1);
  for (const o of model.outputs) consumers.set(o, (consumers.get(o) ?? 0) + 1);
  const producer = new Map<string, OnnxNode>();
  for (const n of model.nodes) for (const o of n.outputs) producer.set(o, n);
  const only = (value: string) => consumers.get(value) === 1;
  const replaced = new Set<OnnxNode>();
  const fusedAt = new Map<OnnxNode, FusedNode>();
  for (const reduce of model.nodes) {
    if (reduce.opType !== 'ReduceSum' || reduce.attributes['keepdims'] !== 0) continue;
    const axes = model.initializers.get(reduce.inputs[1] ?? '');
    if (!axes || axes.data.length !== 1 || Number(axes.data[0]) !== 1) continue;
    const mul = producer.get(reduce.inputs[0]!);
    if (!mul || mul.opType !== 'Mul' || !only(mul.outputs[0]!)) continue;
    const k = [0, 1].find((i) => producer.get(mul.inputs[i]!)?.opType === 'Gather');
    if (k === undefined) continue;
    const gather = producer.get(mul.inputs[k]!)!;
    if (!only(gather.outputs[0]!) || (gather.attributes['axis'] ?? 0) !== 0 || !model.initializers.has(gather.inputs[0]!)) continue;
    const fused: FusedNode = {
      opType: FUSED_GATHER_POOL,
      name: `${reduce.name}(fused)`,
      inputs: [gather.inputs[0]!, gather.inputs[1]!, mul.inputs[1 - k]!],
      outputs: [...reduce.outputs],
      attributes: {},
      parts: [gather, mul, reduce],
    };
    replaced.add(gather).add(mul);
    fusedAt.set(reduce, fused);
  }
  // The fused node takes the ReduceSum's place: all its inputs are defined by then.
  return model.nodes.filter((n) => !replaced.has(n)).map((n) => fusedAt.get(n) ?? n);
}
