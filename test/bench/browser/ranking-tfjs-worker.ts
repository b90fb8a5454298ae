/**
 * Ranking benchmark worker: the same ranker rebuilt in TensorFlow.js from the ONNX file's
 * weights (ranking-tfjs-graph.ts), on tfjs-backend-wasm (1 thread: the SIMD build; more: the
 * threaded SIMD build, cross-origin isolated pages only) or tfjs-backend-webgpu.
 * The wasm binaries are served by this origin (Vite `?url`), never a CDN.
 */
import * as tf from '@tensorflow/tfjs-core';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import plainUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import simdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import threadedUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { readOnnx } from '../../../workers/ranking/js/onnx-reader.ts';
import { buildTfjsGraph } from './ranking-tfjs-graph.ts';
import { maxAbsDiff, timeRuns, type RankingJob, type RankingReply } from './ranking-messages.ts';

addEventListener('message', (e: MessageEvent<RankingJob>) => {
  void run(e.data).then(
    (reply) => postMessage(reply),
    (err: unknown) => postMessage({ ok: false, error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) } satisfies RankingReply),
  );
});

async function run(job: RankingJob): Promise<RankingReply> {
  const t0 = performance.now();
  let threads = 1;
  if (job.provider === 'wasm') {
    const abs = (u: string) => new URL(u, import.meta.url).href;
    setWasmPaths({ 'tfjs-backend-wasm.wasm': abs(plainUrl), 'tfjs-backend-wasm-simd.wasm': abs(simdUrl), 'tfjs-backend-wasm-threaded-simd.wasm': abs(threadedUrl) });
    // One thread: the plain SIMD build, no pthread pool (as onnxruntime with numThreads 1).
    if (job.threads <= 1) tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    else setThreadsCount(job.threads);
    if (!(await tf.setBackend('wasm'))) throw new Error('tfjs could not initialise its wasm backend');
    threads = getThreadsCount();
  } else {
    await import('@tensorflow/tfjs-backend-webgpu');
    if (!(await tf.setBackend('webgpu'))) throw new Error('tfjs could not initialise its webgpu backend (no adapter?)');
  }
  await tf.ready();
  const graph = buildTfjsGraph(readOnnx(job.model));
  const inputs = Object.fromEntries(job.modelRef.inputs.map((b) => [b.name, job.tensors[b.tensor]!]));
  const createMs = performance.now() - t0;
  try {
    const output = await graph.run(inputs);
    const diff = job.reference ? maxAbsDiff(output, job.reference) : NaN;
    if (job.reference && !(diff <= (job.tolerance ?? 0))) {
      return { ok: false, error: `p_click differs from onnxruntime's by ${diff} (> ${job.tolerance}); not timed` };
    }
    const samples = await timeRuns(() => graph.run(inputs), job.warmup, job.runs);
    return { ok: true, samples, createMs, output, maxAbsDiff: diff, backend: `tfjs ${tf.getBackend()}${wasmBinary()}`, threads };
  } finally {
    graph.dispose();
  }
}

/** Which tfjs wasm binary this worker fetched (the flags decide, so the resource list is the witness). */
function wasmBinary(): string {
  const names = performance
    .getEntriesByType('resource')
    .map((e) => /tfjs-backend-wasm[\w-]*\.wasm/.exec(e.name)?.[0])
    .filter((n): n is string => n !== undefined);
  return names.length > 0 ? ` (${names.join(', ')})` : '';
}
