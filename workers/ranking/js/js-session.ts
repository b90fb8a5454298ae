/**
 * An ONNX model run by ops.ts, node by node in graph order (ONNX graphs are topologically sorted).
 * Created only for models whose every operator is implemented, so an unsupported model fails at
 * creation, where the runner falls back or reports, not in the middle of a feed.
 */
import { FUSED_GATHER_POOL, fuseGatherPool, type FusedNode } from './fuse.ts';
import { gatherWeightedSum } from './gather-pool.ts';
import { JsOpError, runNode, type JsTensor } from './ops.ts';
import { readOnnx, type OnnxModel } from './onnx-reader.ts';

const IMPLEMENTED = new Set(['Identity', 'Add', 'Mul', 'Div', 'Greater', 'Relu', 'Sigmoid', 'Sqrt', 'Clip', 'Gather', 'MatMul', 'Gemm', 'ReduceSum', 'Concat', 'Cast', 'Unsqueeze', 'Squeeze']);

export interface JsSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Readonly<Record<string, JsTensor>>): Record<string, JsTensor>;
}

export function createJsSession(bytes: Uint8Array): JsSession {
  const model: OnnxModel = readOnnx(bytes);
  const missing = [...new Set(model.nodes.map((n) => n.opType))].filter((op) => !IMPLEMENTED.has(op));
  if (missing.length > 0) throw new JsOpError(`the plain-JS runtime lacks operator(s) ${missing.join(', ')}`);
  if (model.opset !== 0 && model.opset < 13) throw new JsOpError(`opset ${model.opset}: the plain-JS runtime reads opset 13 and later (axes as inputs)`);
  const constants = new Map<string, JsTensor>([...model.initializers].map(([name, t]) => [name, { dims: t.dims, data: t.data }]));
  const nodes = fuseGatherPool(model);
  return {
    inputNames: model.inputs,
    outputNames: model.outputs,
    run(feeds) {
      const values = new Map<string, JsTensor>(constants);
      for (const name of model.inputs) {
        const t = feeds[name];
        if (!t) throw new JsOpError(`input "${name}" is missing`);
        values.set(name, t);
      }
      const read = (name: string) => (name === '' ? undefined : values.get(name));
      for (const node of nodes) {
        if (node.opType === FUSED_GATHER_POOL) {
          values.set(node.outputs[0]!, gatherPool(node, read));
          continue;
        }
        const outs = runNode(node, node.inputs.map(read));
        node.outputs.forEach((name, i) => values.set(name, outs[i]!));
      }
      const result: Record<string, JsTensor> = {};
      for (const name of model.outputs) {
        const t = values.get(name);
        if (!t) throw new JsOpError(`output "${name}" was not computed`);
        result[name] = t;
      }
      return result;
    },
  };
}

/**
 * The fused history pooling (fuse.ts): table [rows, e], ids [N, L], weights [N, L, 1] -> [N, e];
 * other shapes run the three original nodes.
 */
function gatherPool(node: FusedNode, read: (name: string) => JsTensor | undefined): JsTensor {
  const [table, ids, w] = node.inputs.map(read);
  if (table && ids && w && table.dims.length === 2 && table.data instanceof Float32Array && w.data instanceof Float32Array && ids.dims.length === 2 && !(ids.data instanceof BigInt64Array)) {
    const [n, l] = ids.dims as [number, number];
    const [rows, e] = table.dims as [number, number];
    const wOk = w.data.length === n * l && w.dims[0] === n && w.dims[1] === l && (w.dims.length === 2 || (w.dims.length === 3 && w.dims[2] === 1));
    if (wOk) return { dims: [n, e], data: gatherWeightedSum(table.data, rows, e, ids.data as ArrayLike<number>, w.data, n, l) };
  }
  const local = new Map<string, JsTensor>();
  const get = (name: string) => local.get(name) ?? read(name);
  for (const part of node.parts!) {
    const outs = runNode(part, part.inputs.map((name) => (name === '' ? undefined : get(name))));
    part.outputs.forEach((name, i) => local.set(name, outs[i]!));
  }
  return local.get(node.outputs[0]!)!;
}
