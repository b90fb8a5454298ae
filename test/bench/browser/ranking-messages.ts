/**
 * What the ranking benchmark page sends its workers and what they answer. Each runtime
 * configuration runs in a worker of its own: onnxruntime-web and tfjs read their global settings
 * (threads, backend) once per JavaScript realm, and the feed runs the ranker in a worker anyway.
 */
import type { FeatureTensor } from '../../../src/core/features/index.ts';
import type { ModelRef } from '../../../src/core/release/index.ts';

export interface RankingJob {
  /** The ranker's ONNX bytes (the bench release's). */
  model: Uint8Array;
  modelRef: ModelRef;
  /** Feature tensors as tensorLayout() names them (what the feed builds). */
  tensors: Record<string, FeatureTensor>;
  provider: 'wasm' | 'webgpu';
  /** Threads asked for (wasm); the reply says what the runtime settled on. */
  threads: number;
  warmup: number;
  runs: number;
  /**
   * The reference p_click (onnxruntime wasm, 1 thread). When given, the worker compares its first
   * output with it and refuses to time a runtime that disagrees by more than `tolerance`.
   */
  reference?: Float32Array;
  tolerance?: number;
}

export type RankingReply =
  | {
      ok: true;
      /** Milliseconds per run over the candidates, sorted ascending. */
      samples: number[];
      /** Session or graph creation, ms. */
      createMs: number;
      /** The first run's p_click. */
      output: Float32Array;
      /** Largest |output - reference| (NaN without a reference). */
      maxAbsDiff: number;
      backend: string;
      threads: number;
    }
  | { ok: false; error: string };

export function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

/** Untimed warm-up calls, then `runs` timed ones; sorted samples in ms. */
export async function timeRuns(fn: () => Promise<unknown>, warmup: number, runs: number): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    samples.push(performance.now() - t0);
  }
  return samples.sort((x, y) => x - y);
}
