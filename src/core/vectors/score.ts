import { ValidationError } from '../errors.ts';
import { checkDim, outBuffer, rowCount } from './check.ts';

// The hot loops of retrieval: one query against every row of a shard (100k × 64 on a phone).
// Written for V8's optimising compiler, measured in test/bench/vectors.ts:
// - four rows per pass: each query value is loaded once and used four times, and the four
//   accumulators are independent, so multiply-adds overlap (about 2.5x a naive loop);
// - the inner loop is unrolled by four; monomorphic typed arrays, locals only, no closures;
// - the caller may pass `out` so scoring a shard allocates nothing.
// Every row is summed in the same order whether it falls in a block of four or in the tail,
// so a row's score never depends on its position. Sums are float64, stored as float32.

function checkQuery(query: Float32Array, dim: number): void {
  if (query.length !== dim) throw new ValidationError('query.length', `must equal dim ${dim}, got ${query.length}`);
}

/** score[i] = Σ_j query[j] · matrix[i·dim + j] for every row of the row-major `matrix`. */
export function scoreRowsF32(query: Float32Array, matrix: Float32Array, dim: number, out?: Float32Array): Float32Array {
  checkDim(dim);
  checkQuery(query, dim);
  const rows = rowCount(matrix.length, dim, 'matrix.length');
  const res = outBuffer(out, rows);
  const q = query;
  const m = matrix;
  const d4 = dim - (dim % 4);
  let r = 0;
  for (; r + 3 < rows; r += 4) {
    const a = r * dim;
    const b = a + dim;
    const c = b + dim;
    const d = c + dim;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let j = 0;
    for (; j < d4; j += 4) {
      const q0 = q[j]!;
      const q1 = q[j + 1]!;
      const q2 = q[j + 2]!;
      const q3 = q[j + 3]!;
      s0 += q0 * m[a + j]! + q1 * m[a + j + 1]! + q2 * m[a + j + 2]! + q3 * m[a + j + 3]!;
      s1 += q0 * m[b + j]! + q1 * m[b + j + 1]! + q2 * m[b + j + 2]! + q3 * m[b + j + 3]!;
      s2 += q0 * m[c + j]! + q1 * m[c + j + 1]! + q2 * m[c + j + 2]! + q3 * m[c + j + 3]!;
      s3 += q0 * m[d + j]! + q1 * m[d + j + 1]! + q2 * m[d + j + 2]! + q3 * m[d + j + 3]!;
    }
    for (; j < dim; j++) {
      const qj = q[j]!;
      s0 += qj * m[a + j]!;
      s1 += qj * m[b + j]!;
      s2 += qj * m[c + j]!;
      s3 += qj * m[d + j]!;
    }
    res[r] = s0;
    res[r + 1] = s1;
    res[r + 2] = s2;
    res[r + 3] = s3;
  }
  for (; r < rows; r++) {
    const a = r * dim;
    let s = 0;
    let j = 0;
    for (; j < d4; j += 4) {
      s += q[j]! * m[a + j]! + q[j + 1]! * m[a + j + 1]! + q[j + 2]! * m[a + j + 2]! + q[j + 3]! * m[a + j + 3]!;
    }
    for (; j < dim; j++) s += q[j]! * m[a + j]!;
    res[r] = s;
  }
  return res;
}

/**
 * Asymmetric int8 scoring: a float query against int8 rows with one scale per row (the layout
 * of quantizeRowsInt8 and of the shards), score[i] = scales[i] · Σ_j query[j] · values[i·dim + j].
 * Only the rows are quantised: keeping the query in float halves the error of a symmetric
 * int8·int8 product, at no cost in memory.
 */
export function scoreRowsInt8(
  query: Float32Array,
  values: Int8Array,
  scales: Float32Array,
  dim: number,
  out?: Float32Array,
): Float32Array {
  checkDim(dim);
  checkQuery(query, dim);
  const rows = rowCount(values.length, dim, 'values.length');
  if (scales.length !== rows) {
    throw new ValidationError('scales.length', `must equal the number of rows (${rows}), got ${scales.length}`);
  }
  const res = outBuffer(out, rows);
  const q = query;
  const v = values;
  const d4 = dim - (dim % 4);
  let r = 0;
  for (; r + 3 < rows; r += 4) {
    const a = r * dim;
    const b = a + dim;
    const c = b + dim;
    const d = c + dim;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let j = 0;
    for (; j < d4; j += 4) {
      const q0 = q[j]!;
      const q1 = q[j + 1]!;
      const q2 = q[j + 2]!;
      const q3 = q[j + 3]!;
      s0 += q0 * v[a + j]! + q1 * v[a + j + 1]! + q2 * v[a + j + 2]! + q3 * v[a + j + 3]!;
      s1 += q0 * v[b + j]! + q1 * v[b + j + 1]! + q2 * v[b + j + 2]! + q3 * v[b + j + 3]!;
      s2 += q0 * v[c + j]! + q1 * v[c + j + 1]! + q2 * v[c + j + 2]! + q3 * v[c + j + 3]!;
      s3 += q0 * v[d + j]! + q1 * v[d + j + 1]! + q2 * v[d + j + 2]! + q3 * v[d + j + 3]!;
    }
    for (; j < dim; j++) {
      const qj = q[j]!;
      s0 += qj * v[a + j]!;
      s1 += qj * v[b + j]!;
      s2 += qj * v[c + j]!;
      s3 += qj * v[d + j]!;
    }
    res[r] = s0 * scales[r]!;
    res[r + 1] = s1 * scales[r + 1]!;
    res[r + 2] = s2 * scales[r + 2]!;
    res[r + 3] = s3 * scales[r + 3]!;
  }
  for (; r < rows; r++) {
    const a = r * dim;
    let s = 0;
    let j = 0;
    for (; j < d4; j += 4) {
      s += q[j]! * v[a + j]! + q[j + 1]! * v[a + j + 1]! + q[j + 2]! * v[a + j + 2]! + q[j + 3]! * v[a + j + 3]!;
    }
    for (; j < dim; j++) s += q[j]! * v[a + j]!;
    res[r] = s * scales[r]!;
  }
  return res;
}
