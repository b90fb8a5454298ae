import { describe, expect, it } from 'vitest';
import { createRng } from '../../../src/pipeline/data/index.ts';
import { chooseClusterCount } from '../../../src/pipeline/release/cluster-count.ts';
import { KMeansError } from '../../../src/pipeline/release/errors.ts';
import { kmeans } from '../../../src/pipeline/release/kmeans.ts';

/** `blobs` Gaussian blobs of `per` points in `dim` dimensions, centres ~N(0, spread²), points ~N(centre, sigma²). */
function gaussianBlobs(blobs: number, per: number, dim: number, spread: number, sigma: number, seed: number, unit = false) {
  const rng = createRng(seed);
  const centres = Float32Array.from({ length: blobs * dim }, () => spread * rng.normal());
  const n = blobs * per;
  const vectors = new Float32Array(n * dim);
  const labels = new Uint32Array(n);
  // Interleaved, so no blob is a contiguous range that an order-dependent bug could recover.
  for (let i = 0; i < n; i++) {
    const b = i % blobs;
    labels[i] = b;
    let ss = 0;
    for (let j = 0; j < dim; j++) {
      const x = centres[b * dim + j]! + sigma * rng.normal();
      vectors[i * dim + j] = x;
      ss += x * x;
    }
    if (unit) for (let j = 0; j < dim; j++) vectors[i * dim + j] = vectors[i * dim + j]! / Math.sqrt(ss);
  }
  return { vectors, labels, n };
}

/**
 * Purity both ways, so neither "one cluster per point" nor "everything in one cluster" scores well:
 * the share of points whose cluster's majority label is theirs, and the share whose label's
 * majority cluster is theirs; the smaller of the two.
 */
function purity(assignment: Uint32Array, labels: Uint32Array, k: number, classes: number): number {
  const counts = new Uint32Array(k * classes);
  for (let i = 0; i < labels.length; i++) counts[assignment[i]! * classes + labels[i]!]!++;
  let byCluster = 0;
  for (let c = 0; c < k; c++) byCluster += Math.max(...counts.subarray(c * classes, (c + 1) * classes));
  let byLabel = 0;
  for (let l = 0; l < classes; l++) byLabel += Math.max(...Array.from({ length: k }, (_, c) => counts[c * classes + l]!));
  return Math.min(byCluster, byLabel) / labels.length;
}

describe('kmeans', () => {
  it('recovers well-separated Gaussian blobs (euclidean)', () => {
    const { vectors, labels, n } = gaussianBlobs(8, 250, 16, 4, 0.5, 1);
    const r = kmeans(vectors, 16, 8, { seed: 7, metric: 'euclidean' });
    expect(purity(r.assignment, labels, 8, 8)).toBeGreaterThanOrEqual(0.99);
    expect(Array.from(r.sizes).reduce((a, b) => a + b)).toBe(n);
    expect(r.trainedOn).toBe(n); // under minTrainPoints: Lloyd on every point
  });

  it('recovers blobs on the sphere (cosine), with unit centroids, training on a sample', () => {
    const { vectors, labels, n } = gaussianBlobs(12, 300, 32, 1, 0.08, 2, true);
    const r = kmeans(vectors, 32, 12, { seed: 3, metric: 'cosine', maxPointsPerCluster: 20, minTrainPoints: 1 });
    expect(r.trainedOn).toBe(240);
    expect(purity(r.assignment, labels, 12, 12)).toBeGreaterThanOrEqual(0.99);
    for (let c = 0; c < 12; c++) {
      let ss = 0;
      for (let j = 0; j < 32; j++) ss += r.centroids[c * 32 + j]! ** 2;
      expect(Math.sqrt(ss)).toBeCloseTo(1, 5);
    }
    // Every point sits at its nearest centroid (by dot product, the device's routing rule).
    for (let i = 0; i < n; i += 37) {
      const dots = Array.from({ length: 12 }, (_, c) => {
        let s = 0;
        for (let j = 0; j < 32; j++) s += vectors[i * 32 + j]! * r.centroids[c * 32 + j]!;
        return s;
      });
      expect(r.assignment[i]).toBe(dots.indexOf(Math.max(...dots)));
    }
    // inertia is Σ ||x - c||² of the unit points: 2 - 2 cos, small for tight blobs.
    expect(r.inertia / n).toBeGreaterThan(0);
    expect(r.inertia / n).toBeLessThan(0.3);
  });

  it('is deterministic for a seed', () => {
    const { vectors } = gaussianBlobs(5, 200, 8, 1, 1, 4); // overlapping: many valid answers
    const a = kmeans(vectors, 8, 6, { seed: 11 });
    const b = kmeans(vectors, 8, 6, { seed: 11 });
    expect(b.centroids).toEqual(a.centroids);
    expect(b.assignment).toEqual(a.assignment);
    expect(b.inertia).toBe(a.inertia);
    const c = kmeans(vectors, 8, 6, { seed: 12 });
    expect(c.centroids).not.toEqual(a.centroids);
  });

  it('lowers the inertia with more iterations and stops on its own', () => {
    const { vectors } = gaussianBlobs(20, 100, 8, 1, 1, 5);
    const one = kmeans(vectors, 8, 20, { seed: 1, iterations: 1 });
    const many = kmeans(vectors, 8, 20, { seed: 1, iterations: 100, tolerance: 0 });
    expect(one.iterations).toBe(1);
    expect(many.inertia).toBeLessThan(one.inertia);
    expect(many.iterations).toBeLessThan(100); // converged: no point moved
  });

  it('refuses k > n with a KMeansError naming k, and gives every point its own cluster at k = n', () => {
    const v = Float32Array.from([0, 0, 1, 0, 0, 1, 5, 5]);
    let err: unknown;
    try {
      kmeans(v, 2, 5, { seed: 1 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(KMeansError);
    expect((err as KMeansError).name).toBe('KMeansError');
    expect((err as KMeansError).field).toBe('k');
    expect((err as KMeansError).message).toMatch(/k: must be an integer in \[1, 4\] \(the number of points\), got 5/);
    const r = kmeans(v, 2, 4, { seed: 1 });
    expect(new Set(r.assignment).size).toBe(4);
    expect(r.inertia).toBe(0);
    expect(() => kmeans(v, 2, 0, { seed: 1 })).toThrow(/k: must be an integer/);
    expect(() => kmeans(v, 3, 1, { seed: 1 })).toThrow(/vectors: length 8 is not a multiple of dim 3/);
    expect(() => kmeans(Float32Array.from([0, NaN]), 1, 1, { seed: 1 })).toThrow(/vectors\[1\]: NaN is not finite/);
    expect(() => kmeans(v, 2, 2, { seed: 1, metric: 'manhattan' as 'cosine' })).toThrow(/allowed: euclidean, cosine/);
  });

  it('copes with fewer distinct points than k: every point on its own location, some clusters may stay empty', () => {
    const v = new Float32Array(20).fill(1); // 5 points at (1, 1) ...
    for (let i = 10; i < 20; i++) v[i] = 3; // ... and 5 at (3, 3)
    // Lloyd on all points (empty clusters are re-seeded with duplicates), then on a sample of 4.
    for (const o of [{}, { maxPointsPerCluster: 1, minTrainPoints: 1 }]) {
      const r = kmeans(v, 2, 4, { seed: 2, ...o });
      expect(Array.from(r.sizes).reduce((a, b) => a + b)).toBe(10);
      expect(r.inertia).toBe(0);
      for (let i = 0; i < 10; i++) expect(r.centroids[r.assignment[i]! * 2]).toBe(v[i * 2]);
    }
  });
});

describe('chooseClusterCount', () => {
  it('gives clusters of a few hundred to a few thousand items', () => {
    const cases: [number, number][] = [
      [1, 1],
      [150, 1],
      [2000, 10],
      [100_000, 224],
      [1_000_000, 707],
      [10_000_000, 2500],
    ];
    for (const [n, k] of cases) expect([n, chooseClusterCount(n)]).toEqual([n, k]);
    expect(() => chooseClusterCount(0)).toThrow(/items: need at least one item/);
  });
});
