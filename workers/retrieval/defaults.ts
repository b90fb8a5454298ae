/**
 * Tunables of the retrieval stage, in one place (STYLE.md rule 8).
 */
import { RETRIEVAL_BACKENDS, type RetrievalBackend } from '../../src/core/feed/index.ts';

export const RETRIEVAL_DEFAULTS = Object.freeze({
  /**
   * Backends `auto` tries, in order of preference; on equal calibration times the earlier wins.
   * WebGPU first: on a real GPU a large shard set scores fastest there; but a GPU round trip costs
   * a millisecond or more, so the calibration decides, not the order alone.
   */
  order: RETRIEVAL_BACKENDS satisfies readonly RetrievalBackend[],
  /** Timed searches per backend in `auto`'s calibration (the median counts), after warm-up. */
  calibrationRuns: 3,
  /**
   * Untimed searches first: shader compilation, the first upload and V8's optimising tiers are
   * not per-query costs. One was not enough: js and wasm share topK, and with one warm-up the
   * backend calibrated second ran it already optimised and looked faster than it was.
   */
  calibrationWarmup: 3,
  /** k of the calibration searches: the feed asks for ~500 candidates, ranking takes them all. */
  calibrationK: 500,
  /**
   * Where the WebGPU backend takes the top k. 'gpu': tf.topk on the GPU, k values and indices
   * read back, ~100 small dispatches (bitonic passes) for k = 500 over 16k rows. 'cpu': every
   * score read back (4 bytes a row) and src/core topK on the CPU, one dispatch. Both are one
   * readback per query and give the same results; which is faster depends on the GPU's dispatch
   * cost and readback latency, which SwiftShader (the only WebGPU on the test machine) cannot
   * tell. Measure on real devices before changing.
   */
  webgpuTopK: 'gpu' as 'gpu' | 'cpu',
  /**
   * WebGPU with an `exclude` predicate: the GPU's top k cannot call it, so the GPU returns
   * k·(1 + overfetch) candidates and the predicate filters them on the CPU. When it leaves fewer
   * than k, the search runs again asking `growth` times as many (a second readback; rare when
   * the excluded items are a small part of the top).
   */
  webgpuExcludeOverfetch: 1,
  webgpuExcludeGrowth: 4,
});
