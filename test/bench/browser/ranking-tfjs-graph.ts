/**
 * Our ranker's ONNX graph rebuilt in TensorFlow.js, op for op, from the ONNX file's own weights:
 * the same DCN-V2 forward pass (src/pipeline/export/ranker.ts writes it), run by tfjs kernels
 * instead of onnxruntime's. Only the ops src/pipeline/onnx emits (ONNX_DEFAULTS.portableOps) are
 * implemented; anything else fails naming the op.
 *
 * Written as a tfjs model is written, not as a literal op-by-op port: a Gemm followed only by
 * Relu or Sigmoid becomes one tf.fused.matMul with that activation (as tfjs-layers' Dense does),
 * and row lookups use GatherNd as our own tfjs trainer does. The tfjs figure is tfjs at its
 * usual best, not a port's handicap.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { OnnxModel, OnnxNode, OnnxTensor } from '../../../workers/ranking/js/onnx-reader.ts';

export interface TfjsGraph {
  /** Runs the graph on named inputs ({data, dims}, int32 or float32); resolves with the first output. */
  run(inputs: Readonly<Record<string, { data: Int32Array | Float32Array; dims: readonly number[] }>>): Promise<Float32Array>;
  dispose(): void;
}

type Env = Map<string, tf.Tensor>;
type Step = (env: Env) => void;

export class TfjsGraphError extends Error {
  override readonly name = 'TfjsGraphError';
}

export function buildTfjsGraph(model: OnnxModel): TfjsGraph {
  const consts = new Map<string, tf.Tensor>();
  for (const [name, t] of model.initializers) {
    if (t.data instanceof Float32Array || t.data instanceof Int32Array) consts.set(name, tf.tensor(t.data, t.dims, t.data instanceof Float32Array ? 'float32' : 'int32'));
    else if (t.data instanceof BigInt64Array) consts.set(name, tf.tensor(Int32Array.from(t.data, Number), t.dims, 'int32'));
  }
  const ints = (name: string | undefined): number[] => {
    const t: OnnxTensor | undefined = name === undefined ? undefined : model.initializers.get(name);
    if (!t) throw new TfjsGraphError(`"${String(name)}" must be a constant (axes, bounds)`);
    return Array.from(t.data as ArrayLike<number | bigint>, Number);
  };
  const uses = new Map<string, number>();
  for (const n of model.nodes) for (const i of n.inputs) uses.set(i, (uses.get(i) ?? 0) + 1);

  const steps: Step[] = [];
  const fusedInto = new Set<OnnxNode>();
  model.nodes.forEach((n, k) => {
    if (fusedInto.has(n)) return;
    const next = model.nodes[k + 1];
    const fuse =
      n.opType === 'Gemm' && next && (next.opType === 'Relu' || next.opType === 'Sigmoid') && next.inputs[0] === n.outputs[0] && uses.get(n.outputs[0]!) === 1
        ? next
        : null;
    if (fuse) fusedInto.add(fuse);
    steps.push(compile(n, ints, fuse));
  });

  const output = model.outputs[0]!;
  return {
    async run(inputs) {
      const out = tf.tidy(() => {
        const env: Env = new Map(consts);
        for (const name of model.inputs) {
          const x = inputs[name];
          if (!x) throw new TfjsGraphError(`input "${name}" is missing`);
          env.set(name, tf.tensor(x.data, [...x.dims], x.data instanceof Int32Array ? 'int32' : 'float32'));
        }
        for (const step of steps) step(env);
        return env.get(output)!;
      });
      try {
        return (await out.data()) as Float32Array;
      } finally {
        out.dispose();
      }
    },
    dispose() {
      for (const t of consts.values()) t.dispose();
    },
  };
}

function compile(n: OnnxNode, ints: (name: string | undefined) => number[], fuse: OnnxNode | null): Step {
  const a = n.attributes;
  const num = (key: string, dflt: number): number => (typeof a[key] === 'number' ? a[key] : dflt);
  const out = (fuse ?? n).outputs[0]!;
  const op = (f: (x: tf.Tensor[]) => tf.Tensor): Step => (env) => {
    const xs = n.inputs.filter((i) => i !== '').map((i) => {
      const t = env.get(i);
      if (!t) throw new TfjsGraphError(`${n.opType} "${n.name}": input "${i}" is not computed yet`);
      return t;
    });
    env.set(out, f(xs));
  };
  switch (n.opType) {
    case 'Identity':
      return op(([x]) => x!);
    case 'Squeeze': {
      const axes = n.inputs[1] ? ints(n.inputs[1]) : (a['axes'] as number[] | undefined);
      return op(([x]) => tf.squeeze(x!, axes));
    }
    case 'Unsqueeze': {
      const axes = n.inputs[1] ? ints(n.inputs[1]) : ((a['axes'] as number[] | undefined) ?? []);
      return op(([x]) => axes.reduce((t, ax) => tf.expandDims(t, ax), x!));
    }
    case 'Gather': {
      const axis = num('axis', 0);
      // Row lookups as the pipeline's tfjs trainer does them (src/pipeline/train/gather.ts):
      // GatherNd on [K, 1] indices, because the wasm GatherV2 kernel copies element by element
      // (about 20x slower; here 20 ms of a 50 ms run for the [500, 50] history lookup).
      if (axis !== 0) return op(([table, ids]) => tf.gather(table!, ids!, axis));
      return op(([table, ids]) => {
        const rows = tf.gatherND(table!, tf.reshape(ids!, [-1, 1]));
        return tf.reshape(rows, [...ids!.shape, ...table!.shape.slice(1)]);
      });
    }
    case 'Greater':
      return op(([x, y]) => tf.greater(x!, y!));
    case 'Cast': {
      const to = num('to', 1);
      if (to !== 1 && to !== 6) throw new TfjsGraphError(`Cast "${n.name}": to ${to} (only 1 float, 6 int32)`);
      return op(([x]) => tf.cast(x!, to === 1 ? 'float32' : 'int32'));
    }
    case 'ReduceSum': {
      const axes = n.inputs[1] ? ints(n.inputs[1]) : (a['axes'] as number[] | undefined);
      const keep = num('keepdims', 1) === 1;
      return op(([x]) => tf.sum(x!, axes, keep));
    }
    case 'Clip':
      return op(([x, lo, hi]) => {
        let y = lo ? tf.maximum(x!, lo) : x!;
        if (hi) y = tf.minimum(y, hi);
        return y;
      });
    case 'Max':
      return op((xs) => xs.reduce((m, x) => tf.maximum(m, x)));
    case 'Add':
      return op(([x, y]) => tf.add(x!, y!));
    case 'Mul':
      return op(([x, y]) => tf.mul(x!, y!));
    case 'Div':
      return op(([x, y]) => tf.div(x!, y!));
    case 'Sqrt':
      return op(([x]) => tf.sqrt(x!));
    case 'Relu':
      return op(([x]) => tf.relu(x!));
    case 'Sigmoid':
      return op(([x]) => tf.sigmoid(x!));
    case 'Concat': {
      const axis = num('axis', 0);
      return op((xs) => tf.concat(xs, axis));
    }
    case 'MatMul':
      return op(([x, w]) => tf.matMul(x!, w!));
    case 'Gemm': {
      const [alpha, beta] = [num('alpha', 1), num('beta', 1)];
      if (alpha !== 1 || beta !== 1) throw new TfjsGraphError(`Gemm "${n.name}": alpha ${alpha}, beta ${beta} (only 1, 1)`);
      const transposeA = num('transA', 0) === 1;
      const transposeB = num('transB', 0) === 1;
      const activation = fuse === null ? 'linear' : fuse.opType === 'Relu' ? 'relu' : 'sigmoid';
      return op(([x, w, b]) => tf.fused.matMul({ a: x as tf.Tensor2D, b: w as tf.Tensor2D, transposeA, transposeB, ...(b ? { bias: b } : {}), activation }));
    }
    default:
      throw new TfjsGraphError(`op ${n.opType} ("${n.name}") is not implemented in the tfjs rebuild`);
  }
}
