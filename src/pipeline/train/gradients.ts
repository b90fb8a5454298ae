/**
 * Gradients of the kernels the models use, registered with tfjs-core.
 *
 * Why here: tfjs-core registers no gradients by itself; they live in
 * `@tensorflow/tfjs-core/dist/register_all_gradients.js`, an ESM file with extensionless
 * imports that Node cannot load (a bundler or Vitest's transform can, tsx and plain Node
 * cannot), and every prebuilt bundle of tfjs-core leaves them out. So the trainer would train
 * in Vitest and fail in the CLI. The few kernels on the path from weights to loss are written
 * out below: each is a line of calculus, checked against finite differences in
 * train-embedding.test.ts. A kernel that already has a gradient (someone imported
 * register_all_gradients) keeps it.
 *
 * The gradient of a MatMul is two more MatMuls with a transposed operand; those use matMulT
 * (explicit Transpose), see below.
 *
 * Not here on purpose: GatherV2 (its usual gradient needs UnsortedSegmentSum, which the wasm
 * backend lacks; see gather.ts) and the softmax/logSigmoid family (the losses compute their
 * own gradients, see losses.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { GradConfig, NamedAttrMap } from '@tensorflow/tfjs-core';

type Saved = tf.Tensor[];

/**
 * op(a)·op(b) for rank-2 operands with the transposes done by the Transpose kernel. The wasm
 * BatchMatMul is fast only without transposes: with transposeA or transposeB set it takes a
 * path 7-20x slower than Transpose + plain MatMul (measured for the 64-512 wide
 * matrices of these models). Gradients need op(x) = xᵀ in every step, so this matters.
 * Batched (rank-3) products keep the flags.
 */
export function matMulT(a: tf.Tensor, b: tf.Tensor, transposeA = false, transposeB = false): tf.Tensor {
  if (a.rank !== 2 || b.rank !== 2) return tf.matMul(a, b, transposeA, transposeB);
  const left = transposeA ? tf.transpose(a) : a;
  const right = transposeB ? tf.transpose(b) : b;
  return tf.matMul(left as tf.Tensor2D, right as tf.Tensor2D);
}

/** dy of a broadcasting binary op, summed back to the shape of the input it belongs to. */
function unbroadcast(dy: tf.Tensor, shape: readonly number[]): tf.Tensor {
  const axes = tf.backend_util.getReductionAxes(shape as number[], dy.shape);
  return tf.reshape(axes.length > 0 ? tf.sum(dy, axes) : dy, shape as number[]);
}

function single(dy: tf.Tensor | tf.Tensor[]): tf.Tensor {
  if (Array.isArray(dy)) throw new Error('expected one output gradient');
  return dy;
}

function saved2(saved: Saved): [tf.Tensor, tf.Tensor] {
  return [saved[0]!, saved[1]!];
}

/** d(reduce(x, axes))/dx: dy broadcast back over the reduced axes. */
function reduceGrad(dy: tf.Tensor, x: tf.Tensor, attrs: NamedAttrMap, scale: (n: number) => number): tf.Tensor {
  const axes = tf.util.parseAxisParam(attrs['axis'] as number | number[], x.shape);
  const expanded = x.shape.slice();
  let count = 1;
  for (const a of axes) {
    count *= x.shape[a]!;
    expanded[a] = 1;
  }
  // Tile, not a product with ones: the same values (x·1 = x) without a ones tensor of x's size
  // made in JS and copied to the backend every step.
  const grad = tf.broadcastTo(tf.reshape(dy, expanded), x.shape);
  const s = scale(count);
  return s === 1 ? grad : tf.mul(grad, tf.scalar(s));
}

const GRADIENTS: readonly GradConfig[] = [
  {
    kernelName: tf.BatchMatMul,
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, saved, attrs) => {
      const d = single(dy);
      const [a, b] = saved2(saved);
      const tA = attrs['transposeA'] === true;
      const tB = attrs['transposeB'] === true;
      // C = op(A)·op(B); the four cases of which operand is stored transposed.
      if (!tA && !tB) return { a: () => matMulT(d, b, false, true), b: () => matMulT(a, d, true, false) };
      if (!tA && tB) return { a: () => matMulT(d, b, false, false), b: () => matMulT(d, a, true, false) };
      if (tA && !tB) return { a: () => matMulT(b, d, false, true), b: () => matMulT(a, d, false, false) };
      return { a: () => matMulT(b, d, true, true), b: () => matMulT(d, a, true, true) };
    },
  },
  {
    kernelName: tf.Transpose,
    gradFunc: (dy, _saved, attrs) => {
      const perm = attrs['perm'] as number[];
      const inverse = new Array<number>(perm.length);
      perm.forEach((p, i) => {
        inverse[p] = i;
      });
      return { x: () => tf.transpose(single(dy), inverse) };
    },
  },
  {
    kernelName: tf.Add,
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, saved) => {
      const [a, b] = saved2(saved);
      return { a: () => unbroadcast(single(dy), a.shape), b: () => unbroadcast(single(dy), b.shape) };
    },
  },
  {
    kernelName: tf.Sub,
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, saved) => {
      const [a, b] = saved2(saved);
      return { a: () => unbroadcast(single(dy), a.shape), b: () => tf.neg(unbroadcast(single(dy), b.shape)) };
    },
  },
  {
    kernelName: tf.Multiply,
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, saved) => {
      const [a, b] = saved2(saved);
      return {
        a: () => unbroadcast(tf.mul(single(dy), b), a.shape),
        b: () => unbroadcast(tf.mul(single(dy), a), b.shape),
      };
    },
  },
  {
    kernelName: tf.RealDiv,
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, saved) => {
      const [a, b] = saved2(saved);
      return {
        a: () => unbroadcast(tf.div(single(dy), b), a.shape),
        b: () => unbroadcast(tf.neg(tf.div(tf.mul(single(dy), a), tf.square(b))), b.shape),
      };
    },
  },
  {
    kernelName: tf.Maximum,
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, saved) => {
      const [a, b] = saved2(saved);
      // Ties go to `a`, as in TensorFlow.
      return {
        a: () => unbroadcast(tf.mul(single(dy), tf.cast(tf.greaterEqual(a, b), 'float32')), a.shape),
        b: () => unbroadcast(tf.mul(single(dy), tf.cast(tf.less(a, b), 'float32')), b.shape),
      };
    },
  },
  { kernelName: tf.Neg, gradFunc: (dy) => ({ x: () => tf.neg(single(dy)) }) },
  {
    kernelName: tf.Relu,
    inputsToSave: ['x'],
    gradFunc: (dy, [x]) => ({ x: () => tf.mul(single(dy), tf.step(x!)) }),
  },
  {
    kernelName: tf.Sigmoid,
    outputsToSave: [true],
    gradFunc: (dy, [y]) => ({ x: () => tf.mul(single(dy), tf.mul(y!, tf.sub(tf.scalar(1), y!))) }),
  },
  { kernelName: tf.Exp, outputsToSave: [true], gradFunc: (dy, [y]) => ({ x: () => tf.mul(single(dy), y!) }) },
  { kernelName: tf.Log, inputsToSave: ['x'], gradFunc: (dy, [x]) => ({ x: () => tf.div(single(dy), x!) }) },
  {
    kernelName: tf.Log1p,
    inputsToSave: ['x'],
    gradFunc: (dy, [x]) => ({ x: () => tf.div(single(dy), tf.add(x!, tf.scalar(1))) }),
  },
  {
    kernelName: tf.Abs,
    inputsToSave: ['x'],
    // step(x, -1) is sign(x) with 0 -> -1; the subgradient at 0 does not matter here.
    gradFunc: (dy, [x]) => ({ x: () => tf.mul(single(dy), tf.step(x!, -1)) }),
  },
  {
    kernelName: tf.Square,
    inputsToSave: ['x'],
    gradFunc: (dy, [x]) => ({ x: () => tf.mul(single(dy), tf.mul(x!, tf.scalar(2))) }),
  },
  {
    kernelName: tf.Sqrt,
    outputsToSave: [true],
    gradFunc: (dy, [y]) => ({ x: () => tf.div(single(dy), tf.mul(y!, tf.scalar(2))) }),
  },
  {
    kernelName: tf.Rsqrt,
    outputsToSave: [true],
    // d x^-1/2 = -1/2 x^-3/2 = -1/2 y^3.
    gradFunc: (dy, [y]) => ({ x: () => tf.mul(single(dy), tf.mul(tf.pow(y!, tf.scalar(3)), tf.scalar(-0.5))) }),
  },
  {
    kernelName: tf.Sum,
    inputsToSave: ['x'],
    gradFunc: (dy, [x], attrs) => ({ x: () => reduceGrad(single(dy), x!, attrs, () => 1) }),
  },
  {
    kernelName: tf.Mean,
    inputsToSave: ['x'],
    gradFunc: (dy, [x], attrs) => ({ x: () => reduceGrad(single(dy), x!, attrs, (n) => 1 / n) }),
  },
  {
    kernelName: tf.Reshape,
    inputsToSave: ['x'],
    gradFunc: (dy, [x]) => ({ x: () => tf.reshape(single(dy), x!.shape) }),
  },
  {
    kernelName: tf.ExpandDims,
    inputsToSave: ['input'],
    gradFunc: (dy, [x]) => ({ input: () => tf.reshape(single(dy), x!.shape) }),
  },
  { kernelName: tf.Cast, gradFunc: (dy) => ({ x: () => tf.clone(single(dy)) }) },
  {
    kernelName: tf.Concat,
    saveAllInputs: true,
    gradFunc: (dy, saved, attrs) => {
      const axis = tf.util.parseAxisParam(attrs['axis'] as number, saved[0]!.shape)[0]!;
      const parts = tf.split(single(dy), saved.map((t) => t.shape[axis]!), axis);
      const out: Record<string, () => tf.Tensor> = {};
      parts.forEach((p, i) => {
        out[String(i)] = () => p;
      });
      return out;
    },
  },
];

let registered = false;

/** Registers the gradients above where tfjs has none yet. Idempotent. */
export function registerTrainingGradients(): void {
  if (registered) return;
  for (const config of GRADIENTS) {
    if (tf.getGradient(config.kernelName) === undefined) tf.registerGradient(config);
  }
  registered = true;
}

/** The kernels this file provides gradients for (for tests and diagnostics). */
export const TRAINING_GRADIENT_KERNELS: readonly string[] = Object.freeze(GRADIENTS.map((g) => g.kernelName));
