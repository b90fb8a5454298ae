import { ValidationError } from '../errors.ts';

// Argument checks shared by the vector kernels. They run once per call, never per row, so the
// hot loops stay free of branches; each error names the argument the caller got wrong.

export function checkDim(dim: number): void {
  if (!Number.isInteger(dim) || dim <= 0) throw new ValidationError('dim', `must be a positive integer, got ${dim}`);
}

/** Rows in a row-major `length`-element matrix of width `dim`; throws when it is not whole. */
export function rowCount(length: number, dim: number, field: string): number {
  if (length % dim !== 0) {
    throw new ValidationError(field, `length ${length} is not a multiple of dim ${dim}`);
  }
  return length / dim;
}

export function checkOffset(offset: number, field: string): void {
  if (!Number.isInteger(offset) || offset < 0) {
    throw new ValidationError(field, `must be a non-negative integer, got ${offset}`);
  }
}

/** Resolves the `out` buffer: reuses the caller's when big enough, else allocates one. */
export function outBuffer(out: Float32Array | undefined, rows: number): Float32Array {
  if (out === undefined) return new Float32Array(rows);
  if (out.length < rows) {
    throw new ValidationError('out.length', `must be at least the number of rows (${rows}), got ${out.length}`);
  }
  // A larger buffer is allowed so one allocation serves shards of different sizes; the view
  // keeps the result's length equal to the number of rows.
  return out.length === rows ? out : out.subarray(0, rows);
}
