import { ValidationError } from '../errors.ts';
import { checkDim, checkOffset, rowCount } from './check.ts';

/**
 * Resolves the span of a dot product. Without `n` both remainders must have the same length:
 * a mismatch there is almost always a bug (a query of the wrong model), so it throws instead
 * of silently using the shorter one. With `n`, both spans must fit.
 */
function span(aLength: number, bLength: number, aOffset: number, bOffset: number, n: number | undefined): number {
  checkOffset(aOffset, 'aOffset');
  checkOffset(bOffset, 'bOffset');
  if (n === undefined) {
    const na = aLength - aOffset;
    const nb = bLength - bOffset;
    if (na < 0) throw new ValidationError('aOffset', `${aOffset} is past the end of a (length ${aLength})`);
    if (na !== nb) {
      throw new ValidationError('b.length', `a has ${na} values from aOffset but b has ${nb} from bOffset; pass n`);
    }
    return na;
  }
  if (!Number.isInteger(n) || n < 0) throw new ValidationError('n', `must be a non-negative integer, got ${n}`);
  if (aOffset + n > aLength) throw new ValidationError('n', `aOffset + n = ${aOffset + n} exceeds a.length ${aLength}`);
  if (bOffset + n > bLength) throw new ValidationError('n', `bOffset + n = ${bOffset + n} exceeds b.length ${bLength}`);
  return n;
}

/**
 * Dot product of `n` float32 values of `a` (from `aOffset`) and `b` (from `bOffset`).
 * Accumulates in float64 (JS numbers), so it is at least as exact as a float32 kernel; a
 * WebGPU kernel accumulating in float32 may differ in the last bits.
 */
export function dotF32(a: Float32Array, b: Float32Array, aOffset = 0, bOffset = 0, n?: number): number {
  const len = span(a.length, b.length, aOffset, bOffset, n);
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = 0;
  // Four independent accumulators let the CPU overlap the multiply-adds.
  for (; i + 3 < len; i += 4) {
    const x = aOffset + i;
    const y = bOffset + i;
    s0 += a[x]! * b[y]!;
    s1 += a[x + 1]! * b[y + 1]!;
    s2 += a[x + 2]! * b[y + 2]!;
    s3 += a[x + 3]! * b[y + 3]!;
  }
  for (; i < len; i++) s0 += a[aOffset + i]! * b[bOffset + i]!;
  return s0 + s1 + (s2 + s3);
}

/**
 * Integer dot product of int8 vectors, exact. Each product is at most 2^14 in magnitude, so
 * the sum is an exact integer in a JS number for any realistic length (up to 2^39 values);
 * it equals what an int32-accumulating SIMD kernel returns for n < 131,072, where int32
 * cannot overflow.
 */
export function dotInt8(a: Int8Array, b: Int8Array, aOffset = 0, bOffset = 0, n?: number): number {
  const len = span(a.length, b.length, aOffset, bOffset, n);
  let s = 0;
  for (let i = 0; i < len; i++) s += a[aOffset + i]! * b[bOffset + i]!;
  return s;
}

/** Euclidean norm of `n` values of `a` from `offset` (default: all of them). */
export function norm(a: Float32Array, offset = 0, n?: number): number {
  return Math.sqrt(dotF32(a, a, offset, offset, n ?? a.length - offset));
}

/**
 * Cosine similarity of `a` and `b` (same length), or of `n` values from the given offsets.
 * A zero vector has no direction: its cosine with anything is defined as 0 (not NaN), so a
 * missing embedding counts as unrelated instead of poisoning an average.
 */
export function cosine(a: Float32Array, b: Float32Array, aOffset = 0, bOffset = 0, n?: number): number {
  const len = span(a.length, b.length, aOffset, bOffset, n);
  const ab = dotF32(a, b, aOffset, bOffset, len);
  const aa = dotF32(a, a, aOffset, aOffset, len);
  const bb = dotF32(b, b, bOffset, bOffset, len);
  if (aa === 0 || bb === 0) return 0;
  const c = ab / Math.sqrt(aa * bb);
  // Rounding can push |c| a hair past 1; clamp so 1 - cosine is never negative.
  return c > 1 ? 1 : c < -1 ? -1 : c;
}

/**
 * Scales `a` to unit length in place and returns it; a zero vector is left as is. With `dim`,
 * `a` is a row-major matrix and each row is normalised on its own.
 */
export function normalize(a: Float32Array, dim: number = a.length): Float32Array {
  if (a.length === 0) return a;
  checkDim(dim);
  rowCount(a.length, dim, 'a.length');
  for (let base = 0; base < a.length; base += dim) {
    let ss = 0;
    for (let j = 0; j < dim; j++) ss += a[base + j]! * a[base + j]!;
    if (ss === 0) continue;
    const inv = 1 / Math.sqrt(ss);
    for (let j = 0; j < dim; j++) a[base + j] = a[base + j]! * inv;
  }
  return a;
}
