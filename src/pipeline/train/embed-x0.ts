/**
 * x0 = Concat(parts) in one operation: every part written straight into its columns, and on the
 * way back every table's gradient read straight from dx0's columns. The numbers are those of the
 * chain embedParts used to build (GatherNd per embedding, the pooled history and category means,
 * Concat; ScatterNd, Split and the engine's sum of a shared table's gradients backwards), bit
 * for bit: each value gets the same float32 operations in the same order. Why: on the wasm
 * backend that chain was some thirty kernels and tape nodes per step, with Concat and Split
 * copying row by row in JS; the DCN trains about a million rows per build.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { FeaturePart, PartsLayout } from './parts.ts';
import { TrainConfigError } from './errors.ts';
import { LazyAdamTable, type TableSource } from './lazy-adam.ts';

/** A part's inputs, read once per call. */
interface PartData {
  part: FeaturePart;
  /** Index of its table among the op's inputs; -1 for numeric and dense parts. */
  table: number;
  ids: Int32Array | null;
  values: Float32Array | null;
  /** Ids or values per row. */
  length: number;
}

function input(inputs: Readonly<Record<string, tf.Tensor>>, name: string): tf.Tensor {
  const t = inputs[name];
  if (!t) throw new TrainConfigError(`inputs["${name}"]`, 'is missing');
  return t;
}

/** Rows of a [N] or [N, w] input. */
function rowsOf(t: tf.Tensor): number {
  return t.shape[0]!;
}

/**
 * x0 [N, layout.width] of `inputs`, differentiable with respect to the tables the parts read.
 * Ids may be [N] or [N, 1] for single-id features, numeric values [N] or [N, 1]. A table training
 * with lazy Adam (lazy-adam.ts) is read from its own array; its gradient goes into its slots, and
 * its handle, which stands in for it among the operation's inputs, gets a zero.
 */
export function embedX0(layout: PartsLayout, tables: ReadonlyMap<string, TableSource>, inputs: Readonly<Record<string, tf.Tensor>>): tf.Tensor2D {
  const width = layout.width;
  const used: string[] = [];
  let n = -1;
  const parts: PartData[] = layout.parts.map((part) => {
    let table = -1;
    if (part.kind === 'embedding' || part.kind === 'masked-mean' || part.kind === 'weighted-sum') {
      if (!tables.has(part.table)) throw new TrainConfigError('tables', `has no table "${part.table}"`);
      table = used.indexOf(part.table);
      if (table < 0) table = used.push(part.table) - 1;
    }
    let ids: Int32Array | null = null;
    let values: Float32Array | null = null;
    let rows: number;
    switch (part.kind) {
      case 'embedding':
      case 'masked-mean': {
        const t = input(inputs, part.input);
        ids = t.dataSync() as Int32Array;
        rows = rowsOf(t);
        break;
      }
      case 'weighted-sum': {
        const t = input(inputs, part.ids);
        ids = t.dataSync() as Int32Array;
        values = input(inputs, part.weights).dataSync() as Float32Array;
        rows = rowsOf(t);
        break;
      }
      case 'numeric':
      case 'dense': {
        const t = input(inputs, part.input);
        values = t.dataSync() as Float32Array;
        rows = rowsOf(t);
        break;
      }
    }
    if (n === -1) n = rows;
    else if (rows !== n) throw new TrainConfigError(`inputs of "${part.feature}"`, `have ${rows} rows, other parts have ${n}`);
    const length = ((ids ?? values)!.length / Math.max(rows, 1)) | 0;
    return { part, table, ids, values, length };
  });
  if (n === -1) throw new TrainConfigError('layout', 'has no parts');
  const rows = n;
  const forward = (tableData: readonly Float32Array[]): Float32Array => {
    const x0 = new Float32Array(rows * width);
    for (const d of parts) writePart(d, d.table >= 0 ? tableData[d.table]! : null, rows, x0, width);
    return x0;
  };
  if (used.length === 0) return tf.tensor2d(forward([]), [rows, width]);
  const sources = used.map((name) => tables.get(name)!);
  const lazy = sources.map((s) => (s instanceof LazyAdamTable ? s : null));
  const tableTensors = sources.map((s) => (s instanceof LazyAdamTable ? s.handle : s));
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const ts = args.slice(0, used.length) as tf.Tensor[];
    const x0 = forward(ts.map((t, i) => lazy[i]?.values ?? tableValues(t)));
    return {
      value: tf.tensor2d(x0, [rows, width]),
      gradFunc: (dy: tf.Tensor | tf.Tensor[]) => {
        const g = (Array.isArray(dy) ? dy[0]! : dy).dataSync() as Float32Array;
        // Each part's gradient on its own, then a shared table's summed as the engine summed
        // them: the last part's first, each earlier one added in turn. A lazy table sums into
        // the slots of the rows it touched.
        const sums: (Float32Array | null)[] = ts.map(() => null);
        for (let p = parts.length - 1; p >= 0; p--) {
          const d = parts[p]!;
          if (d.table < 0) continue;
          const l = lazy[d.table];
          if (l) {
            readPart(d, g, rows, width, l.dim, null, l);
            continue;
          }
          const t = ts[d.table]!;
          const grad = new Float32Array(t.size);
          readPart(d, g, rows, width, t.shape[1]!, grad, null);
          const sum = sums[d.table] ?? null;
          if (sum === null) sums[d.table] = grad;
          else for (let i = 0; i < sum.length; i++) sum[i]! += grad[i]!;
        }
        return ts.map((t, i) => (lazy[i] ? tf.zerosLike(t) : tf.tensor(sums[i]!, t.shape)));
      },
    };
  });
  return op(...tableTensors) as tf.Tensor2D;
}

/**
 * A table's values, read out of the backend once per tensor data (a dataId's data never changes:
 * training assigns each step's tables new data). Predicting reads the same tables for every call:
 * at 50,000 items a build's evaluation (one call per test user) spent 61 s of 705 s in copying
 * whole tables out of the backend, and more in collecting the copies.
 */
const readTables = new WeakMap<object, Float32Array>();

function tableValues(t: tf.Tensor): Float32Array {
  const key = t.dataId as object;
  let values = readTables.get(key);
  if (values === undefined) {
    values = t.dataSync() as Float32Array;
    readTables.set(key, values);
  }
  return values;
}

/** Writes part d of every row into x0's columns [offset, offset + part width). */
function writePart(d: PartData, table: Float32Array | null, n: number, x0: Float32Array, width: number): void {
  const { part, ids, values, length } = d;
  const dim = part.width;
  const offset = part.offset;
  switch (part.kind) {
    case 'embedding':
      for (let r = 0; r < n; r++) x0.set(table!.subarray(ids![r]! * dim, (ids![r]! + 1) * dim), r * width + offset);
      return;
    case 'numeric':
      for (let r = 0; r < n; r++) x0[r * width + offset] = values![r]!;
      return;
    case 'dense':
      for (let r = 0; r < n; r++) x0.set(values!.subarray(r * dim, (r + 1) * dim), r * width + offset);
      return;
    case 'masked-mean': {
      const acc = new Float32Array(dim);
      for (let r = 0; r < n; r++) {
        acc.fill(0);
        let count = 0;
        for (let l = 0; l < length; l++) {
          const id = ids![r * length + l]!;
          if (id === 0) continue; // padding: its product with the mask is a zero
          count++;
          const base = id * dim;
          for (let k = 0; k < dim; k++) acc[k]! += table![base + k]!;
        }
        const c = Math.max(count, 1);
        for (let k = 0; k < dim; k++) x0[r * width + offset + k] = acc[k]! / c;
      }
      return;
    }
    case 'weighted-sum': {
      const acc = new Float32Array(dim);
      for (let r = 0; r < n; r++) {
        const at = r * width + offset;
        // A feed's candidates share their user: a row repeating the previous one's history
        // reuses its pool (the same inputs, the same numbers).
        if (r > 0 && sameRow(ids!, values!, r, length)) {
          x0.copyWithin(at, at - width, at - width + dim);
          continue;
        }
        acc.fill(0);
        for (let l = 0; l < length; l++) {
          const w = values![r * length + l]!;
          if (w === 0) continue; // a zero weight adds a zero
          const base = ids![r * length + l]! * dim;
          // A Float32Array store rounds: the product to float32 first, then the float32 sum.
          for (let k = 0; k < dim; k++) acc[k]! += Math.fround(w * table![base + k]!);
        }
        x0.set(acc, at);
      }
      return;
    }
  }
}

/**
 * Adds part d's share of dx0 (g, [N, width]) into its table's gradient, rows in order: into
 * `dense` (table-sized) at row id's place, or into the lazy table's slot for row id.
 */
function readPart(d: PartData, g: Float32Array, n: number, width: number, dim: number, dense: Float32Array | null, lazy: LazyAdamTable | null): void {
  const { part, ids, values, length } = d;
  const offset = part.offset;
  // Where row id's gradient is: base(id) into grad (the lazy table's array can grow while a
  // part is read, so it is fetched after the slot).
  const base = lazy ? (id: number) => lazy.slot(id) : (id: number) => id * dim;
  const gradOf = lazy ? () => lazy.gradient : () => dense!;
  switch (part.kind) {
    case 'embedding':
      for (let r = 0; r < n; r++) {
        const b = base(ids![r]!);
        const grad = gradOf();
        const at = r * width + offset;
        for (let k = 0; k < dim; k++) grad[b + k]! += g[at + k]!;
      }
      return;
    case 'masked-mean': {
      const share = new Float32Array(dim);
      for (let r = 0; r < n; r++) {
        let count = 0;
        for (let l = 0; l < length; l++) if (ids![r * length + l] !== 0) count++;
        const c = Math.max(count, 1);
        const at = r * width + offset;
        for (let k = 0; k < dim; k++) share[k] = g[at + k]! / c;
        for (let l = 0; l < length; l++) {
          const id = ids![r * length + l]!;
          if (id === 0) continue;
          const b = base(id);
          const grad = gradOf();
          for (let k = 0; k < dim; k++) grad[b + k]! += share[k]!;
        }
      }
      return;
    }
    case 'weighted-sum':
      for (let r = 0; r < n; r++) {
        const at = r * width + offset;
        for (let l = 0; l < length; l++) {
          const w = values![r * length + l]!;
          if (w === 0) continue;
          const b = base(ids![r * length + l]!);
          const grad = gradOf();
          for (let k = 0; k < dim; k++) grad[b + k]! += Math.fround(g[at + k]! * w);
        }
      }
      return;
    default:
      return;
  }
}

/** Whether row r of ids and weights ([N, length]) equals row r - 1. */
function sameRow(ids: Int32Array, weights: Float32Array, r: number, length: number): boolean {
  const a = r * length;
  const b = a - length;
  for (let l = 0; l < length; l++) if (ids[a + l] !== ids[b + l] || weights[a + l] !== weights[b + l]) return false;
  return true;
}
