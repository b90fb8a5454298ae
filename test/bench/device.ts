/**
 * The device benchmark: runs the feed page benchmark (test/bench/browser/feed.bench-browser.ts)
 * in the `bench-browser` Vitest project (real headless Chromium, cross-origin isolated) and turns
 * what it wrote into figures: [feed] by catalogue size and backend, [coldStart].
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import type { BenchFigure, BenchSuite } from './types.ts';

const RESULT = 'test/bench/.results/feed-isolated.json';
const PAGE = 'test/bench/browser/feed.bench-browser.ts';

interface Case {
  error?: string;
  backends: { retrieval: string; ranking: string };
  runs: number;
  next: { p50: number; p95: number };
  stages: Record<string, { p50: number; p95: number }>;
}
interface FeedResult {
  userAgent: string;
  feed: Record<string, Record<string, Case>>;
  coldStart: { cachedMs: number; emptyCacheMs: number; verificationMs: number; size: string };
  worker: { size: string; next: { p50: number; p95: number }; transfer: { p50: number; p95: number } };
}

/** Runs one page benchmark file in Chromium; throws with the tail of its output when it fails. */
export function runBrowserBench(file: string, env: Record<string, string> = {}): void {
  const r = spawnSync(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', '--project', 'bench-browser', file], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  if (r.status !== 0) throw new Error(`the browser benchmark ${file} failed:\n${(r.stdout + r.stderr).split('\n').slice(-30).join('\n')}`);
}

export const deviceBench: BenchSuite = {
  name: 'device (Chromium)',
  async run({ quick }) {
    rmSync(RESULT, { force: true });
    // ml100k: the MovieLens release as built (its ranker, not the synthetic catalogues' small one).
    runBrowserBench(PAGE, { ONDECK_BENCH_SIZES: quick ? '10k,100k,ml100k' : '10k,100k,1m,ml100k', ONDECK_BENCH_QUICK: quick ? '1' : '0' });
    const f = JSON.parse(readFileSync(RESULT, 'utf8')) as FeedResult;
    const browser = /Chrome\/([\d.]+)/.exec(f.userAgent)?.[1] ?? f.userAgent;
    const figures: BenchFigure[] = [];
    for (const [size, cases] of Object.entries(f.feed)) {
      for (const [backend, c] of Object.entries(cases)) {
        const key = `feed.${size}.${backend}`;
        if (c.error) {
          figures.push({ key: `${key}.next`, label: `next() ${size} ${backend}`, value: NaN, unit: 'ms', note: c.error });
          continue;
        }
        const software = backend === 'webgpu' ? '; WebGPU is Chromium\'s software adapter (SwiftShader) here: correctness, not GPU speed' : '';
        const note = `retrieval ${c.backends.retrieval}, ranking ${c.backends.ranking}, ${c.runs} runs, Chromium ${browser}${software}`;
        figures.push({ key: `${key}.next`, label: `next() ${size} ${backend}`, value: c.next.p50, p95: c.next.p95, unit: 'ms', note });
        for (const [stage, s] of Object.entries(c.stages)) {
          figures.push({ key: `${key}.${stage.replace(/Ms$/, '')}`, label: `  ${stage.replace(/Ms$/, '')}`, value: s.p50, p95: s.p95, unit: 'ms' });
        }
      }
    }
    const w = f.worker;
    figures.push(
      { key: `feed.${w.size}.worker.next`, label: `next() ${w.size} wasm through the worker`, value: w.next.p50, p95: w.next.p95, unit: 'ms', note: 'createFeed(): comlink, as a page runs it' },
      { key: `feed.${w.size}.worker.transfer`, label: '  transfer (worker total − stages)', value: w.transfer.p50, p95: w.transfer.p95, unit: 'ms' },
    );
    const on = `${f.coldStart.size} release, wasm`;
    figures.push({ key: 'coldStart.cached', label: 'cold start: cached release to first feed', value: f.coldStart.cachedMs, unit: 'ms', note: `${on}, network cut` });
    figures.push({ key: 'coldStart.verification', label: 'cold start: golden-vector checks (part of it)', value: f.coldStart.verificationMs, unit: 'ms', note: `${on}, ranker, user tower and retrieval` });
    figures.push({ key: 'coldStart.emptyCache', label: 'cold start: empty cache to first feed', value: f.coldStart.emptyCacheMs, unit: 'ms', note: `${on}, loopback` });
    return figures;
  },
};
