/**
 * The ONNX operators (default domain, opset 13) that src/pipeline/onnx writes, in plain
 * TypeScript over typed arrays: the last-resort ranker where WebAssembly cannot run (a CSP
 * without 'wasm-unsafe-eval', iOS Lockdown Mode). Semantics follow the ONNX operator spec for the
 * cases our exporter emits; anything else throws naming the operator and what it was given.
 */
import type { OnnxAttribute, OnnxData, OnnxNode } from './onnx-reader.ts';

export interface JsTensor {
  dims: number[];
  data: OnnxData;
}

export class JsOpError extends Error {
  override name = 'JsOpError';
}

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

/** For each output position, the flat index into an input of shape `dims` broadcast to `out`. */
function broadcastIndex(dims: readonly number[], out: readonly number[]): Int32Array {
  const total = size(out);
  const idx = new Int32Array(total);
  const inStrides = strides(dims);
  const pad = out.length - dims.length;
  const outStrides = strides(out);
  for (let flat = 0; flat < total; flat++) {
    let rest = flat;
    let at = 0;
    for (let d = 0; d < out.length; d++) {
      const coord = Math.floor(rest / outStrides[d]!);
      rest -= coord * outStrides[d]!;
      const k = d - pad;
      if (k >= 0 && dims[k]! !== 1) at += coord * inStrides[k]!;
    }
    idx[flat] = at;
  }
  return idx;
}

function binary(a: JsTensor, b: JsTensor, op: string, f: (x: number, y: number) => number, bool = false): JsTensor {
  const x = a.data as ArrayLike<number>;
  const y = b.data as ArrayLike<number>;
  if (a.data instanceof BigInt64Array || b.data instanceof BigInt64Array) throw new JsOpError(`${op}: int64 operands are not supported`);
  const dims = broadcastDims(a.dims, b.dims, op);
  const n = size(dims);
  const out = bool ? new Uint8Array(n) : new Float32Array(n);
  const sameA = size(a.dims) === n;
  const sameB = size(b.dims) === n;
  if (sameA && sameB) {
    for (let i = 0; i < n; i++) out[i] = f(x[i]!, y[i]!);
  } else if (sameA && y.length === 1) {
    const v = y[0]!;
    for (let i = 0; i < n; i++) out[i] = f(x[i]!, v);
  } else if (sameB && x.length === 1) {
    const v = x[0]!;
    for (let i = 0; i < n; i++) out[i] = f(v, y[i]!);
  } else {
    const ia = sameA ? null : broadcastIndex(a.dims, dims);
    const ib = sameB ? null : broadcastIndex(b.dims, dims);
    for (let i = 0; i < n; i++) out[i] = f(x[ia ? ia[i]! : i]!, y[ib ? ib[i]! : i]!);
  }
  return { dims, data: out };
}

function unary(t: JsTensor, op: string, f: (x: number) => number): JsTensor {
  const x = asFloat(t, op);
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = f(x[i]!);
  return { dims: [...t.dims], data: out };
}

function gather(data: JsTensor, indices: JsTensor, axis: number): JsTensor {
  if (axis !== 0) throw new JsOpError(`Gather: only axis 0 is supported, got ${axis}`);
  const table = asFloat(data, 'Gather');
  const rows = data.dims[0]!;
  const width = size(data.dims.slice(1));
  const ids = ints(indices);
  const out = new Float32Array(ids.length * width);
  ids.forEach((id, i) => {
    const r = id < 0 ? id + rows : id;
    if (r < 0 || r >= rows) throw new JsOpError(`Gather: index ${id} is outside [0, ${rows})`);
    out.set(table.subarray(r * width, (r + 1) * width), i * width);
  });
  return { dims: [...indices.dims, ...data.dims.slice(1)], data: out };
}

/** [..., M, K] × [K, N] -> [..., M, N]; B must be 2-D (the exporter's weights). */
function matmul(a: JsTensor, b: JsTensor): JsTensor {
  if (b.dims.length !== 2) throw new JsOpError(`MatMul: the second operand must be 2-D, got [${b.dims.join(', ')}]`);
  const [k, n] = b.dims as [number, number];
  const kA = a.dims[a.dims.length - 1]!;
  if (kA !== k) throw new JsOpError(`MatMul: inner sizes differ (${kA} and ${k})`);
  const x = asFloat(a, 'MatMul');
  const w = asFloat(b, 'MatMul');
  const m = x.length / k;
  const out = new Float32Array(m * n);
  for (let i = 0; i < m; i++) {
    const row = i * n;
    for (let p = 0; p < k; p++) {
      const v = x[i * k + p]!;
      if (v === 0) continue;
      const wr = p * n;
      for (let j = 0; j < n; j++) out[row + j]! += v * w[wr + j]!;
    }
  }
  return { dims: [...a.dims.slice(0, -1), n], data: out };
}

function gemm(node: OnnxNode, a: JsTensor, b: JsTensor, c: JsTensor | undefined): JsTensor {
  if (attr(node, 'transA', 0) !== 0 || attr(node, 'transB', 0) !== 0) throw new JsOpError('Gemm: transA / transB are not supported');
  const alpha = attr(node, 'alpha', 1);
  const beta = attr(node, 'beta', 1);
  let y = matmul(a, b);
  if (alpha !== 1) y = unary(y, 'Gemm', (v) => v * alpha);
  if (c) y = binary(y, beta === 1 ? c : unary(c, 'Gemm', (v) => v * beta), 'Gemm', (p, q) => p + q);
  return y;
}

function reduceSum(t: JsTensor, axesT: JsTensor | undefined, keepdims: boolean): JsTensor {
  const x = asFloat(t, 'ReduceSum');
  const rank = t.dims.length;
  const axes = new Set((axesT ? ints(axesT) : t.dims.map((_, i) => i)).map((a) => (a < 0 ? a + rank : a)));
  const outDimsKeep = t.dims.map((d, i) => (axes.has(i) ? 1 : d));
  const out = new Float32Array(size(outDimsKeep));
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
  return { dims: keepdims ? outDimsKeep : t.dims.filter((_, i) => !axes.has(i)), data: out };
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
  const src = t.data as ArrayLike<number | bigint>;
  const n = src.length;
  switch (to) {
    case 1:
      return { dims: [...t.dims], data: Float32Array.from({ length: n }, (_, i) => Number(src[i]!)) };
    case 6:
      return { dims: [...t.dims], data: Int32Array.from({ length: n }, (_, i) => Number(src[i]!)) };
    case 9:
      return { dims: [...t.dims], data: Uint8Array.from({ length: n }, (_, i) => (Number(src[i]!) !== 0 ? 1 : 0)) };
    default:
      throw new JsOpError(`Cast: to data type ${to} is not supported (1 float, 6 int32, 9 bool)`);
  }
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
      return [binary(need(0), need(1), 'Add', (x, y) => x + y)];
    case 'Mul':
      return [binary(need(0), need(1), 'Mul', (x, y) => x * y)];
    case 'Div':
      return [binary(need(0), need(1), 'Div', (x, y) => x / y)];
    case 'Greater':
      return [binary(need(0), need(1), 'Greater', (x, y) => (x > y ? 1 : 0), true)];
    case 'Relu':
      return [unary(need(0), 'Relu', (x) => (x > 0 ? x : 0))];
    case 'Sigmoid':
      return [unary(need(0), 'Sigmoid', (x) => 1 / (1 + Math.exp(-x)))];
    case 'Sqrt':
      return [unary(need(0), 'Sqrt', Math.sqrt)];
    case 'Clip': {
      const lo = inputs[1] ? Number((inputs[1].data as ArrayLike<number>)[0]) : -Infinity;
      const hi = inputs[2] ? Number((inputs[2].data as ArrayLike<number>)[0]) : Infinity;
      return [unary(need(0), 'Clip', (x) => (x < lo ? lo : x > hi ? hi : x))];
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
