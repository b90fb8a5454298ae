/**
 * [scale]: a full `ondeck build --dataset synthetic` at 100k, 1M and 10M interactions, each in a
 * child process of its own (test/bench/scale-build.ts) so each peak RSS is its own: wall
 * seconds, CPU seconds (all threads), both per million interactions (flat when cost grows
 * linearly) and peak RSS.
 * --quick runs 100k and 1M; the full run adds 10M (about half an hour on 2 idle cores, under a
 * heap cap so it cannot take the machine's memory). Sizes and epochs: SCALE_SIZES.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ScaleBuildResult } from './scale-build.ts';
import type { BenchFigure, BenchSuite } from './types.ts';

export interface ScaleSize {
  label: string;
  interactions: number;
  users: number;
  items: number;
  epochs: number;
  /** Full runs only. */
  full: boolean;
  /** V8 heap cap of the child, MiB: a run that needs more fails instead of swapping. */
  heapMiB: number;
}

/**
 * Users at the demo's density (~83 interactions each); items grow slower than users, as real
 * catalogues do. 10M trains 1 epoch (the others the default 4): the target is 30 minutes.
 */
export const SCALE_SIZES: readonly ScaleSize[] = Object.freeze([
  { label: '100k', interactions: 100_000, users: 1_200, items: 2_000, epochs: 4, full: false, heapMiB: 4096 },
  { label: '1M', interactions: 1_000_000, users: 12_000, items: 20_000, epochs: 4, full: false, heapMiB: 4096 },
  { label: '10M', interactions: 10_000_000, users: 120_000, items: 50_000, epochs: 1, full: true, heapMiB: 5120 },
]);

/** The most RSS a build may take: past it the bench kills the child (Linux; elsewhere the heap cap alone). */
export const SCALE_RSS_LIMIT_BYTES = 8 * 2 ** 30;

/** Resident bytes of a process from /proc, or null where there is no /proc. */
function rssOf(pid: number): number | null {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/**
 * One build in a child process; its last line is `SCALE {json}`. The child is killed when its
 * RSS passes SCALE_RSS_LIMIT_BYTES or it runs past `timeoutMs` (default 45 minutes), and the
 * promise rejects saying so. `log` gets the child's progress (stderr) as it comes.
 */
export function runScaleBuild(size: ScaleSize, o: { timeoutMs?: number; log?: (text: string) => void } = {}): Promise<ScaleBuildResult> {
  const timeoutMs = o.timeoutMs ?? 45 * 60_000;
  // The release and its throwaway signing key (beside it, by default) go in one temporary folder.
  const out = mkdtempSync(join(tmpdir(), `ondeck-scale-${size.label}-`));
  const args = [
    `--max-old-space-size=${size.heapMiB}`, '--import', 'tsx', 'test/bench/scale-build.ts',
    '--interactions', String(size.interactions), '--users', String(size.users), '--items', String(size.items),
    '--epochs', String(size.epochs), '--out', join(out, 'release'),
  ];
  return new Promise<ScaleBuildResult>((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let killed: string | null = null;
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => {
      stderr = (stderr + b.toString()).slice(-8192);
      o.log?.(b.toString());
    });
    const watch = setInterval(() => {
      const rss = child.pid === undefined ? null : rssOf(child.pid);
      if (rss !== null && rss > SCALE_RSS_LIMIT_BYTES) {
        killed = `RSS ${(rss / 2 ** 30).toFixed(2)} GiB passed the ${SCALE_RSS_LIMIT_BYTES / 2 ** 30} GiB limit`;
        child.kill('SIGKILL');
      }
    }, 1000);
    const timer = setTimeout(() => {
      killed = `ran past ${timeoutMs / 60_000} minutes`;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('close', (code, signal) => {
      clearInterval(watch);
      clearTimeout(timer);
      rmSync(out, { recursive: true, force: true });
      const line = stdout.split('\n').find((l) => l.startsWith('SCALE '));
      if (code !== 0 || line === undefined) {
        const why = killed ?? `exit ${code ?? signal}`;
        reject(new Error(`the ${size.label} build failed (${why}): ${stderr.trim().split('\n').slice(-3).join(' | ')}`));
      } else resolve(JSON.parse(line.slice('SCALE '.length)) as ScaleBuildResult);
    });
  });
}

export function scaleFigures(size: ScaleSize, r: ScaleBuildResult): BenchFigure[] {
  const what = `${r.interactions} interactions, ${r.users} users, ${r.items} items, ${r.epochs} epoch(s)`;
  return [
    { key: `scale.${size.label}.seconds`, label: `build ${size.label} interactions`, value: r.seconds, unit: 's', note: what },
    { key: `scale.${size.label}.secondsPerMillion`, label: `build ${size.label}, per million interactions`, value: r.seconds / (r.interactions / 1e6), unit: 's' },
    { key: `scale.${size.label}.cpuSeconds`, label: `build ${size.label}, CPU (all threads)`, value: r.cpuSeconds, unit: 's', note: 'user + system; steadier than wall time on a shared machine' },
    { key: `scale.${size.label}.cpuSecondsPerMillion`, label: `build ${size.label}, CPU per million interactions`, value: r.cpuSeconds / (r.interactions / 1e6), unit: 's' },
    { key: `scale.${size.label}.peakRssMiB`, label: `build ${size.label}, peak RSS`, value: r.peakRssBytes / 2 ** 20, unit: 'MiB' },
  ];
}

export const scaleBench: BenchSuite = {
  name: 'scale (synthetic build)',
  async run({ quick }) {
    const figures: BenchFigure[] = [];
    for (const size of SCALE_SIZES) {
      if (size.full && quick) {
        figures.push({ key: `scale.${size.label}.seconds`, label: `build ${size.label} interactions`, value: NaN, unit: 's', note: 'not run with --quick (about half an hour); run npm run bench -- --only scale' });
        continue;
      }
      process.stdout.write(`  ${size.label}…\n`);
      figures.push(...scaleFigures(size, await runScaleBuild(size)));
    }
    return figures;
  },
};
