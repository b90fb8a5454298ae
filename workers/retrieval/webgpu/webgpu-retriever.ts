/**
 * The webgpu backend: the shards' items dequantised to one float32 matrix, uploaded once and
 * resident on the GPU as long as the retriever lives; a search is one matMul and one readback
 * (score-top-k.ts), the top k taken on the GPU or the CPU (RETRIEVAL_DEFAULTS.webgpuTopK).
 *
 * Duplicates are left out of the matrix altogether (fewer rows, no mask per query); `rowFlat`
 * maps a matrix row back to its flat index in the ShardSet, in increasing order, so a tie to the
 * lower row is a tie to the lower flat index, as on the other backends. The matrix holds
 * itemVector(), i.e. scale·v + centroid, so a residual shard needs no per-shard bias: one matMul.
 */
import type { Tensor2D } from '@tensorflow/tfjs-core';
import type { Shard } from '../../../src/core/shard/index.ts';
import { itemVector } from '../../../src/core/shard/index.ts';
import { topK } from '../../../src/core/vectors/index.ts';
import { RETRIEVAL_DEFAULTS } from '../defaults.ts';
import { BackendUnavailableError, RetrievalError } from '../errors.ts';
import { checkSearchArgs, createShardSet, type ShardSet } from '../shard-set.ts';
import { toResult } from '../select-top-k.ts';
import type { ExcludeFn, Retriever, SearchResult } from '../types.ts';
import { scoreAll, scoreTopK } from './score-top-k.ts';
import { ensureWebGpuBackend, loadTfWebGpu, maxBufferBytes, type Tf } from './tfjs-webgpu.ts';

export interface WebGpuRetrieverOptions {
  /** Where the top k is taken; default RETRIEVAL_DEFAULTS.webgpuTopK. */
  topK?: 'gpu' | 'cpu';
}

/** The resident matrix and how its rows map back to the shard set. */
interface GpuIndex {
  tf: Tf;
  set: ShardSet;
  matrix: Tensor2D;
  rows: number;
  rowFlat: Uint32Array;
}

export async function createWebGpuRetriever(shards: readonly Shard[], options: WebGpuRetrieverOptions = {}): Promise<Retriever> {
  const set = createShardSet(shards);
  const mode = options.topK ?? RETRIEVAL_DEFAULTS.webgpuTopK;
  const tf = await loadTfWebGpu();
  const rows = set.count - set.duplicates;
  const bytes = rows * set.dim * 4;
  const limit = maxBufferBytes(tf);
  if (bytes > limit) {
    const mib = (n: number) => (n / 2 ** 20).toFixed(1);
    const what = `${rows}×${set.dim} float32 is ${mib(bytes)} MiB`;
    throw new BackendUnavailableError('webgpu', `${what}, over this GPU's ${mib(limit)} MiB buffer limit`);
  }
  const { values, rowFlat } = denseRows(set, rows);
  let index: GpuIndex | null = null;
  if (rows > 0) {
    index = { tf, set, matrix: tf.tensor2d(values, [rows, set.dim]), rows, rowFlat };
    // Uploads the matrix (tfjs then drops its CPU copy) and compiles the shaders now, so the
    // first real query pays neither.
    await searchRows(index, mode, new Float32Array(set.dim), 1);
  }
  let disposed = false;

  const retriever: Retriever = {
    backend: 'webgpu',
    count: set.count,
    dim: set.dim,
    async search(query: Float32Array, k: number, exclude?: ExcludeFn): Promise<SearchResult> {
      if (disposed) throw new RetrievalError('search() on a disposed webgpu retriever');
      checkSearchArgs(set, query, k);
      // Held locally: a dispose() during this search must not swap the matrix under it.
      const ix = index;
      if (ix === null || k === 0) return toResult(set, [], []);
      await ensureWebGpuBackend(tf);
      const top = await searchRows(ix, mode, query, k, exclude);
      return toResult(set, top.flat, top.scores);
    },
    dispose() {
      disposed = true;
      index?.matrix.dispose();
      index = null;
    },
  };
  return Object.freeze(retriever);
}

/** The k best non-excluded rows as flat indices, best first. */
async function searchRows(
  ix: GpuIndex,
  mode: 'gpu' | 'cpu',
  query: Float32Array,
  k: number,
  exclude?: ExcludeFn,
): Promise<{ flat: ArrayLike<number>; scores: ArrayLike<number> }> {
  const { set, rowFlat } = ix;
  const excludeRow =
    exclude &&
    ((row: number) => {
      const f = rowFlat[row]!;
      const s = set.shardOf(f);
      return exclude(s, f - set.offsets[s]!);
    });
  if (mode === 'cpu') {
    const scores = await readback(scoreAll(ix.tf, ix.matrix, query));
    const top = excludeRow ? topK(scores, k, { exclude: excludeRow }) : topK(scores, k);
    return { flat: top.indices.map((row) => rowFlat[row]!), scores: top.scores };
  }
  // The GPU's top k cannot call `exclude`: ask for more, filter here, and ask again for more
  // still in the rare case the filter leaves fewer than k (RETRIEVAL_DEFAULTS).
  let want = Math.min(ix.rows, excludeRow ? k * (1 + RETRIEVAL_DEFAULTS.webgpuExcludeOverfetch) : k);
  for (;;) {
    const data = await readback(scoreTopK(ix.tf, ix.matrix, query, want));
    const flat: number[] = [];
    const scores: number[] = [];
    for (let r = 0; r < want && flat.length < k; r++) {
      const row = data[want + r]!;
      if (excludeRow?.(row)) continue;
      flat.push(rowFlat[row]!);
      scores.push(data[r]!);
    }
    if (flat.length === k || want === ix.rows) return { flat, scores };
    want = Math.min(ix.rows, want * RETRIEVAL_DEFAULTS.webgpuExcludeGrowth);
  }
}

/** The one readback of a search; the tensor is disposed whatever happens. */
async function readback(t: Tensor2D): Promise<Float32Array> {
  try {
    return (await t.data()) as Float32Array;
  } catch (cause) {
    throw new RetrievalError('the WebGPU search failed', { cause });
  } finally {
    t.dispose();
  }
}

/** The non-duplicate items as float32 rows (itemVector: the reference dequantisation). */
function denseRows(set: ShardSet, rows: number): { values: Float32Array; rowFlat: Uint32Array } {
  const dim = set.dim;
  const values = new Float32Array(rows * dim);
  const rowFlat = new Uint32Array(rows);
  let row = 0;
  set.shards.forEach((shard, s) => {
    const base = set.offsets[s]!;
    for (let i = 0; i < shard.count; i++) {
      if (set.duplicate[base + i] === 1) continue;
      itemVector(shard, i, values.subarray(row * dim, (row + 1) * dim));
      rowFlat[row++] = base + i;
    }
  });
  return { values, rowFlat };
}
