/**
 * One `ondeck build --dataset synthetic` of a given size, in this process, for the scale bench:
 * `tsx test/bench/scale-build.ts --interactions N --users N --items N --epochs N --out DIR`.
 * Prints one JSON line last: the build's seconds, this process's peak RSS (worker threads
 * included: they share the process) and what the build reports. The bench runs each size in
 * its own child process, so each peak is its own.
 */
import { parseBuildArgs, runBuild } from '../../src/pipeline/build/index.ts';
import { createProgress } from '../../src/pipeline/progress/index.ts';

export interface ScaleBuildResult {
  interactions: number;
  users: number;
  items: number;
  epochs: number;
  threads: number | null;
  seconds: number;
  /**
   * CPU seconds of the process (user + system, every thread): on a shared machine wall time
   * says more about the neighbours than the build; this does not.
   */
  cpuSeconds: number;
  /** Build stages' seconds as the report gives them. */
  stages: Record<string, number>;
  peakRssBytes: number;
  ndcg10: number | null;
}

const started = performance.now();
const options = parseBuildArgs(['--dataset', 'synthetic', ...process.argv.slice(2)]);
const result = await runBuild(options, createProgress());
const report = result.report as unknown as {
  dataset: { interactions: number; users: number; items: number };
  seconds: Record<string, number>;
  feed?: { served?: { 'ndcg@10'?: number } };
};
const cpu = process.cpuUsage();
const out: ScaleBuildResult = {
  interactions: report.dataset.interactions,
  users: report.dataset.users,
  items: report.dataset.items,
  epochs: options.epochs,
  threads: options.threads ?? null,
  seconds: (performance.now() - started) / 1000,
  cpuSeconds: (cpu.user + cpu.system) / 1e6,
  stages: report.seconds,
  peakRssBytes: process.resourceUsage().maxRSS * 1024,
  ndcg10: report.feed?.served?.['ndcg@10'] ?? null,
};
console.log(`SCALE ${JSON.stringify(out)}`);
