/**
 * Retrieval from an item-item model (EASE), shipped in the two-tower format the device already
 * runs. EASE scores a user's item j as Σᵢ wᵢ B[i, j] over the history items i; a rank-d
 * factorisation B ≈ Q (QᵀB) turns that into a dot product:
 *
 *   user vector = normalise(Σᵢ wᵢ Q[i])   — the user tower: a weighted pool of the item id table
 *   item vector = (QᵀB)ᵀ[j]                — the shard's item vector (its norm carries weight)
 *
 * so retrieval on the device is EASE with recency weights (the history feature's weighting),
 * at the cost of one 64-dim table. Normalising the user vector only rescales each user's
 * scores, so the order is EASE's; the ranker gets the score on a scale comparable across users.
 *
 * Q spans the top-d left singular vectors of B, found by subspace iteration (a few products
 * with B and Bᵀ, Gram-Schmidt between them), deterministic in the seed.
 */
import * as tf from '@tensorflow/tfjs-core';
import { encodeCategorical, type FeatureSpec } from '../../core/features/index.ts';
import type { ItemItemMatrix } from '../baselines/index.ts';
import { createRng } from '../data/prng.ts';
import { ensureTrainingBackend } from './backend.ts';
import { TrainConfigError } from './errors.ts';
import { initTwoTower, type TwoTowerParams } from './two-tower.ts';

/** Length of the user tower's bias (see itemItemRetrieval). */
const RETRIEVAL_BIAS = 1e-4;

export interface Factors {
  /** [n × d] row-major: orthonormal columns, row r for matrix row r. */
  q: Float32Array;
  /** [n × d]: (Qᵀ B)ᵀ, row r for matrix column r. */
  v: Float32Array;
  dim: number;
}

/**
 * Rank-`dim` factors of the matrix's weights (B ≈ Q Vᵀ). The products with B are float32 matMuls
 * on the training backend (XNNPACK: about 100× the plain loops they replace, 60 s of a 3,000-item
 * build); the Gram-Schmidt between them stays float64.
 */
export async function factorize(m: ItemItemMatrix, dim: number, seed: number, iterations = 4): Promise<Factors> {
  await ensureTrainingBackend();
  const n = m.items.length;
  const d = Math.min(dim, n);
  const rng = createRng(seed);
  const start = new Float64Array(n * dim);
  for (let i = 0; i < n; i++) for (let c = 0; c < d; c++) start[i * dim + c] = rng.normal();
  const b = tf.tensor2d(m.weights, [n, n]);
  try {
    // Z = B·X (transpose: Bᵀ·X), X and Z [n × dim].
    const times = (x: Float64Array, transpose: boolean): Float64Array<ArrayBuffer> => {
      const z = tf.tidy(() => tf.matMul(b, tf.tensor2d(Float32Array.from(x), [n, dim]), transpose, false));
      const out = Float64Array.from(z.dataSync());
      z.dispose();
      return out;
    };
    let y = orthonormalize(times(start, false), n, dim, d);
    for (let t = 0; t < iterations; t++) y = orthonormalize(times(orthonormalize(times(y, true), n, dim, d), false), n, dim, d);
    const v = times(y, true);
    return { q: Float32Array.from(y), v: Float32Array.from(v), dim };
  } finally {
    b.dispose();
  }
}

/** Modified Gram-Schmidt on the first d columns of x [n × stride], in place. */
function orthonormalize(x: Float64Array<ArrayBuffer>, n: number, stride: number, d: number): Float64Array<ArrayBuffer> {
  for (let c = 0; c < d; c++) {
    for (let p = 0; p < c; p++) {
      let dot = 0;
      for (let i = 0; i < n; i++) dot += x[i * stride + c]! * x[i * stride + p]!;
      for (let i = 0; i < n; i++) x[i * stride + c]! -= dot * x[i * stride + p]!;
    }
    let s = 0;
    for (let i = 0; i < n; i++) s += x[i * stride + c]! ** 2;
    s = Math.sqrt(s);
    for (let i = 0; i < n; i++) x[i * stride + c] = s > 1e-12 ? x[i * stride + c]! / s : 0;
  }
  return x;
}

export interface ItemItemRetrieval {
  /** The user tower (history pooled from the item id table, identity layer, unit output). */
  tower: TwoTowerParams;
  /** [catalog × dim] item vectors; 0 for items the matrix does not model. */
  itemVectors: Float32Array;
}

/**
 * The retrieval model of a factorised item-item matrix: a two-tower whose user tower reads only
 * `historyFeature` (pooling the item id table = Q) and whose item vectors are V.
 */
export async function itemItemRetrieval(
  spec: FeatureSpec,
  catalog: readonly string[],
  m: ItemItemMatrix,
  f: Factors,
  o: { historyFeature: string; itemIdFeature: string; seed: number },
): Promise<ItemItemRetrieval> {
  const id = spec.features.find((x) => x.name === o.itemIdFeature);
  if (!id || id.kind !== 'categorical') throw new TrainConfigError('itemIdFeature', `must name a categorical feature, got "${o.itemIdFeature}"`);
  const dim = f.dim;
  const tower = await initTwoTower(
    {
      spec,
      userFeatures: [o.historyFeature],
      itemFeatures: [o.itemIdFeature],
      itemIdFeature: o.itemIdFeature,
      embeddingDims: { [o.itemIdFeature]: dim },
      userLayers: [],
      itemLayers: [],
      outputDim: dim,
    },
    o.seed,
  );
  const table = tower.tables.get(o.itemIdFeature)!;
  const rows = table.shape[0]!;
  const values = new Float32Array(rows * dim);
  const itemVectors = new Float32Array(catalog.length * dim);
  for (let r = 0; r < m.items.length; r++) {
    const c = m.items[r]!;
    // A hashed vocabulary may put two items in one row: their factors add, as their votes would.
    const row = encodeCategorical(id, catalog[c]!, spec.hashSeed);
    for (let k = 0; k < dim; k++) values[row * dim + k]! += f.q[r * dim + k]!;
    itemVectors.set(f.v.subarray(r * dim, (r + 1) * dim), c * dim);
  }
  table.assign(tf.tensor2d(values, [rows, dim]));
  // A faint bias towards every item's votes at once (Σ Q rows: what the catalogue as a whole
  // votes for, popularity in effect): an empty history still gets a unit vector, a popular one,
  // while a real history (pooled rows of norm ~√(d/n)) outweighs it ~1000 to 1.
  const bias = new Float32Array(dim);
  for (let r = 0; r < m.items.length; r++) for (let k = 0; k < dim; k++) bias[k]! += f.q[r * dim + k]!;
  let norm = 0;
  for (const x of bias) norm += x * x;
  norm = Math.sqrt(norm);
  const scale = norm > 0 ? RETRIEVAL_BIAS / norm : 0;
  for (let k = 0; k < dim; k++) bias[k]! *= scale;
  const layer = tower.user[0]!;
  layer.W.assign(tf.eye(dim));
  layer.b.assign(tf.tensor1d(bias));
  return { tower, itemVectors };
}
