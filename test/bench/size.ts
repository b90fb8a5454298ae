/**
 * [size]: shard bytes per item and release bytes of the benchmark releases (real releases written
 * by the pipeline's release writer), and the JS and wasm bytes of the built app (`npm run build`
 * writes dist/app/size.json; this runs the build when that file is missing).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { BENCH_RELEASE_DIR, ensureBenchRelease } from '../support/bench-release.ts';
import type { BenchFigure, BenchSuite } from './types.ts';

interface ManifestLike {
  artifacts: Array<{ kind: string; bytes: number; items?: number }>;
}

/** dist/app/size.json, as `npm run build` (vite.app.config.ts) writes it. */
interface AppSize {
  js: { files: unknown[]; bytes: number; gzip: number };
  webgpuOnlyJs: { files: unknown[]; gzip: number };
  budget: { gzip: number; measuredGzip: number; measured: string; within: boolean };
  wasm: Array<{ file: string; bytes: number; gzip: number }>;
}

function releaseFigures(dir: string, label: string, items: number): BenchFigure[] {
  const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as ManifestLike;
  const sum = (kind?: string) => m.artifacts.filter((a) => kind === undefined || a.kind === kind).reduce((s, a) => s + a.bytes, 0);
  const shards = sum('shard');
  const models = sum('model');
  return [
    { key: `size.${label}.shardBytesPerItem`, label: `shard bytes per item (${label})`, value: shards / items, unit: 'B', note: 'all shards (head included) / items; the head repeats 5% of items' },
    { key: `size.${label}.releaseBytes`, label: `release bytes (${label})`, value: sum(), unit: 'B', note: `shards ${shards}, models ${models}` },
  ];
}

export const sizeBench: BenchSuite = {
  name: 'size',
  async run() {
    await ensureBenchRelease();
    const figures = releaseFigures(BENCH_RELEASE_DIR, '100k', 100_000);
    const demo = resolve('models');
    if (existsSync(join(demo, 'manifest.json'))) {
      const items = JSON.parse(readFileSync(join(demo, 'manifest.json'), 'utf8')) as { artifacts: Array<{ kind: string; bytes: number }> };
      figures.push({ key: 'size.demo.releaseBytes', label: 'release bytes (demo, models/)', value: items.artifacts.reduce((s, a) => s + a.bytes, 0), unit: 'B' });
    }
    const sizeFile = resolve('dist/app/size.json');
    if (!existsSync(sizeFile)) {
      const r = spawnSync('npm', ['run', 'build'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      if (r.status !== 0) {
        figures.push({ key: 'size.app.jsGzipBytes', label: 'app JS (gzip)', value: NaN, unit: 'B', note: `npm run build failed: ${(r.stdout + r.stderr).split('\n').slice(-5).join(' ')}` });
        return figures;
      }
    }
    const app = JSON.parse(readFileSync(sizeFile, 'utf8')) as AppSize;
    const wasm = app.wasm.reduce((n, f) => n + f.bytes, 0);
    const wasmGzip = app.wasm.reduce((n, f) => n + f.gzip, 0);
    figures.push(
      { key: 'size.app.jsGzipBytes', label: 'app JS (gzip), without WebGPU-only chunks', value: app.budget.measuredGzip, unit: 'B', note: `${app.budget.measured}; budget ${app.budget.gzip} B` },
      { key: 'size.app.jsGzipBytesAll', label: 'app JS (gzip), all', value: app.js.gzip, unit: 'B', note: `${app.js.files.length} files, ${app.js.bytes} B raw; tfjs for WebGPU retrieval ${app.webgpuOnlyJs.gzip} B of it` },
      { key: 'size.app.wasmBytes', label: 'app wasm (onnxruntime-web)', value: wasm, unit: 'B', note: `${app.wasm.length} file(s), ${wasmGzip} B gzip` },
    );
    return figures;
  },
};
