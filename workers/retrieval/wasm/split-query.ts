/**
 * The float query as the kernel reads it: two int16 vectors H and L with
 * q_j ≈ qscale · (H_j + L_j / 2^16), qscale = max|q| / 32767. H carries the top 16 bits, L the
 * next 16 of what H's rounding left, so the query keeps ~31 bits relative to its largest
 * component (float32 keeps 24 relative to each): the kernel's integer sums then lose nothing a
 * float kernel would keep. Layout per 16 dims: H[16] then L[16] (score-kernel.ts).
 */
const H_MAX = 32767;
const L_SCALE = 65536;

/**
 * Writes the split of `query` into `out` (Int16Array of chunks·32, dims past query.length zero)
 * and returns qscale. A zero query gives qscale 0 and all-zero parts: every score is then its bias.
 */
export function splitQuery(query: Float32Array, out: Int16Array): number {
  out.fill(0);
  let maxAbs = 0;
  for (let j = 0; j < query.length; j++) maxAbs = Math.max(maxAbs, Math.abs(query[j]!));
  if (maxAbs === 0) return 0;
  const qscale = maxAbs / H_MAX;
  for (let j = 0; j < query.length; j++) {
    const x = query[j]! / qscale;
    const h = Math.round(x);
    // x - h is in [-0.5, 0.5], so l is in [-32768, 32768]; clamp the one value int16 lacks.
    const l = Math.min(H_MAX, Math.round((x - h) * L_SCALE));
    const base = (j >> 4) * 32 + (j & 15);
    out[base] = h;
    out[base + 16] = l;
  }
  return qscale;
}
