import { scoreRowsF32, topK } from '../../src/core/vectors/index.ts';
import { quantizeRowsInt8 } from '../../src/core/vectors/quantize.ts';
import { scoreRowsInt8 } from '../../src/core/vectors/score.ts';

// Seeded vector data and the int8-recall measurement, shared by test/unit/core/vectors.test.ts and
// test/bench/vectors.ts, so the unit test asserts exactly the figure the benchmark reports.

import { mulberry32 } from '../../src/core/random.ts';

export { mulberry32 };

/** Standard normal by Box-Muller (one of the pair; simplicity over speed). */
export function gaussian(rand: () => number): number {
  let u = 0;
  while (u === 0) u = rand();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

export function gaussianRows(rows: number, dim: number, rand: () => number): Float32Array {
  const out = new Float32Array(rows * dim);
  for (let i = 0; i < out.length; i++) out[i] = gaussian(rand);
  return out;
}

export interface ClusteredData {
  data: Float32Array;
  centres: Float32Array;
  /** Cluster of each row. */
  cluster: Uint32Array;
  queries: Float32Array[];
}

/**
 * `clusters` centres ~ N(0, I); each row is a centre plus N(0, spread² I); queries are centres
 * plus the same noise. Small spread makes many near-ties inside a cluster: the hard case for
 * int8, whose error is relative to the whole vector, not to the spread.
 */
export function clusteredData(o: {
  rows: number;
  dim: number;
  clusters: number;
  spread: number;
  queries: number;
  seed: number;
}): ClusteredData {
  const rand = mulberry32(o.seed);
  const centres = gaussianRows(o.clusters, o.dim, rand);
  const data = new Float32Array(o.rows * o.dim);
  const cluster = new Uint32Array(o.rows);
  for (let i = 0; i < o.rows; i++) {
    const c = i % o.clusters;
    cluster[i] = c;
    for (let j = 0; j < o.dim; j++) data[i * o.dim + j] = centres[c * o.dim + j]! + o.spread * gaussian(rand);
  }
  const queries: Float32Array[] = [];
  for (let q = 0; q < o.queries; q++) {
    const c = Math.floor(rand() * o.clusters);
    const v = new Float32Array(o.dim);
    for (let j = 0; j < o.dim; j++) v[j] = centres[c * o.dim + j]! + o.spread * gaussian(rand);
    queries.push(v);
  }
  return { data, centres, cluster, queries };
}

/** |A ∩ B| / k over all queries, A = exact float32 top k, B = top k by `approx`. */
function recallAgainstExact(
  data: Float32Array,
  dim: number,
  queries: readonly Float32Array[],
  k: number,
  approx: (q: Float32Array) => ArrayLike<number>,
): number {
  let hits = 0;
  const exactScores = new Float32Array(data.length / dim);
  for (const q of queries) {
    const exact = new Set(topK(scoreRowsF32(q, data, dim, exactScores), k).indices);
    for (const i of topK(approx(q), k).indices) if (exact.has(i)) hits++;
  }
  return hits / (k * queries.length);
}

/** Recall@k of top k by scoreRowsInt8 (per-row int8) against exact float32 top k. */
export function int8Recall(data: Float32Array, dim: number, queries: readonly Float32Array[], k: number): number {
  const q8 = quantizeRowsInt8(data, dim);
  const scores = new Float32Array(q8.rows);
  return recallAgainstExact(data, dim, queries, k, (q) => scoreRowsInt8(q, q8.values, q8.scales, dim, scores));
}

/**
 * The same, quantising each row's residual from its cluster centre (IVF-style) and adding
 * q · centre back: the int8 error then scales with the spread, not with the whole vector.
 */
export function residualInt8Recall(d: ClusteredData, dim: number, k: number): number {
  const rows = d.cluster.length;
  const residual = new Float32Array(d.data.length);
  for (let i = 0; i < rows; i++) {
    const c = d.cluster[i]!;
    for (let j = 0; j < dim; j++) residual[i * dim + j] = d.data[i * dim + j]! - d.centres[c * dim + j]!;
  }
  const q8 = quantizeRowsInt8(residual, dim);
  const partial = new Float32Array(rows);
  const scores = new Float64Array(rows);
  return recallAgainstExact(d.data, dim, d.queries, k, (q) => {
    const base = scoreRowsF32(q, d.centres, dim);
    scoreRowsInt8(q, q8.values, q8.scales, dim, partial);
    for (let i = 0; i < rows; i++) scores[i] = base[d.cluster[i]!]! + partial[i]!;
    return scores;
  });
}
