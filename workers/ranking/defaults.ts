/**
 * Tunables of the ranking runtime, in one place (STYLE.md rule 8). Changing one here changes it
 * for every model runner.
 */
import type { RankingProvider } from '../../src/core/feed/index.ts';

export const RANKING_DEFAULTS = Object.freeze({
  /**
   * Execution providers tried in order. WebGPU first: on a real GPU it wins on large batches;
   * WASM is the fallback nearly every browser has; plain JS where WebAssembly is blocked.
   */
  providers: Object.freeze(['webgpu', 'wasm', 'js'] as const) satisfies readonly RankingProvider[],
  /**
   * WASM threads when the page is cross-origin isolated (threads need SharedArrayBuffer).
   * Two, not hardwareConcurrency: the ranker's batches (~500 rows) are too small to pay for more
   * pthread workers, and the page's main thread and the retrieval stage need cores too.
   */
  threads: 2,
});
