/**
 * An ONNX model run by ops.ts, node by node in graph order (ONNX graphs are topologically sorted).
 * Created only for models whose every operator is implemented, so an unsupported model fails at
 * creation, where the runner falls back or reports, not in the middle of a feed.
 */
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
      for (const node of model.nodes) {
        const outs = runNode(node, node.inputs.map((name) => (name === '' ? undefined : values.get(name))));
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
