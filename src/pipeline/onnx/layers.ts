import { floatAttr } from './attributes.ts';
import { ONNX_DEFAULTS } from './defaults.ts';
import { DataType } from './onnx-proto.ts';
import { OnnxShapeError } from './errors.ts';
import type { OnnxGraph } from './graph.ts';

/**
 * The forward pass of each layer the trainer (TensorFlow.js) computes, as ONNX nodes. The op
 * order and shapes here are the contract with the trainer: W matrices are [in, out] and a
 * dense layer is x·W + b, as tf.matMul(x, W).add(b) computes it. Values are named by the graph
 * (every helper returns the name of its output); shapes in the comments use N for the batch.
 *
 * Every op used is in ONNX_DEFAULTS.portableOps, so the models also run on the WebGPU EP.
 */

/** A float32 weight tensor as the trainer hands it over: row-major data and its shape. */
export interface Weights {
  data: Float32Array;
  dims: readonly number[];
}

/** New weights, or the name of an initializer already in the graph (to share an id table). */
export type WeightsRef = Weights | string;

export interface LayerOptions {
  /** Prefix of the initializers this layer adds, e.g. 'item_emb' -> 'item_emb/table'; made unique. */
  name?: string;
}

export type Activation = 'relu' | 'sigmoid' | 'none';

/** DCN-V2 cross layer weights: full rank W [D, D], or low rank V [D, r] then U [r, D]. */
export type CrossParams =
  | { W: Weights; b: Float32Array | Weights }
  | { V: Weights; U: Weights; b: Float32Array | Weights };

/** E[ids]: int32 ids [N] into table [rows, e] -> [N, e]. int32 indices are valid Gather input. */
export function embeddingLookup(g: OnnxGraph, ids: string, table: WeightsRef, opts: LayerOptions = {}): string {
  const t = weightsName(g, table, prefix(g, opts, 'embedding'), 'table', 2);
  return one(g.node('Gather', [t, ids], { axis: 0 }));
}

/**
 * Mean of E[id] over the positions whose id is not 0 (0 = padding): int32 ids [N, L] -> [N, e].
 * sum(E[ids] · mask) / max(count, 1), so an all-padding row gives zeros, not NaN. The mask is
 * ids > 0, which equals ids != 0 because ids are row indices, never negative.
 */
export function maskedMeanPool(g: OnnxGraph, ids: string, table: WeightsRef, opts: LayerOptions = {}): string {
  const t = weightsName(g, table, prefix(g, opts, 'masked_mean'), 'table', 2);
  const emb = one(g.node('Gather', [t, ids], { axis: 0 })); // [N, L, e]
  const isReal = one(g.node('Greater', [ids, g.constant(Int32Array.of(0), [], 'zero_i32')]));
  const mask = one(g.node('Cast', [isReal], { to: DataType.FLOAT })); // [N, L]
  const mask3 = one(g.node('Unsqueeze', [mask, axes(g, 2)])); // [N, L, 1]
  const sum = reduceSum(g, one(g.node('Mul', [emb, mask3])), 1, false); // [N, e]
  const count = reduceSum(g, mask, 1, true); // [N, 1]
  const denom = one(g.node('Clip', [count, scalar(g, 1)]));
  return one(g.node('Div', [sum, denom]));
}

/**
 * Σ_l w_l · E[id_l]: ids [N, L], float32 weights [N, L] -> [N, e]. Padding is not masked here:
 * the feature code gives it weight 0, which zeroes it exactly.
 */
export function weightedSumPool(
  g: OnnxGraph,
  ids: string,
  weights: string,
  table: WeightsRef,
  opts: LayerOptions = {},
): string {
  const t = weightsName(g, table, prefix(g, opts, 'weighted_sum'), 'table', 2);
  const emb = one(g.node('Gather', [t, ids], { axis: 0 })); // [N, L, e]
  const w3 = one(g.node('Unsqueeze', [weights, axes(g, 2)])); // [N, L, 1]
  return reduceSum(g, one(g.node('Mul', [emb, w3])), 1, false);
}

/** x [N, in] · W [in, out] + b [out], then the activation -> [N, out]. One Gemm node. */
export function dense(
  g: OnnxGraph,
  x: string,
  W: Weights,
  b: Float32Array | Weights,
  activation: Activation,
  opts: LayerOptions = {},
): string {
  const p = prefix(g, opts, 'dense');
  const [, out] = matrixDims(W, `${p}.W`);
  const y = gemm(g, x, W, b, out, p);
  switch (activation) {
    case 'relu':
      return one(g.node('Relu', [y]));
    case 'sigmoid':
      return one(g.node('Sigmoid', [y]));
    case 'none':
      return y;
    default:
      throw new OnnxShapeError(`${p}.activation`, `"${String(activation)}" is not one of relu, sigmoid, none`);
  }
}

/**
 * DCN-V2 cross layer: x_{l+1} = x0 ⊙ (xl·W + b) + xl, or with low rank x0 ⊙ ((xl·V)·U + b) + xl.
 * x0 and xl are [N, D]; the result is [N, D].
 */
export function crossLayer(g: OnnxGraph, x0: string, xl: string, params: CrossParams, opts: LayerOptions & { split?: XSplit | null } = {}): string {
  const p = prefix(g, opts, 'cross');
  // The first layer's xl is x0: with a split, its product is computed per group (splitAffine).
  const split = xl === x0 ? (opts.split ?? null) : null;
  let t: string;
  if ('W' in params) {
    const [d, d2] = matrixDims(params.W, `${p}.W`);
    if (d !== d2) throw new OnnxShapeError(`${p}.W`, `a full-rank cross W must be square, got [${d}, ${d2}]`);
    t = split ? splitAffine(g, split, params.W, params.b, { name: `${p}/W` }) : gemm(g, xl, params.W, params.b, d, p);
  } else {
    const [d, r] = matrixDims(params.V, `${p}.V`);
    const [r2, d2] = matrixDims(params.U, `${p}.U`);
    if (r2 !== r || d2 !== d) {
      throw new OnnxShapeError(`${p}.U`, `V is [${d}, ${r}], so U must be [${r}, ${d}], got [${r2}, ${d2}]`);
    }
    const v = split ? splitAffine(g, split, params.V, null, { name: `${p}/V` }) : one(g.node('MatMul', [xl, g.initializer(g.freshName(`${p}/V`), params.V.data, params.V.dims)]));
    t = gemm(g, v, params.U, params.b, d, p, 'U');
  }
  return one(g.node('Add', [one(g.node('Mul', [x0, t])), xl]));
}

/**
 * The columns of a layer input x [N, D] in two groups: per-row columns [N, ·], and per-user ones
 * [U, ·] that x holds gathered by userIndex [N] (every row of a user has the same values there).
 */
export interface XSplit {
  rows: { x: string; cols: readonly number[] };
  users: { x: string; cols: readonly number[] };
  /** int32 [N]: the user of each row. */
  userIndex: string;
}

/**
 * x·W (+ b) computed per group: rows·W[rows' cols] + Gather(users·W[users' cols], userIndex),
 * the same sum as x·W with the per-user share computed once per user, not once per row.
 * W [D, out]; b [out] or null. -> [N, out].
 */
export function splitAffine(g: OnnxGraph, split: XSplit, W: Weights, b: Float32Array | Weights | null, opts: LayerOptions = {}): string {
  const p = prefix(g, opts, 'split');
  const [d, out] = matrixDims(W, `${p}.W`);
  const all = [...split.rows.cols, ...split.users.cols];
  if (all.length !== d || new Set(all).size !== d || all.some((c) => c < 0 || c >= d)) {
    throw new OnnxShapeError(`${p}.cols`, `the groups must cover W's ${d} rows once each, got ${all.length} columns`);
  }
  const rowsOf = (cols: readonly number[]): Weights => {
    const data = new Float32Array(cols.length * out);
    cols.forEach((c, i) => data.set(W.data.subarray(c * out, (c + 1) * out), i * out));
    return { data, dims: [cols.length, out] };
  };
  const perRow = b === null ? one(g.node('MatMul', [split.rows.x, weightsName(g, rowsOf(split.rows.cols), p, 'W_rows', 2)])) : gemm(g, split.rows.x, rowsOf(split.rows.cols), b, out, p, 'W_rows');
  const perUser = one(g.node('MatMul', [split.users.x, weightsName(g, rowsOf(split.users.cols), p, 'W_users', 2)]));
  return one(g.node('Add', [perRow, one(g.node('Gather', [perUser, split.userIndex], { axis: 0 }))]));
}

/**
 * Concatenation along `axis` (features, by default). More inputs than one node may bind on a
 * default WebGPU device (ONNX_DEFAULTS.maxTensorsPerNode, output included) become a tree of
 * Concats, each of at most that fan-in, in input order: concatenation is associative, so the
 * result is the same bits as one wide Concat.
 */
export function concat(g: OnnxGraph, xs: readonly string[], axis = 1): string {
  if (xs.length === 0) throw new OnnxShapeError('concat.xs', 'nothing to concatenate');
  const fanIn = ONNX_DEFAULTS.maxTensorsPerNode - 1;
  let level = [...xs];
  while (level.length > fanIn) {
    const next: string[] = [];
    for (let i = 0; i < level.length; i += fanIn) {
      const group = level.slice(i, i + fanIn);
      next.push(group.length === 1 ? group[0]! : one(g.node('Concat', group, { axis })));
    }
    level = next;
  }
  return one(g.node('Concat', level, { axis }));
}

/** x / max(||x||, eps) along axis 1 (eps bounds the norm, not its square, as in PyTorch). */
export function l2Normalize(g: OnnxGraph, x: string, eps = 1e-12): string {
  const norm = one(g.node('Sqrt', [reduceSum(g, one(g.node('Mul', [x, x])), 1, true)])); // [N, 1]
  const denom = one(g.node('Clip', [norm, scalar(g, eps)]));
  return one(g.node('Div', [x, denom]));
}

export function sigmoid(g: OnnxGraph, x: string): string {
  return one(g.node('Sigmoid', [x]));
}

/** Row-wise dot product: a, b [N, D] -> [N, 1]. */
export function dotRows(g: OnnxGraph, a: string, b: string): string {
  return reduceSum(g, one(g.node('Mul', [a, b])), 1, true);
}

// ---------- helpers ---------------------------------------------------------------------------

/** x·W + b as one Gemm; W [in, out] is B as is (transB = 0), b [out] broadcasts over rows. */
function gemm(
  g: OnnxGraph,
  x: string,
  W: Weights,
  b: Float32Array | Weights,
  out: number,
  p: string,
  wName = 'W',
): string {
  const bias = b instanceof Float32Array ? { data: b, dims: [b.length] } : b;
  if (bias.dims.length !== 1 || bias.dims[0] !== out || bias.data.length !== out) {
    const got = `[${bias.dims.join(', ')}] (${bias.data.length} values)`;
    throw new OnnxShapeError(`${p}.b`, `must be [${out}] to match ${wName}, got ${got}`);
  }
  const w = g.initializer(g.freshName(`${p}/${wName}`), W.data, W.dims);
  const bn = g.initializer(g.freshName(`${p}/b`), bias.data, bias.dims);
  // alpha/beta stated rather than defaulted, so the contract is visible in the model file.
  return one(g.node('Gemm', [x, w, bn], { alpha: floatAttr(1), beta: floatAttr(1), transA: 0, transB: 0 }));
}

function weightsName(g: OnnxGraph, w: WeightsRef, p: string, what: string, rank: number): string {
  if (typeof w === 'string') return w;
  if (w.dims.length !== rank) {
    throw new OnnxShapeError(`${p}.${what}`, `must have rank ${rank}, got [${w.dims.join(', ')}]`);
  }
  return g.initializer(g.freshName(`${p}/${what}`), w.data, w.dims);
}

function matrixDims(w: Weights, field: string): [number, number] {
  const [a, b] = w.dims;
  if (w.dims.length !== 2 || a === undefined || b === undefined) {
    throw new OnnxShapeError(field, `must be a matrix, got [${w.dims.join(', ')}]`);
  }
  return [a, b];
}

function prefix(g: OnnxGraph, opts: LayerOptions, kind: string): string {
  return g.scope(opts.name ?? kind);
}

function reduceSum(g: OnnxGraph, x: string, axis: number, keepdims: boolean): string {
  // Opset 13: ReduceSum takes its axes as an int64 input, not an attribute.
  return one(g.node('ReduceSum', [x, axes(g, axis)], { keepdims: keepdims ? 1 : 0 }));
}

function axes(g: OnnxGraph, axis: number): string {
  return g.constant(BigInt64Array.of(BigInt(axis)), [1], `axes_${axis}`);
}

/** A rank-0 float constant, as Clip's min input must be. */
function scalar(g: OnnxGraph, value: number): string {
  return g.constant(Float32Array.of(value), [], 'scalar');
}

function one(names: string[]): string {
  return names[0]!;
}
