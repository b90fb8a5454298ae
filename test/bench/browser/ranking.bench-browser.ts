// Ranking runtimes in real headless Chromium (cross-origin isolated): the bench release's DCN
// ranker on 500 candidates, in onnxruntime-web (wasm 1 and 2 threads, webgpu) through our own
// runner, and the same graph rebuilt in tfjs (wasm, webgpu) from the ONNX weights, checked
// against onnxruntime within 1e-4 before it is timed. Each configuration in a worker of its own.
// Run by `npm run bench` (test/bench/ranking.ts), which reads test/bench/.results/ranking.json.
import { commands } from 'vitest/browser';
import { inject, it } from 'vitest';
import { buildFeatureTensors, type HistoryEntry } from '../../../src/core/features/index.ts';
import { categoryVocab, shardItemRecord } from '../../../src/core/feed/index.ts';
import { parseManifest, shardArtifacts } from '../../../src/core/release/index.ts';
import { decodeShard } from '../../../src/core/shard/index.ts';
import { rankerRows } from '../../../workers/ranking/ranker-rows.ts';
import type { RankingJob, RankingReply } from './ranking-messages.ts';
import { browserInfo, webGpuInfo } from './ranking-environment.ts';
import type { RankingRun } from '../page-results.ts';

const CANDIDATES = 500;
const TOLERANCE = 1e-4;
const NOW = Date.UTC(2026, 0, 15);
const DAY = 86_400_000;

function quantile(sorted: readonly number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

// Spelled out in each `new Worker(new URL(...))`: that is the form Vite recognises and serves as
// a worker module (and Vitest gives its dynamic-import shim, which onnxruntime's loader needs).
const WORKERS = {
  ort: () => new Worker(new URL('./ranking-ort-worker.ts', import.meta.url), { type: 'module' }),
  tfjs: () => new Worker(new URL('./ranking-tfjs-worker.ts', import.meta.url), { type: 'module' }),
};

function inWorker(kind: keyof typeof WORKERS, job: RankingJob, timeoutMs: number): Promise<RankingReply> {
  const worker = WORKERS[kind]();
  return new Promise<RankingReply>((resolve) => {
    const timer = setTimeout(() => resolve({ ok: false, error: `no answer within ${timeoutMs} ms` }), timeoutMs);
    worker.onmessage = (e: MessageEvent<RankingReply>) => {
      clearTimeout(timer);
      resolve(e.data);
    };
    worker.onerror = (e) => {
      clearTimeout(timer);
      resolve({ ok: false, error: `worker error: ${e.message}` });
    };
    worker.postMessage(job);
  }).finally(() => worker.terminate());
}

it('times the DCN ranker on 500 candidates per runtime', async () => {
  const quick = inject('benchQuick');
  const [warmup, runs] = quick ? [5, 20] : [10, 60];
  const manifestUrl = new URL(inject('benchRelease'), location.href);
  const manifest = parseManifest(await (await fetch(manifestUrl)).json());
  const bytesOf = async (url: string) => new Uint8Array(await (await fetch(new URL(url, manifestUrl))).arrayBuffer());
  const model = await bytesOf(manifest.artifacts.find((a) => a.name === manifest.models.ranker.artifact)!.url);

  // 500 candidates as the feed ranks them: shard item records (the head's, cycled if short)
  // scored against one user's history through the spec's own feature code.
  const head = decodeShard(await bytesOf(shardArtifacts(manifest).head.url));
  const vocab = categoryVocab(manifest.featureSpec);
  const items = Array.from({ length: head.count }, (_, i) => shardItemRecord(head, i, vocab));
  const candidates = Array.from({ length: CANDIDATES }, (_, i) => items[i % items.length]!);
  const types = ['click', 'watch', 'like', 'skip', 'impression'] as const;
  const history: HistoryEntry[] = Array.from({ length: 30 }, (_, j) => ({
    item: items[(j * 37) % items.length]!,
    type: types[j % types.length]!,
    at: NOW - (30 - j) * DAY,
    watchFraction: 0.2 + 0.15 * (j % 5),
  }));
  const tensors = buildFeatureTensors(manifest.featureSpec, rankerRows({ history }, candidates), { now: NOW });

  // SwiftShader takes over a second per run: few of them, or the GPU rows alone would take
  // minutes; --quick leaves them out.
  const [gpuWarmup, gpuRuns] = [2, 8];
  const job = (provider: 'wasm' | 'webgpu', threads: number, reference?: Float32Array): RankingJob => ({
    model,
    modelRef: manifest.models.ranker,
    tensors,
    provider,
    threads,
    warmup: provider === 'webgpu' ? gpuWarmup : warmup,
    runs: provider === 'webgpu' ? gpuRuns : runs,
    ...(reference ? { reference, tolerance: TOLERANCE } : {}),
  });
  const gpu = await webGpuInfo();

  // One after another: the machine has two cores, and a second runtime beside the timed one
  // would time the contention, not the runtime.
  const results: RankingRun[] = [];
  const record = (runtime: string, r: RankingReply): RankingReply => {
    results.push(
      r.ok
        ? { runtime, ok: true, backend: r.backend, threads: r.threads, createMs: r.createMs, p50: quantile(r.samples, 0.5), p95: quantile(r.samples, 0.95), runs: r.samples.length, maxAbsDiff: r.maxAbsDiff }
        : { runtime, ok: false, error: r.error },
    );
    return r;
  };
  const ref = record('ort.wasm1', await inWorker('ort', job('wasm', 1), 120_000));
  if (!ref.ok) throw new Error(`onnxruntime wasm (1 thread), the reference, failed: ${ref.error}`);
  record('ort.wasm2', await inWorker('ort', job('wasm', 2, ref.output), 120_000));
  record('tfjs.wasm', await inWorker('tfjs', job('wasm', 1, ref.output), 120_000));
  record('tfjs.wasm2', await inWorker('tfjs', job('wasm', 2, ref.output), 120_000));
  if (quick) {
    const why = 'left out by --quick (on SwiftShader each run takes seconds)';
    results.push({ runtime: 'ort.webgpu', ok: false, error: why }, { runtime: 'tfjs.webgpu', ok: false, error: why });
  } else if (gpu.available) {
    record('ort.webgpu', await inWorker('ort', job('webgpu', 1, ref.output), 180_000));
    record('tfjs.webgpu', await inWorker('tfjs', job('webgpu', 1, ref.output), 180_000));
  } else {
    results.push({ runtime: 'ort.webgpu', ok: false, error: gpu.why }, { runtime: 'tfjs.webgpu', ok: false, error: gpu.why });
  }

  const result = {
    candidates: CANDIDATES,
    warmup,
    runs,
    crossOriginIsolated,
    hardwareConcurrency: navigator.hardwareConcurrency,
    browser: await browserInfo(),
    webgpu: gpu,
    inputs: Object.fromEntries(Object.entries(tensors).map(([k, t]) => [k, t.dims])),
    results,
  };
  console.log(JSON.stringify(result));
  await commands.writeFile('test/bench/.results/ranking.json', JSON.stringify(result, null, 2));
}, 600_000);
