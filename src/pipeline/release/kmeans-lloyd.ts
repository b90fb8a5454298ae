/**
 * Lloyd iterations with Hamerly's bounds (Hamerly, 2010). Each point keeps an upper bound on the
 * distance to its own centroid and a lower bound on the distance to any other; when the centroids
 * move by δ, the bounds loosen by δ, and a point whose upper bound stays below its lower bound (or
 * below half the distance from its centroid to the nearest other) cannot change cluster, so it
 * costs one dot product instead of k. After the first few iterations most points are settled and
 * an iteration costs a fraction of a full pass; the result is the same as plain Lloyd's but
 * where float rounding decides a near-tie.
 */
import { scoreRowsF32 } from '../../core/vectors/index.ts';
import { rowSquaredNorms } from './kmeans-assign.ts';

export interface LloydOptions {
  iterations: number;
  tolerance: number;
  /** Renormalise centroids after each update (spherical k-means on unit points). */
  unitCentroids: boolean;
}

export interface LloydResult {
  assignment: Uint32Array;
  /** Squared distance of each point to its centroid. */
  dist: Float64Array;
  inertia: number;
  iterations: number;
}

/** Runs Lloyd from `centroids` (updated in place) until converged or out of iterations. */
export function lloyd(points: Float32Array, norms: Float64Array, dim: number, centroids: Float32Array, o: LloydOptions): LloydResult {
  const n = norms.length;
  const k = centroids.length / dim;
  const assignment = new Uint32Array(n);
  const upper = new Float64Array(n);
  const lower = new Float64Array(n);
  const scores = new Float32Array(k);
  const dot1 = new Float32Array(1);
  let cNorms = rowSquaredNorms(centroids, dim);

  /** Full scan of point i: nearest and second-nearest centroid. */
  const scan = (i: number): void => {
    scoreRowsF32(points.subarray(i * dim, i * dim + dim), centroids, dim, scores);
    let best = 0;
    let bestD = Infinity;
    let second = Infinity;
    for (let j = 0; j < k; j++) {
      const d = cNorms[j]! - 2 * scores[j]!;
      if (d < bestD) {
        second = bestD;
        bestD = d;
        best = j;
      } else if (d < second) {
        second = d;
      }
    }
    assignment[i] = best;
    upper[i] = Math.sqrt(Math.max(0, norms[i]! + bestD));
    lower[i] = Math.sqrt(Math.max(0, norms[i]! + second));
  };
  /** Exact distance of point i to centroid c. */
  const distanceTo = (i: number, c: number): number => {
    scoreRowsF32(points.subarray(i * dim, i * dim + dim), centroids.subarray(c * dim, c * dim + dim), dim, dot1);
    return Math.sqrt(Math.max(0, norms[i]! - 2 * dot1[0]! + cNorms[c]!));
  };

  for (let i = 0; i < n; i++) scan(i);
  let inertia = sumSquares(upper);
  let iterations = 1;
  let previous = Infinity;
  let changed = n;
  const old = new Float32Array(centroids.length);
  // Stop on a pass that moved no point, on too small a gain, or out of iterations; in every case
  // the centroids are the ones the last assignment was made with, so a final pass reproduces it.
  while (changed > 0 && iterations < o.iterations && (previous === Infinity || previous - inertia > o.tolerance * previous)) {
    previous = inertia;
    old.set(centroids);
    updateCentroids(points, dim, k, assignment, upper, lower, centroids, o.unitCentroids);
    cNorms = rowSquaredNorms(centroids, dim);
    const moved = movement(old, centroids, dim);
    const half = halfNearestGap(centroids, cNorms, dim);
    let top = -1;
    for (let c = 0; c < k; c++) if (top < 0 || moved[c]! > moved[top]!) top = c;
    let secondMove = 0;
    for (let c = 0; c < k; c++) if (c !== top && moved[c]! > secondMove) secondMove = moved[c]!;

    changed = 0;
    for (let i = 0; i < n; i++) {
      const a = assignment[i]!;
      // The nearest other centroid came at most as close as the farthest mover (not counting a itself).
      lower[i] = lower[i]! - (a === top ? secondMove : moved[top]!);
      const bound = Math.max(half[a]!, lower[i]!);
      upper[i] = distanceTo(i, a);
      if (upper[i]! <= bound) continue;
      scan(i);
      if (assignment[i] !== a) changed++;
    }
    inertia = sumSquares(upper);
    iterations++;
  }
  const dist = new Float64Array(n);
  for (let i = 0; i < n; i++) dist[i] = upper[i]! * upper[i]!;
  return { assignment, dist, inertia, iterations };
}

/**
 * The Lloyd update: each centroid becomes the mean of its points (renormalised for spherical
 * k-means). An empty cluster is re-seeded at the point farthest from its own centroid (the next
 * farthest for the next empty one), taken out of its old cluster, as scikit-learn does; that
 * point's lower bound drops to 0 so it is rescanned.
 */
function updateCentroids(
  points: Float32Array,
  dim: number,
  k: number,
  assignment: Uint32Array,
  upper: Float64Array,
  lower: Float64Array,
  centroids: Float32Array,
  unit: boolean,
): void {
  const n = assignment.length;
  const sums = new Float64Array(k * dim);
  const counts = new Uint32Array(k);
  for (let i = 0; i < n; i++) {
    const s = assignment[i]! * dim;
    const p = i * dim;
    counts[assignment[i]!]!++;
    for (let j = 0; j < dim; j++) sums[s + j]! += points[p + j]!;
  }
  const taken = new Uint8Array(n);
  for (let c = 0; c < k; c++) {
    if (counts[c] !== 0) continue;
    const far = farthestUntaken(upper, taken);
    if (far < 0) break;
    taken[far] = 1;
    const from = assignment[far]!;
    if (counts[from]! <= 1) continue; // never empty one cluster to fill another
    counts[from]!--;
    counts[c] = 1;
    for (let j = 0; j < dim; j++) {
      sums[from * dim + j]! -= points[far * dim + j]!;
      sums[c * dim + j] = points[far * dim + j]!;
    }
    assignment[far] = c;
    lower[far] = 0;
  }
  for (let c = 0; c < k; c++) {
    const count = counts[c]!;
    if (count === 0) continue; // nothing to move it to: it stays where it was
    for (let j = 0; j < dim; j++) centroids[c * dim + j] = sums[c * dim + j]! / count;
  }
  if (unit) normalizeRows(centroids, dim);
}

function farthestUntaken(dist: Float64Array, taken: Uint8Array): number {
  let best = -1;
  let bestD = -1;
  for (let i = 0; i < dist.length; i++) {
    if (taken[i] === 0 && dist[i]! > bestD) {
      bestD = dist[i]!;
      best = i;
    }
  }
  return best;
}

/** How far each centroid moved in the update. */
function movement(before: Float32Array, after: Float32Array, dim: number): Float64Array {
  const k = after.length / dim;
  const out = new Float64Array(k);
  for (let c = 0; c < k; c++) {
    let s = 0;
    for (let j = 0; j < dim; j++) {
      const d = after[c * dim + j]! - before[c * dim + j]!;
      s += d * d;
    }
    out[c] = Math.sqrt(s);
  }
  return out;
}

/** Half the distance from each centroid to its nearest other centroid (k² dots, small next to a pass). */
function halfNearestGap(centroids: Float32Array, cNorms: Float64Array, dim: number): Float64Array {
  const k = cNorms.length;
  const out = new Float64Array(k);
  const scores = new Float32Array(k);
  for (let c = 0; c < k; c++) {
    scoreRowsF32(centroids.subarray(c * dim, c * dim + dim), centroids, dim, scores);
    let m = Infinity;
    let scale = 0;
    for (let j = 0; j < k; j++) {
      if (j === c) continue;
      const d = cNorms[c]! - 2 * scores[j]! + cNorms[j]!;
      if (d < m) {
        m = d;
        scale = cNorms[c]! + cNorms[j]!;
      }
    }
    // The float32 dot makes the gap uncertain by about 1e-7 of the norms: shave that off so the
    // bound never lets through a point that a full scan would move.
    out[c] = m === Infinity ? Infinity : Math.sqrt(Math.max(0, m - 1e-6 * scale)) / 2;
  }
  return out;
}

function sumSquares(a: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * a[i]!;
  return s;
}

/** Rows scaled to unit length; a zero row stays zero (it has no direction to cluster by). */
export function normalizeRows(rows: Float32Array, dim: number): Float32Array {
  for (let base = 0; base < rows.length; base += dim) {
    let s = 0;
    for (let j = 0; j < dim; j++) s += rows[base + j]! * rows[base + j]!;
    if (s === 0) continue;
    const inv = 1 / Math.sqrt(s);
    for (let j = 0; j < dim; j++) rows[base + j] = rows[base + j]! * inv;
  }
  return rows;
}
