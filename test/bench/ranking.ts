/**
 * Ranking runtimes: the bench release's DCN ranker on 500 candidates in real headless Chromium
 * (cross-origin isolated), onnxruntime-web wasm with 1 and 2 threads and webgpu, against the same
 * graph rebuilt in tfjs (wasm, webgpu) from the ONNX weights and checked against onnxruntime
 * within 1e-4 before it is timed. The page (browser/ranking.bench-browser.ts) writes
 * test/bench/.results/ranking.json; this turns it into figures. Ratios come from the same run.
 */
import { readFileSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { runBrowserBench } from './device.ts';
import type { RankingRun } from './page-results.ts';
import type { BenchFigure, BenchSuite } from './types.ts';

const RESULT = 'test/bench/.results/ranking.json';
const PAGE = 'test/bench/browser/ranking.bench-browser.ts';

interface RankingResult {
  candidates: number;
  warmup: number;
  runs: number;
  crossOriginIsolated: boolean;
  hardwareConcurrency: number;
  browser: string;
  webgpu: { available: true; vendor: string; architecture: string; description: string; swiftShader: boolean } | { available: false; why: string };
  results: RankingRun[];
}

const LABELS: Record<string, string> = {
  'ort.wasm1': 'onnxruntime-web wasm, 1 thread',
  'ort.wasm2': 'onnxruntime-web wasm, 2 threads',
  'tfjs.wasm': 'tfjs wasm (SIMD), 1 thread',
  'tfjs.wasm2': 'tfjs wasm, threaded SIMD build, 2 asked',
  'ort.webgpu': 'onnxruntime-web webgpu',
  'tfjs.webgpu': 'tfjs webgpu',
};

export const rankingRuntimesBench: BenchSuite = {
  name: 'ranking runtimes (Chromium)',
  async run({ quick }) {
    rmSync(RESULT, { force: true });
    const load = loadavg()[0]!;
    runBrowserBench(PAGE, { ONDECK_BENCH_QUICK: quick ? '1' : '0' });
    const f = JSON.parse(readFileSync(RESULT, 'utf8')) as RankingResult;
    const by = new Map(f.results.map((r) => [r.runtime, r]));
    const gpuNote = f.webgpu.available
      ? f.webgpu.swiftShader
        ? `WebGPU adapter is SwiftShader (${f.webgpu.vendor}/${f.webgpu.architecture}), a CPU rasteriser, not a GPU`
        : `WebGPU adapter ${f.webgpu.vendor}/${f.webgpu.architecture} ${f.webgpu.description}`.trim()
      : `no WebGPU: ${f.webgpu.why}`;
    const figures: BenchFigure[] = [];
    for (const [runtime, label] of Object.entries(LABELS)) {
      const r = by.get(runtime);
      const key = `ranking.${runtime}.ms`;
      const text = `${label}, ${f.candidates} candidates`;
      if (!r || !r.ok || r.p50 === undefined) {
        figures.push({ key, label: text, value: NaN, unit: 'ms', note: `not measured: ${r?.error ?? 'no result'}` });
        continue;
      }
      const parts = [
        `${r.backend}, ${r.threads} thread${r.threads === 1 ? '' : 's'} reported`,
        `${r.runs} runs after warm-up`,
        `session ${r.createMs!.toFixed(0)} ms`,
      ];
      if (typeof r.maxAbsDiff === 'number') parts.push(`max |Δp| vs ort wasm1 ${r.maxAbsDiff.toExponential(1)}`);
      if (runtime === 'ort.wasm1') parts.push(`${f.browser}, crossOriginIsolated ${f.crossOriginIsolated}, ${f.hardwareConcurrency} cores, load average ${load.toFixed(1)} at start`);
      if (runtime.endsWith('webgpu')) parts.push(gpuNote);
      figures.push({ key, label: text, value: r.p50, p95: r.p95!, unit: 'ms', note: parts.join('; ') });
    }
    const ms = (runtime: string) => {
      const r = by.get(runtime);
      return r?.ok && r.p50 !== undefined ? r.p50 : NaN;
    };
    const ratio = (key: string, label: string, a: string, b: string, note?: string): BenchFigure => {
      const value = ms(a) / ms(b);
      return {
        key: `ranking.ratio.${key}`,
        label,
        value,
        unit: '×',
        ...(Number.isFinite(value) ? (note ? { note } : {}) : { note: `not measured: ${!Number.isFinite(ms(a)) ? a : b} has no figure` }),
      };
    };
    figures.push(
      ratio('ortOverTfjs', 'ratio onnxruntime / tfjs, wasm 1 thread', 'ort.wasm1', 'tfjs.wasm', 'medians of the same run; < 1: onnxruntime is faster'),
      ratio('ortWasm2OverWasm1', 'ratio onnxruntime 2 threads / 1 thread', 'ort.wasm2', 'ort.wasm1'),
      ratio('ortWasm2OverTfjsWasm2', 'ratio onnxruntime / tfjs, threaded builds', 'ort.wasm2', 'tfjs.wasm2'),
      ratio('ortWebgpuOverWasm1', 'ratio onnxruntime webgpu / wasm 1 thread', 'ort.webgpu', 'ort.wasm1', gpuNote),
      ratio('tfjsWebgpuOverOrtWebgpu', 'ratio tfjs webgpu / onnxruntime webgpu', 'tfjs.webgpu', 'ort.webgpu', gpuNote),
    );
    return figures;
  },
};
