/**
 * k-means for the IVF partition of a release: k-means++ seeding, Lloyd iterations on a random
 * sample, then one exact assignment of every point. Deterministic: the same vectors, k and seed
 * give the same centroids and assignment on every machine (one seeded PRNG, fixed loop orders,
 * ties to the lowest index).
 */
import { createRng, type Rng } from '../data/index.ts';
import { KMEANS_DEFAULTS } from './defaults.ts';
import { KMeansError } from './errors.ts';
import { assignPoints, rowSquaredNorms } from './kmeans-assign.ts';
import { lloyd, normalizeRows } from './kmeans-lloyd.ts';
import { seedCentroids } from './kmeans-seed.ts';

export type KMeansMetric = 'euclidean' | 'cosine';
export const KMEANS_METRICS: readonly KMeansMetric[] = Object.freeze(['euclidean', 'cosine']);

export interface KMeansOptions {
  seed: number;
  /** Most Lloyd iterations (default KMEANS_DEFAULTS.iterations). */
  iterations?: number;
  /** Stop when one iteration improves the inertia by less than this share of it. */
  tolerance?: number;
  metric?: KMeansMetric;
  /** Train on at most k × this many points, and at least minTrainPoints; Infinity trains on all of them. */
  maxPointsPerCluster?: number;
  minTrainPoints?: number;
  /** Candidates per k-means++ step; 1 is plain k-means++ (default 2 + floor(ln k)). */
  seedTrials?: number;
}

export interface KMeansResult {
  /** k × dim, row-major; unit length with the cosine metric. */
  centroids: Float32Array;
  /** Cluster of each point, in [0, k). */
  assignment: Uint32Array;
  /**
   * Σ ||x - c||² over all points. With the cosine metric x is the normalised point, so this is
   * Σ (2 - 2 cos(x, c)).
   */
  inertia: number;
  /**
   * Points per cluster. Empty clusters are re-seeded during training, so one can end empty only
   * when there are fewer distinct points than k (callers drop it; the release writer does).
   */
  sizes: Uint32Array;
  /** Lloyd iterations run. */
  iterations: number;
  /** Points Lloyd trained on (all of them, or the sample). */
  trainedOn: number;
}

/**
 * Clusters `vectors` (n × dim, row-major) into k clusters. k must be in [1, n]: asking for more
 * clusters than points is a caller's bug, so it throws KMeansError instead of quietly returning
 * fewer (chooseClusterCount never asks for more than n).
 */
export function kmeans(vectors: Float32Array, dim: number, k: number, options: KMeansOptions): KMeansResult {
  const o = checkOptions(vectors, dim, k, options);
  const n = vectors.length / dim;
  const points = o.metric === 'cosine' ? normalizedCopy(vectors, dim) : vectors;
  const norms = rowSquaredNorms(points, dim);
  const rng = createRng(o.seed);

  const sampleSize = Math.min(n, Math.max(k, o.minTrainPoints, Math.floor(k * o.maxPointsPerCluster)));
  const sample = sampleSize < n ? sampleRows(points, dim, sampleSize, rng) : points;
  const sampleNorms = sample === points ? norms : rowSquaredNorms(sample, dim);

  const seedSize = Math.min(sampleNorms.length, Math.max(k, KMEANS_DEFAULTS.minSeedPoints, k * KMEANS_DEFAULTS.seedPointsPerCluster));
  const seedFrom = seedSize < sampleNorms.length ? sampleRows(sample, dim, seedSize, rng) : sample;
  const seedNorms = seedFrom === sample ? sampleNorms : rowSquaredNorms(seedFrom, dim);
  const centroids = seedCentroids(seedFrom, seedNorms, dim, k, rng, o.seedTrials);
  if (o.metric === 'cosine') normalizeRows(centroids, dim);
  const trained = lloyd(sample, sampleNorms, dim, centroids, {
    iterations: o.iterations,
    tolerance: o.tolerance,
    unitCentroids: o.metric === 'cosine',
  });

  let { assignment, inertia } = trained;
  if (sample !== points) {
    // Every point, sampled or not, goes to its exact nearest trained centroid.
    assignment = new Uint32Array(n);
    inertia = assignPoints(points, norms, dim, centroids, assignment, new Float64Array(n)).inertia;
  }
  const sizes = new Uint32Array(k);
  for (let i = 0; i < n; i++) sizes[assignment[i]!]!++;
  return { centroids, assignment, inertia, sizes, iterations: trained.iterations, trainedOn: sampleNorms.length };
}

/** `size` distinct rows drawn uniformly (partial Fisher-Yates), kept in their original order. */
function sampleRows(points: Float32Array, dim: number, size: number, rng: Rng): Float32Array {
  const n = points.length / dim;
  const idx = new Uint32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  for (let i = 0; i < size; i++) {
    const j = i + rng.int(n - i);
    const t = idx[i]!;
    idx[i] = idx[j]!;
    idx[j] = t;
  }
  const chosen = idx.subarray(0, size).sort();
  const out = new Float32Array(size * dim);
  for (let i = 0; i < size; i++) out.set(points.subarray(chosen[i]! * dim, chosen[i]! * dim + dim), i * dim);
  return out;
}

function normalizedCopy(vectors: Float32Array, dim: number): Float32Array {
  return normalizeRows(new Float32Array(vectors), dim);
}

interface CheckedOptions {
  seed: number;
  iterations: number;
  tolerance: number;
  metric: KMeansMetric;
  maxPointsPerCluster: number;
  minTrainPoints: number;
  seedTrials: number;
}

function checkOptions(vectors: Float32Array, dim: number, k: number, options: KMeansOptions): CheckedOptions {
  if (!(vectors instanceof Float32Array)) throw new KMeansError('vectors', 'expected a Float32Array (n × dim, row-major)');
  if (!Number.isInteger(dim) || dim < 1) throw new KMeansError('dim', `must be a positive integer, got ${String(dim)}`);
  if (vectors.length % dim !== 0) {
    throw new KMeansError('vectors', `length ${vectors.length} is not a multiple of dim ${dim}`);
  }
  const n = vectors.length / dim;
  if (n === 0) throw new KMeansError('vectors', 'no points to cluster');
  if (!Number.isInteger(k) || k < 1 || k > n) {
    throw new KMeansError('k', `must be an integer in [1, ${n}] (the number of points), got ${String(k)}`);
  }
  for (let i = 0; i < vectors.length; i++) {
    if (!Number.isFinite(vectors[i]!)) {
      throw new KMeansError(`vectors[${i}]`, `${vectors[i]} is not finite (point ${Math.floor(i / dim)})`);
    }
  }
  const o = options ?? ({} as KMeansOptions);
  if (!Number.isInteger(o.seed)) throw new KMeansError('seed', `must be an integer, got ${String(o.seed)}`);
  const iterations = o.iterations ?? KMEANS_DEFAULTS.iterations;
  if (!Number.isInteger(iterations) || iterations < 1) {
    throw new KMeansError('iterations', `must be a positive integer, got ${String(iterations)}`);
  }
  const tolerance = o.tolerance ?? KMEANS_DEFAULTS.tolerance;
  if (!(tolerance >= 0)) throw new KMeansError('tolerance', `must be ≥ 0, got ${String(tolerance)}`);
  const metric = o.metric ?? KMEANS_DEFAULTS.metric;
  if (!KMEANS_METRICS.includes(metric)) {
    throw new KMeansError('metric', `unknown metric "${String(metric)}"; allowed: ${KMEANS_METRICS.join(', ')}`);
  }
  const maxPointsPerCluster = o.maxPointsPerCluster ?? KMEANS_DEFAULTS.maxPointsPerCluster;
  if (!(maxPointsPerCluster >= 1)) {
    throw new KMeansError('maxPointsPerCluster', `must be ≥ 1 (or Infinity), got ${String(maxPointsPerCluster)}`);
  }
  const minTrainPoints = o.minTrainPoints ?? KMEANS_DEFAULTS.minTrainPoints;
  if (!Number.isInteger(minTrainPoints) || minTrainPoints < 1) {
    throw new KMeansError('minTrainPoints', `must be a positive integer, got ${String(minTrainPoints)}`);
  }
  const seedTrials = o.seedTrials ?? KMEANS_DEFAULTS.seedTrials(k);
  if (!Number.isInteger(seedTrials) || seedTrials < 1) {
    throw new KMeansError('seedTrials', `must be a positive integer, got ${String(seedTrials)}`);
  }
  return { seed: o.seed, iterations, tolerance, metric, maxPointsPerCluster, minTrainPoints, seedTrials };
}
