/**
 * The history pattern of the exported models, fused: Σ_l w[n, l] · table[ids[n, l]] for ids and
 * weights [N, L] -> [N, e]. In the graph it is Gather (an [N, L, e] tensor: 500 × 50 × 16 values
 * for a feed), Mul by the weights unsqueezed to [N, L, 1], then ReduceSum over L; here no [N, L, e]
 * tensor exists, positions of weight 0 (padding, or masked out) are skipped (they add exactly 0),
 * and a row whose ids and weights equal the previous row's copies its result: every candidate of
 * one feed shares the user's history. Products are rounded to float32 before the sum, as the
 * graph's Mul writes them, and summed in position order, as its ReduceSum does.
 */
import { JsOpError } from './errors.ts';

export function gatherWeightedSum(table: Float32Array, rows: number, e: number, ids: ArrayLike<number>, weights: Float32Array, n: number, l: number): Float32Array {
  const out = new Float32Array(n * e);
  const acc = new Float32Array(e);
  for (let r = 0; r < n; r++) {
    const base = r * l;
    if (r > 0 && sameRow(ids, weights, base - l, base, l)) {
      out.copyWithin(r * e, (r - 1) * e, r * e);
      continue;
    }
    acc.fill(0);
    for (let p = 0; p < l; p++) {
      const w = weights[base + p]!;
      if (w === 0) continue;
      const id = ids[base + p]!;
      const row = id < 0 ? id + rows : id;
      if (row < 0 || row >= rows) throw new JsOpError(`Gather: index ${id} is outside [0, ${rows})`);
      const t = row * e;
      for (let j = 0; j < e; j++) acc[j] = acc[j]! + Math.fround(w * table[t + j]!);
    }
    out.set(acc, r * e);
  }
  return out;
}

function sameRow(ids: ArrayLike<number>, weights: Float32Array, a: number, b: number, l: number): boolean {
  for (let p = 0; p < l; p++) if (ids[a + p] !== ids[b + p] || weights[a + p] !== weights[b + p]) return false;
  return true;
}
