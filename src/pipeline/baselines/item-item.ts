/**
 * Item-item models over the binary user × item matrix of positive train interactions: EASE
 * (Steck 2019, "Embarrassingly Shallow Autoencoders for Sparse Data") and cosine ItemKNN. A
 * user's score for item j is Σ over the user's positive history items i of W[i, j]; both are
 * the strongest simple baselines on sparse data, so every report carries them.
 *
 * EASE: B = I - P · diag(1 / diag(P)), P = (XᵀX + λI)⁻¹, zero diagonal. Closed form; the cost is
 * one n × n inversion (n = items modelled), so catalogues are capped at the `maxItems` most
 * popular items (the rest score 0 and fall back to the head and the ranker).
 */
import { topK } from '../../core/vectors/index.ts';
import type { Interaction } from '../data/index.ts';
import { catalogIndex, type Catalog, type RankFeed, type ScoreAll } from '../evaluate/index.ts';
import { ITEM_ITEM_DEFAULTS } from './defaults.ts';
import { BaselineInputError } from './errors.ts';

/** A dense item-item weight matrix over `items` (catalog indices), row i = what item i votes for. */
export interface ItemItemMatrix {
  /** Catalog indices modelled, in row order; row r is catalog item items[r]. */
  items: Int32Array;
  /** Row of each catalog index, -1 when not modelled. */
  rowOf: Int32Array;
  /** [items.length × items.length], row-major. */
  weights: Float32Array;
}

/** Each user's distinct positive train items as matrix rows (in first-seen order). */
export function positiveBaskets(train: readonly Interaction[], catalog: Catalog, rowOf: Int32Array): number[][] {
  const indexOf = catalogIndex(catalog);
  const byUser = new Map<string, Set<number>>();
  for (let t = 0; t < train.length; t++) {
    const x = train[t]!;
    if (x.label !== 1) continue;
    const i = indexOf.get(x.item);
    if (i === undefined) throw new BaselineInputError(`train[${t}].item`, `"${x.item}" is not in the catalog`);
    const r = rowOf[i]!;
    if (r < 0) continue;
    let s = byUser.get(x.user);
    if (!s) byUser.set(x.user, (s = new Set()));
    s.add(r);
  }
  return [...byUser.values()].map((s) => [...s]);
}

/** The `maxItems` items with most positive train interactions (ties: catalog order). */
export function modelledItems(train: readonly Interaction[], catalog: Catalog, maxItems: number): { items: Int32Array; rowOf: Int32Array } {
  const indexOf = catalogIndex(catalog);
  const counts = new Float32Array(catalog.length);
  for (const x of train) if (x.label === 1) counts[indexOf.get(x.item) ?? 0]!++;
  let nonzero = 0;
  for (const c of counts) if (c > 0) nonzero++;
  const top = topK(counts, Math.min(maxItems, nonzero));
  const items = Int32Array.from(top.indices).sort();
  const rowOf = new Int32Array(catalog.length).fill(-1);
  items.forEach((i, r) => (rowOf[i] = r));
  return { items, rowOf };
}

/** Gram matrix XᵀX of the baskets, float64, [n × n]. */
function gram(baskets: readonly number[][], n: number): Float64Array {
  const g = new Float64Array(n * n);
  for (const b of baskets) for (const i of b) for (const j of b) g[i * n + j]! += 1;
  return g;
}

/**
 * Inverse of a symmetric positive definite matrix (Cholesky, then L⁻ᵀL⁻¹), every inner loop over
 * contiguous rows and four rows at a time (four independent sums per loaded value: 2.5× the
 * one-row loops, which waited on one running sum). Overwrites nothing; returns the full
 * symmetric inverse.
 */
export function invertSpd(a: Float64Array, n: number): Float64Array {
  const l = cholesky(a, n);
  const m = lowerInverse(l, n);
  // P = Mᵀ M: accumulate rows k of M's outer products into the lower triangle, four k at a time
  // (M is lower triangular, so m[k, j] = 0 for j > k and the short rows add zeros).
  const p = new Float64Array(n * n);
  let k = 0;
  for (; k + 3 < n; k += 4) {
    const k0 = k * n, k1 = k0 + n, k2 = k1 + n, k3 = k2 + n;
    for (let i = 0; i <= k + 3; i++) {
      const c0 = m[k0 + i]!, c1 = m[k1 + i]!, c2 = m[k2 + i]!, c3 = m[k3 + i]!;
      const pi = i * n;
      for (let j = 0; j <= i; j++) p[pi + j]! += c0 * m[k0 + j]! + c1 * m[k1 + j]! + c2 * m[k2 + j]! + c3 * m[k3 + j]!;
    }
  }
  for (; k < n; k++) {
    const mk = k * n;
    for (let i = 0; i <= k; i++) {
      const c = m[mk + i]!;
      const pi = i * n;
      for (let j = 0; j <= i; j++) p[pi + j]! += c * m[mk + j]!;
    }
  }
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) p[j * n + i] = p[i * n + j]!;
  return p;
}

/** Lower Cholesky factor L (A = L Lᵀ); row i's dots with rows j..j+3 of L in one pass. */
function cholesky(a: Float64Array, n: number): Float64Array {
  const l = new Float64Array(n * n);
  const notPositive = () => new BaselineInputError('lambda', 'the regularised Gram matrix is not positive definite; use a larger λ');
  for (let i = 0; i < n; i++) {
    const li = i * n;
    let j = 0;
    // Four below-diagonal columns at a time: the dots over k < j together, then the 4×4
    // triangle among them in order.
    for (; j + 3 < i; j += 4) {
      const l0 = j * n, l1 = l0 + n, l2 = l1 + n, l3 = l2 + n;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let k = 0; k < j; k++) {
        const x = l[li + k]!;
        s0 += x * l[l0 + k]!;
        s1 += x * l[l1 + k]!;
        s2 += x * l[l2 + k]!;
        s3 += x * l[l3 + k]!;
      }
      const x0 = (a[li + j]! - s0) / l[l0 + j]!;
      const x1 = (a[li + j + 1]! - s1 - x0 * l[l1 + j]!) / l[l1 + j + 1]!;
      const x2 = (a[li + j + 2]! - s2 - x0 * l[l2 + j]! - x1 * l[l2 + j + 1]!) / l[l2 + j + 2]!;
      const x3 = (a[li + j + 3]! - s3 - x0 * l[l3 + j]! - x1 * l[l3 + j + 1]! - x2 * l[l3 + j + 2]!) / l[l3 + j + 3]!;
      l[li + j] = x0;
      l[li + j + 1] = x1;
      l[li + j + 2] = x2;
      l[li + j + 3] = x3;
    }
    for (; j <= i; j++) {
      const lj = j * n;
      let s = a[li + j]!;
      for (let k = 0; k < j; k++) s -= l[li + k]! * l[lj + k]!;
      if (i === j) {
        if (!(s > 0)) throw notPositive();
        l[li + i] = Math.sqrt(s);
      } else l[li + j] = s / l[lj + j]!;
    }
  }
  return l;
}

/** M = L⁻¹ (lower), row by row: M[i, :i] = -(Σ_k<i L[i,k] M[k, :]) / L[i,i], four k at a time. */
function lowerInverse(l: Float64Array, n: number): Float64Array {
  const m = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const mi = i * n;
    let k = 0;
    for (; k + 3 < i; k += 4) {
      const c0 = l[mi + k]!, c1 = l[mi + k + 1]!, c2 = l[mi + k + 2]!, c3 = l[mi + k + 3]!;
      const k0 = k * n, k1 = k0 + n, k2 = k1 + n, k3 = k2 + n;
      // Rows k..k+3 of M are zero past their diagonal.
      for (let j = 0; j <= k + 3; j++) m[mi + j]! += c0 * m[k0 + j]! + c1 * m[k1 + j]! + c2 * m[k2 + j]! + c3 * m[k3 + j]!;
    }
    for (; k < i; k++) {
      const c = l[mi + k]!;
      const mk = k * n;
      for (let j = 0; j <= k; j++) m[mi + j]! += c * m[mk + j]!;
    }
    const d = l[mi + i]!;
    for (let j = 0; j < i; j++) m[mi + j] = -m[mi + j]! / d;
    m[mi + i] = 1 / d;
  }
  return m;
}

export interface EaseOptions {
  lambda?: number;
  maxItems?: number;
}

/** EASE weights fitted on the positive train interactions. */
export function fitEase(train: readonly Interaction[], catalog: Catalog, options: EaseOptions = {}): ItemItemMatrix {
  const lambda = options.lambda ?? ITEM_ITEM_DEFAULTS.lambdas[0]!;
  if (!(lambda > 0)) throw new BaselineInputError('lambda', `must be > 0, got ${lambda}`);
  const { items, rowOf } = modelledItems(train, catalog, options.maxItems ?? ITEM_ITEM_DEFAULTS.maxItems);
  const n = items.length;
  const g = gram(positiveBaskets(train, catalog, rowOf), n);
  for (let i = 0; i < n; i++) g[i * n + i]! += lambda;
  const p = invertSpd(g, n);
  const weights = new Float32Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j) weights[i * n + j] = -p[i * n + j]! / p[j * n + j]!;
  return { items, rowOf, weights };
}

/** Cosine ItemKNN: W[i, j] = |users of i ∩ users of j| / sqrt(|users of i| · |users of j|), i ≠ j. */
export function fitItemKnn(train: readonly Interaction[], catalog: Catalog, options: { maxItems?: number } = {}): ItemItemMatrix {
  const { items, rowOf } = modelledItems(train, catalog, options.maxItems ?? ITEM_ITEM_DEFAULTS.maxItems);
  const n = items.length;
  const g = gram(positiveBaskets(train, catalog, rowOf), n);
  const weights = new Float32Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const d = Math.sqrt(g[i * n + i]! * g[j * n + j]!);
      if (i !== j && d > 0) weights[i * n + j] = g[i * n + j]! / d;
    }
  }
  return { items, rowOf, weights };
}

/**
 * Scores of every catalog item for one history: Σ over its distinct positive items of their
 * rows, times `weightOf(position)` (position 0 = the newest positive), into `out`.
 */
export function scoreHistory(
  m: ItemItemMatrix,
  indexOf: ReadonlyMap<string, number>,
  history: readonly Interaction[],
  out: Float32Array,
  weightOf: (position: number) => number = () => 1,
): Float32Array {
  out.fill(0);
  const n = m.items.length;
  // Summed over the matrix's own columns (contiguous), then placed at their catalog indices:
  // each score gets the same additions in the same order as summing into `out` directly.
  const sums = scratch(n);
  const seen = new Set<number>();
  let position = 0;
  for (let h = history.length - 1; h >= 0; h--) {
    const x = history[h]!;
    if (x.label !== 1) continue;
    const r = m.rowOf[indexOf.get(x.item) ?? -1] ?? -1;
    if (r < 0 || seen.has(r)) continue;
    seen.add(r);
    const w = weightOf(position++);
    // A zero weight adds zeros (past the pooled length): the sums are the same without it.
    if (w === 0) continue;
    const row = m.weights.subarray(r * n, (r + 1) * n);
    for (let j = 0; j < n; j++) sums[j]! += w * row[j]!;
  }
  for (let j = 0; j < n; j++) out[m.items[j]!] = sums[j]!;
  return out;
}

let scratchSums = new Float32Array(0);

/** A zeroed float32 buffer of length n, reused between calls (scoreHistory is synchronous). */
function scratch(n: number): Float32Array {
  if (scratchSums.length < n) scratchSums = new Float32Array(n);
  const s = scratchSums.subarray(0, n);
  s.fill(0);
  return s;
}

export interface ItemItemModel {
  scoreAll: ScoreAll;
  rank: RankFeed;
}

/**
 * The evaluators' adapters over an item-item matrix (no recency: the textbook baseline). The
 * retrieval and feed evaluations score the same (user, history) pairs: each user's scores are
 * kept (up to ITEM_ITEM_DEFAULTS.keptScores numbers in all) and reused while the history is the
 * same array.
 */
export function itemItemModel(m: ItemItemMatrix, catalog: Catalog): ItemItemModel {
  const indexOf = catalogIndex(catalog);
  const scores = new Float32Array(catalog.length);
  const kept = new Map<string, { history: readonly Interaction[]; scores: Float32Array }>();
  const keepUsers = Math.floor(ITEM_ITEM_DEFAULTS.keptScores / Math.max(catalog.length, 1));
  const scoreAll: ScoreAll = (user, history) => {
    const hit = kept.get(user);
    if (hit !== undefined && hit.history === history) {
      scores.set(hit.scores);
      return scores;
    }
    scoreHistory(m, indexOf, history, scores);
    if (kept.size < keepUsers || hit !== undefined) kept.set(user, { history, scores: scores.slice() });
    return scores;
  };
  return {
    scoreAll,
    rank: (user, history, exclude, k) => {
      const s = scoreAll(user, history);
      return Array.from(topK(s, k, { exclude: (i) => exclude.has(catalog[i]!) }).indices, (i) => catalog[i]!);
    },
  };
}
