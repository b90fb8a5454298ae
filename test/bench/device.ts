/**
 * The device benchmark: runs the `bench-browser` Vitest project (real headless Chromium, a
 * 100k-item release, WASM path) and turns what it wrote into figures.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import type { BenchFigure, BenchSuite } from './types.ts';

const RESULT = 'test/bench/.results/feed-isolated.json';

interface FeedResult {
  firstVisitMs: number;
  coldStartMs: number;
  backends: { retrieval: string; ranking: string };
  next: { p50: number; p95: number };
  stages: Record<string, { p50: number; p95: number }>;
}

export const deviceBench: BenchSuite = {
  name: 'device (Chromium)',
  async run() {
    rmSync(RESULT, { force: true });
    const r = spawnSync(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', '--project', 'bench-browser'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    if (r.status !== 0) throw new Error(`the browser benchmark failed:\n${(r.stdout + r.stderr).split('\n').slice(-30).join('\n')}`);
    const f = JSON.parse(readFileSync(RESULT, 'utf8')) as FeedResult;
    const note = `retrieval ${f.backends.retrieval}, ranking ${f.backends.ranking}, 100k × 64, retrieve 500, rank 500, re-rank to 50`;
    const figures: BenchFigure[] = [
      { key: 'device.next', label: 'next() on the device', value: f.next.p50, p95: f.next.p95, unit: 'ms', note },
      ...Object.entries(f.stages).map(([stage, s]) => ({ key: `device.${stage}`, label: `  of which ${stage.replace(/Ms$/, '')}`, value: s.p50, p95: s.p95, unit: 'ms' })),
      { key: 'device.coldStart', label: 'cold start from cached release to first feed', value: f.coldStartMs, unit: 'ms' },
      { key: 'device.firstVisit', label: 'first visit: download, verify, cache, init', value: f.firstVisitMs, unit: 'ms', note: 'loopback' },
    ];
    return figures;
  },
};
