/**
 * Symmetric int8 quantisation with one float32 scale per row: x ≈ scale * q, q in [-127, 127].
 * Per-row scales keep the error relative to each item's own norm, which is what preserves the
 * ranking of dot products (a global scale would crush items with small embeddings).
 */
export interface QuantizedRows {
  /** n*dim values, row-major. */
  values: Int8Array;
  /** n scales; a zero row has scale 0. */
  scales: Float32Array;
  rows: number;
  dim: number;
}

export function quantizeRowsInt8(data: Float32Array, dim: number): QuantizedRows {
  if (!Number.isInteger(dim) || dim <= 0) throw new RangeError(`dim must be a positive integer, got ${dim}`);
  if (data.length % dim !== 0) {
    throw new RangeError(`data length ${data.length} is not a multiple of dim ${dim}`);
  }
  const rows = data.length / dim;
  const values = new Int8Array(data.length);
  const scales = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    const base = r * dim;
    let maxAbs = 0;
    for (let j = 0; j < dim; j++) {
      const v = data[base + j]!;
      if (!Number.isFinite(v)) throw new RangeError(`row ${r} has a non-finite value at column ${j}`);
      const a = Math.abs(v);
      if (a > maxAbs) maxAbs = a;
    }
    if (maxAbs === 0) continue;
    // Math.fround: the decoder sees the float32 scale, so quantise against that exact value.
    const scale = Math.fround(maxAbs / 127);
    scales[r] = scale;
    for (let j = 0; j < dim; j++) {
      const q = Math.round(data[base + j]! / scale);
      values[base + j] = q > 127 ? 127 : q < -127 ? -127 : q;
    }
  }
  return { values, scales, rows, dim };
}

/** Back to float32 (for tests, re-embedding and the pipeline's parity checks). */
export function dequantizeRowsInt8(q: QuantizedRows): Float32Array {
  const out = new Float32Array(q.values.length);
  for (let r = 0; r < q.rows; r++) {
    const s = q.scales[r]!;
    const base = r * q.dim;
    for (let j = 0; j < q.dim; j++) out[base + j] = q.values[base + j]! * s;
  }
  return out;
}
