/**
 * The JSON the benchmark pages (test/bench/browser/) write and the Node suites (peers.ts,
 * ranking.ts) read: one definition for both sides. Plain types, no DOM and no Node, so both
 * type-check configs take it.
 */

export interface Timing {
  p50: number;
  p95: number;
}

/** A retrieval peer's outcome in the page (hnswlib-wasm, voy-search). */
export type PeerResult =
  | {
      ok: true;
      settings: string;
      ladder: { setting: string; recall: number }[];
      recall: number;
      buildMs: number;
      dequantiseMs: number;
      firstAnswerMs: number;
      query: Timing;
      memoryBytes: number;
      memoryNote: string;
      loadMs: number;
    }
  | { ok: false; error: string };

/** One ranking runtime configuration's outcome. */
export interface RankingRun {
  runtime: string;
  ok: boolean;
  error?: string;
  backend?: string;
  threads?: number;
  createMs?: number;
  p50?: number;
  p95?: number;
  runs?: number;
  /** Largest |Δ p| against onnxruntime wasm with 1 thread; null for that reference itself. */
  maxAbsDiff?: number | null;
}
