/**
 * The two distance passes k-means is made of, both on the dot-product kernel the device uses for
 * retrieval: ||x - c||² = ||x||² - 2 x·c + ||c||², with x·c from scoreRowsF32. Each point is the
 * query and the k centroids the matrix: the centroids (k × dim floats, 57 KB for 224 × 64) stay
 * in cache while the points stream past once, which measured faster than the transpose.
 */
import { scoreRowsF32 } from '../../core/vectors/index.ts';

/** Squared norm of each row of a row-major matrix, in float64. */
export function rowSquaredNorms(rows: Float32Array, dim: number): Float64Array {
  const n = rows.length / dim;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    const base = i * dim;
    for (let j = 0; j < dim; j++) s += rows[base + j]! * rows[base + j]!;
    out[i] = s;
  }
  return out;
}

export interface Assigned {
  /** Σ of the squared distances of the points to their centroids. */
  inertia: number;
  /** Points whose centroid differs from the one `assignment` held before. */
  changed: number;
}

/**
 * Assigns every point to its nearest centroid (ties to the lowest index, so the result does not
 * depend on anything but the numbers). Writes `assignment` and `dist` (squared distance, clamped
 * at 0 against rounding) in place.
 */
export function assignPoints(
  points: Float32Array,
  pointNorms: Float64Array,
  dim: number,
  centroids: Float32Array,
  assignment: Uint32Array,
  dist: Float64Array,
): Assigned {
  const n = pointNorms.length;
  const k = centroids.length / dim;
  const centroidNorms = rowSquaredNorms(centroids, dim);
  const scores = new Float32Array(k);
  let inertia = 0;
  let changed = 0;
  for (let i = 0; i < n; i++) {
    scoreRowsF32(points.subarray(i * dim, i * dim + dim), centroids, dim, scores);
    let best = 0;
    let bestD = Infinity;
    for (let j = 0; j < k; j++) {
      // ||x||² is the same for every centroid: compare ||c||² - 2 x·c and add it once.
      const d = centroidNorms[j]! - 2 * scores[j]!;
      if (d < bestD) {
        bestD = d;
        best = j;
      }
    }
    const d = Math.max(0, pointNorms[i]! + bestD);
    if (assignment[i] !== best) changed++;
    assignment[i] = best;
    dist[i] = d;
    inertia += d;
  }
  return { inertia, changed };
}

/**
 * minDist[i] = min(minDist[i], ||x_i - c||²) for one new centroid c (k-means++ seeding); returns
 * the new Σ minDist. With `dryRun` nothing is written: the potential c would give (greedy seeding).
 */
export function lowerToCentroid(
  points: Float32Array,
  pointNorms: Float64Array,
  dim: number,
  centroid: Float32Array,
  minDist: Float64Array,
  scratch: Float32Array,
  dryRun: boolean,
): number {
  const n = pointNorms.length;
  let cn = 0;
  for (let j = 0; j < dim; j++) cn += centroid[j]! * centroid[j]!;
  const dots = scoreRowsF32(centroid, points, dim, scratch);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const d = Math.max(0, pointNorms[i]! - 2 * dots[i]! + cn);
    const m = d < minDist[i]! ? d : minDist[i]!;
    if (!dryRun) minDist[i] = m;
    total += m;
  }
  return total;
}
