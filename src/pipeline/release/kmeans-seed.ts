/**
 * k-means++ seeding (Arthur and Vassilvitskii, 2007): the first centroid is a uniform point, each
 * next one a point drawn with probability ∝ its squared distance to the nearest centroid so far.
 * Spread-out seeds are what keeps Lloyd out of the classic bad optimum (two seeds in one blob,
 * one seed between two). With `trials` > 1 it is greedy k-means++ (as scikit-learn): draw that
 * many candidates per step and keep the one that lowers the potential most.
 */
import type { Rng } from '../data/index.ts';
import { lowerToCentroid } from './kmeans-assign.ts';

export function seedCentroids(
  points: Float32Array,
  pointNorms: Float64Array,
  dim: number,
  k: number,
  rng: Rng,
  trials: number,
): Float32Array {
  const n = pointNorms.length;
  const centroids = new Float32Array(k * dim);
  const minDist = new Float64Array(n).fill(Infinity);
  const scratch = new Float32Array(n);
  const row = (i: number) => points.subarray(i * dim, i * dim + dim);

  const first = rng.int(n);
  centroids.set(row(first), 0);
  let potential = lowerToCentroid(points, pointNorms, dim, row(first), minDist, scratch, false);
  for (let c = 1; c < k; c++) {
    let best = -1;
    let bestPotential = Infinity;
    for (let t = 0; t < trials; t++) {
      const candidate = drawByDistance(minDist, potential, rng);
      // One candidate needs no trial pass: it is taken whatever its potential.
      const p = trials === 1 ? 0 : lowerToCentroid(points, pointNorms, dim, row(candidate), minDist, scratch, true);
      if (p < bestPotential) {
        bestPotential = p;
        best = candidate;
      }
    }
    centroids.set(row(best), c * dim);
    potential = lowerToCentroid(points, pointNorms, dim, row(best), minDist, scratch, false);
  }
  return centroids;
}

/**
 * A point index with probability ∝ minDist. When every point already sits on a centroid (fewer
 * distinct points than k), any point will do: that centroid duplicates one and its cluster stays
 * empty, which callers handle (the release writer drops empty clusters).
 */
function drawByDistance(minDist: Float64Array, total: number, rng: Rng): number {
  const n = minDist.length;
  if (!(total > 0)) return rng.int(n);
  let r = rng.next() * total;
  for (let i = 0; i < n; i++) {
    r -= minDist[i]!;
    if (r < 0 && minDist[i]! > 0) return i;
  }
  // Rounding left r ≥ 0 past the end: the last point with any weight.
  for (let i = n - 1; i >= 0; i--) if (minDist[i]! > 0) return i;
  return rng.int(n);
}
