/**
 * The ONNX operators (default domain, opset 13) that src/pipeline/onnx writes, in plain
 * TypeScript over typed arrays: the last-resort ranker where WebAssembly cannot run (a CSP
 * without 'wasm-unsafe-eval', iOS Lockdown Mode). Semantics follow the ONNX operator spec for the
 * cases our exporter emits; anything else throws naming the operator and what it was given.
 */
import { JsOpError } from './errors.ts';
import { matmulBias } from './gemm.ts';
import type { OnnxAttribute, OnnxData, OnnxNode } from './onnx-reader.ts';

export interface JsTensor {
  dims: number[];
  data: OnnxData;
}

export { JsOpError };

const size = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);

function strides(dims: readonly number[]): number[] {
  const s = new Array<number>(dims.length).fill(1);
  for (let i = dims.length - 2; i >= 0; i--) s[i] = s[i + 1]! * dims[i + 1]!;
  return s;
}

function asFloat(t: JsTensor, op: string): Float32Array {
  if (t.data instanceof Float32Array) return t.data;
  throw new JsOpError(`${op}: expected a float tensor, got ${t.data.constructor.name}`);
}

/** Integer values of an index/axes tensor as numbers. */
function ints(t: JsTensor): number[] {
  return Array.from(t.data as ArrayLike<number | bigint>, (v) => Number(v));
}

function attr(node: OnnxNode, name: string, fallback: number): number {
  const v: OnnxAttribute | undefined = node.attributes[name];
  return typeof v === 'number' ? v : fallback;
}

/** Numpy broadcasting of two shapes. */
function broadcastDims(a: readonly number[], b: readonly number[], op: string): number[] {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i] ?? 1;
    const y = b[b.length - n + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) throw new JsOpError(`${op}: shapes [${a.join(', ')}] and [${b.join(', ')}] do not broadcast`);
    out.push(Math.max(x, y));
  }
  return out;
}

/** For each output position, the flat index into an input of shape `dims` broadcast to `out` (an odometer, no divisions). */
function broadcastIndex(dims: readonly number[], out: readonly number[]): Int32Array {
  const total = size(out);
  const idx = new Int32Array(total);
  const rank = out.length;
  const pad = rank - dims.length;
  const inStrides = strides(dims);
  // Step of the input offset along each output axis (0 where the input broadcasts).
  const step = out.map((_, d) => (d < pad || dims[d - pad] === 1 ? 0 : inStrides[d - pad]!));
  const coord = new Array<number>(rank).fill(0);
  let at = 0;
  for (let flat = 0; flat < total; flat++) {
    idx[flat] = at;
    for (let d = rank - 1; d >= 0; d--) {
      coord[d]!++;
      at += step[d]!;
      if (coord[d]! < out[d]!) break;
      at -= step[d]! * coord[d]!;
      coord[d] = 0;
    }
  }
  return idx;
}

type BinaryOp = 'Add' | 'Mul' | 'Div' | 'Greater';

/**
 * Element-wise with numpy broadcasting. One loop per operator and access pattern (same shape,
 * scalar, rows, general), no callback per element: V8 keeps each loop monomorphic.
 */
function binary(a: JsTensor, b: JsTensor, op: BinaryOp): JsTensor {
  if (a.data instanceof BigInt64Array || b.data instanceof BigInt64Array) throw new JsOpError(`${op}: int64 operands are not supported`);
  const x = a.data as ArrayLike<number>;
  const y = b.data as ArrayLike<number>;
  const dims = broadcastDims(a.dims, b.dims, op);
  const n = size(dims);
  const out = op === 'Greater' ? new Uint8Array(n) : new Float32Array(n);
  let ia: Int32Array | null = null;
  let ib: Int32Array | null = null;
  if (x.length !== n && x.length !== 1) ia = broadcastIndex(a.dims, dims);
  if (y.length !== n && y.length !== 1) ib = broadcastIndex(b.dims, dims);
  const xs = x.length === 1 && n !== 1;
  const ys = y.length === 1 && n !== 1;
  // Both operands as full-size arrays only when needed (general broadcast).
  const X = ia ? expand(x, ia) : x;
  const Y = ib ? expand(y, ib) : y;
  const x0 = x[0]!;
  const y0 = y[0]!;
  switch (op) {
    case 'Add':
      if (ys) for (let i = 0; i < n; i++) out[i] = X[i]! + y0;
      else if (xs) for (let i = 0; i < n; i++) out[i] = x0 + Y[i]!;
      else for (let i = 0; i < n; i++) out[i] = X[i]! + Y[i]!;
      break;
    case 'Mul':
      if (ys) for (let i = 0; i < n; i++) out[i] = X[i]! * y0;
      else if (xs) for (let i = 0; i < n; i++) out[i] = x0 * Y[i]!;
      else for (let i = 0; i < n; i++) out[i] = X[i]! * Y[i]!;
      break;
    case 'Div':
      if (ys) for (let i = 0; i < n; i++) out[i] = X[i]! / y0;
      else if (xs) for (let i = 0; i < n; i++) out[i] = x0 / Y[i]!;
      else for (let i = 0; i < n; i++) out[i] = X[i]! / Y[i]!;
      break;
    case 'Greater':
      if (ys) for (let i = 0; i < n; i++) out[i] = X[i]! > y0 ? 1 : 0;
      else if (xs) for (let i = 0; i < n; i++) out[i] = x0 > Y[i]! ? 1 : 0;
      else for (let i = 0; i < n; i++) out[i] = X[i]! > Y[i]! ? 1 : 0;
      break;
  }
  return { dims, data: out };
}

function expand(src: ArrayLike<number>, idx: Int32Array): Float64Array {
  const out = new Float64Array(idx.length);
  for (let i = 0; i < idx.length; i++) out[i] = src[idx[i]!]!;
  return out;
}

type UnaryOp = 'Relu' | 'Sigmoid' | 'Sqrt' | 'Clip';

function unary(t: JsTensor, op: UnaryOp, lo = -Infinity, hi = Infinity): JsTensor {
  const x = asFloat(t, op);
  const n = x.length;
  const out = new Float32Array(n);
  switch (op) {
    case 'Relu':
      for (let i = 0; i < n; i++) out[i] = x[i]! > 0 ? x[i]! : 0;
      break;
    case 'Sigmoid':
      for (let i = 0; i < n; i++) out[i] = 1 / (1 + Math.exp(-x[i]!));
      break;
    case 'Sqrt':
      for (let i = 0; i < n; i++) out[i] = Math.sqrt(x[i]!);
      break;
    case 'Clip':
      for (let i = 0; i < n; i++) {
        const v = x[i]!;
        out[i] = v < lo ? lo : v > hi ? hi : v;
      }
      break;
  }
  return { dims: [...t.dims], data: out };
}

function gather(data: JsTensor, indices: JsTensor, axis: number): JsTensor {
  if (axis !== 0) throw new JsOpError(`Gather: only axis 0 is supported, got ${axis}`);
  const table = asFloat(data, 'Gather');
  const rows = data.dims[0]!;
  const width = size(data.dims.slice(1));
  const ids: ArrayLike<number> = indices.data instanceof BigInt64Array ? ints(indices) : (indices.data as ArrayLike<number>);
  const out = new Float32Array(ids.length * width);
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    const r = id < 0 ? id + rows : id;
    if (r < 0 || r >= rows) throw new JsOpError(`Gather: index ${id} is outside [0, ${rows})`);
    out.set(table.subarray(r * width, (r + 1) * width), i * width);
  }
  return { dims: [...indices.dims, ...data.dims.slice(1)], data: out };
}

/** [..., M, K] × [K, N] -> [..., M, N]; B must be 2-D (the exporter's weights). */
function matmul(a: JsTensor, b: JsTensor): JsTensor {
  const [k, n] = matrixOperand(a, b, 'MatMul');
  const x = asFloat(a, 'MatMul');
  return { dims: [...a.dims.slice(0, -1), n], data: matmulBias(x, x.length / k, k, asFloat(b, 'MatMul'), n, null) };
}

function matrixOperand(a: JsTensor, b: JsTensor, op: string): [number, number] {
  if (b.dims.length !== 2) throw new JsOpError(`${op}: the second operand must be 2-D, got [${b.dims.join(', ')}]`);
  const [k, n] = b.dims as [number, number];
  const kA = a.dims[a.dims.length - 1]!;
  if (kA !== k) throw new JsOpError(`${op}: inner sizes differ (${kA} and ${k})`);
  return [k, n];
}

/** A 2-D tensor transposed; weights (transB, as torch.nn.Linear exports) once per initializer. */
const transposedWeights = new WeakMap<object, JsTensor>();
function transpose2d(t: JsTensor, op: string): JsTensor {
  if (t.dims.length !== 2) throw new JsOpError(`${op}: a transposed operand must be 2-D, got [${t.dims.join(', ')}]`);
  const known = transposedWeights.get(t.data);
  if (known) return known;
  const [r, c] = t.dims as [number, number];
  const x = asFloat(t, op);
  const out = new Float32Array(x.length);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j * r + i] = x[i * c + j]!;
  const result = { dims: [c, r], data: out };
  transposedWeights.set(t.data, result);
  return result;
}

function gemm(node: OnnxNode, a0: JsTensor, b0: JsTensor, c: JsTensor | undefined): JsTensor {
  // Models trained elsewhere (ondeck release) come with transB = 1 (torch's Linear keeps W as [out, in]).
  const a = attr(node, 'transA', 0) !== 0 ? transpose2d(a0, 'Gemm') : a0;
  const b = attr(node, 'transB', 0) !== 0 ? transpose2d(b0, 'Gemm') : b0;
  const alpha = attr(node, 'alpha', 1);
  const beta = attr(node, 'beta', 1);
  const [k, n] = matrixOperand(a, b, 'Gemm');
  const x = asFloat(a, 'Gemm');
  const m = x.length / k;
  // The exporter's bias: [n] (or [1, n]), fused into the product's loop.
  const rowBias = c !== undefined && c.data instanceof Float32Array && c.data.length === n && c.dims[c.dims.length - 1] === n;
  const y: JsTensor = { dims: [m, n], data: matmulBias(x, m, k, asFloat(b, 'Gemm'), n, rowBias ? (c!.data as Float32Array) : null, alpha, beta) };
  if (!c || rowBias) return y;
  const scaled = beta === 1 ? c : binary(c, { dims: [], data: Float32Array.of(beta) }, 'Mul');
  return binary(y, scaled, 'Add');
}

function reduceSum(t: JsTensor, axesT: JsTensor | undefined, keepdims: boolean): JsTensor {
  const x = asFloat(t, 'ReduceSum');
  const rank = t.dims.length;
  const axes = new Set((axesT ? ints(axesT) : t.dims.map((_, i) => i)).map((a) => (a < 0 ? a + rank : a)));
  const outDimsKeep = t.dims.map((d, i) => (axes.has(i) ? 1 : d));
  const dims = keepdims ? outDimsKeep : t.dims.filter((_, i) => !axes.has(i));
  const out = new Float32Array(size(outDimsKeep));
  if (axes.size === 1) {
    // One axis (all the exporter writes): [outer, len, inner] summed over len, in order.
    const ax = [...axes][0]!;
    const outer = size(t.dims.slice(0, ax));
    const len = t.dims[ax]!;
    const inner = size(t.dims.slice(ax + 1));
    for (let o = 0; o < outer; o++) {
      const src = o * len * inner;
      const dst = o * inner;
      for (let l = 0; l < len; l++) {
        const at = src + l * inner;
        for (let j = 0; j < inner; j++) out[dst + j] = out[dst + j]! + x[at + j]!;
      }
    }
    return { dims, data: out };
  }
  const inStrides = strides(t.dims);
  const outStrides = strides(outDimsKeep);
  for (let flat = 0; flat < x.length; flat++) {
    let rest = flat;
    let at = 0;
    for (let d = 0; d < rank; d++) {
      const coord = Math.floor(rest / inStrides[d]!);
      rest -= coord * inStrides[d]!;
      if (!axes.has(d)) at += coord * outStrides[d]!;
    }
    out[at]! += x[flat]!;
  }
  return { dims, data: out };
}

function concat(ts: JsTensor[], axis: number): JsTensor {
  const rank = ts[0]!.dims.length;
  const ax = axis < 0 ? axis + rank : axis;
  const outer = size(ts[0]!.dims.slice(0, ax));
  const widths = ts.map((t) => size(t.dims.slice(ax)));
  const total = widths.reduce((a, b) => a + b, 0);
  const out = new Float32Array(outer * total);
  for (let o = 0; o < outer; o++) {
    let at = o * total;
    ts.forEach((t, i) => {
      const w = widths[i]!;
      out.set(asFloat(t, 'Concat').subarray(o * w, (o + 1) * w), at);
      at += w;
    });
  }
  const dims = [...ts[0]!.dims];
  dims[ax] = ts.reduce((s, t) => s + t.dims[ax]!, 0);
  return { dims, data: out };
}

function cast(t: JsTensor, to: number): JsTensor {
  const src = t.data;
  const n = src.length;
  let out: Float32Array | Int32Array | Uint8Array;
  switch (to) {
    case 1:
      out = new Float32Array(n);
      break;
    case 6:
      out = new Int32Array(n);
      break;
    case 9:
      out = new Uint8Array(n);
      break;
    default:
      throw new JsOpError(`Cast: to data type ${to} is not supported (1 float, 6 int32, 9 bool)`);
  }
  if (src instanceof BigInt64Array) for (let i = 0; i < n; i++) out[i] = to === 9 ? (src[i] !== 0n ? 1 : 0) : Number(src[i]!);
  else if (to === 9) for (let i = 0; i < n; i++) out[i] = src[i] !== 0 ? 1 : 0;
  else out.set(src as ArrayLike<number>);
  return { dims: [...t.dims], data: out };
}

/** Runs one node on its (already computed) inputs; returns its outputs in order. */
export function runNode(node: OnnxNode, inputs: Array<JsTensor | undefined>): JsTensor[] {
  const need = (i: number): JsTensor => {
    const t = inputs[i];
    if (!t) throw new JsOpError(`${node.opType} "${node.name}": input ${i} is missing`);
    return t;
  };
  switch (node.opType) {
    case 'Identity':
      return [need(0)];
    case 'Add':
      return [binary(need(0), need(1), 'Add')];
    case 'Mul':
      return [binary(need(0), need(1), 'Mul')];
    case 'Div':
      return [binary(need(0), need(1), 'Div')];
    case 'Greater':
      return [binary(need(0), need(1), 'Greater')];
    case 'Relu':
      return [unary(need(0), 'Relu')];
    case 'Sigmoid':
      return [unary(need(0), 'Sigmoid')];
    case 'Sqrt':
      return [unary(need(0), 'Sqrt')];
    case 'Clip': {
      const lo = inputs[1] ? Number((inputs[1].data as ArrayLike<number>)[0]) : -Infinity;
      const hi = inputs[2] ? Number((inputs[2].data as ArrayLike<number>)[0]) : Infinity;
      return [unary(need(0), 'Clip', lo, hi)];
    }
    case 'Gather':
      return [gather(need(0), need(1), attr(node, 'axis', 0))];
    case 'MatMul':
      return [matmul(need(0), need(1))];
    case 'Gemm':
      return [gemm(node, need(0), need(1), inputs[2])];
    case 'ReduceSum':
      return [reduceSum(need(0), inputs[1], attr(node, 'keepdims', 1) === 1)];
    case 'Concat':
      return [concat(inputs.map((_, i) => need(i)), attr(node, 'axis', 0))];
    case 'Cast':
      return [cast(need(0), attr(node, 'to', 1))];
    case 'Unsqueeze': {
      const t = need(0);
      const rank = t.dims.length + ints(need(1)).length;
      const axes = ints(need(1)).map((a) => (a < 0 ? a + rank : a)).sort((a, b) => a - b);
      const dims = [...t.dims];
      for (const a of axes) dims.splice(a, 0, 1);
      return [{ dims, data: t.data }];
    }
    case 'Squeeze': {
      const t = need(0);
      const rank = t.dims.length;
      const axes = inputs[1] ? new Set(ints(inputs[1]).map((a) => (a < 0 ? a + rank : a))) : new Set(t.dims.flatMap((d, i) => (d === 1 ? [i] : [])));
      for (const a of axes) if (t.dims[a] !== 1) throw new JsOpError(`Squeeze: axis ${a} has size ${t.dims[a]}, not 1`);
      return [{ dims: t.dims.filter((_, i) => !axes.has(i)), data: t.data }];
    }
    default:
      throw new JsOpError(`operator ${node.opType} is not implemented by the plain-JS runtime`);
  }
}
