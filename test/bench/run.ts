/**
 * `npm run bench [-- --json FILE] [--quick] [--only SUITE]`: every benchmark suite in one run, one table.
 * Figures are medians (and p95) of repeated runs after warm-up; ratios are only ever taken
 * between figures of the same run. Never part of `npm test`: timings on a shared machine are
 * for reading, not for asserting.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { findChromium } from '../support/chromium.ts';
import { cpus, totalmem } from 'node:os';
import { shardBench } from './shard.ts';
import { vectorsBench } from './vectors.ts';
import { deviceBench } from './device.ts';
import { sizeBench } from './size.ts';
import { qualityBench } from './quality.ts';
import { serverBench } from './server.ts';
import { retrievalPeersBench } from './peers.ts';
import { rankingRuntimesBench } from './ranking.ts';
import { privacyBench } from './privacy.ts';
import { scaleBench } from './scale.ts';
import type { BenchFigure, BenchSuite } from './types.ts';

const SUITES: BenchSuite[] = [shardBench, vectorsBench, sizeBench, deviceBench, retrievalPeersBench, rankingRuntimesBench, serverBench, qualityBench, privacyBench, scaleBench];

/** The groups of the JSON (issue 6); each figure's key starts with its group. */
const GROUPS = ['feed', 'coldStart', 'size', 'retrievalPeers', 'ranking', 'server', 'quality', 'privacy', 'scale'] as const;

function parseArgs(argv: readonly string[]): { quick: boolean; json: string | null; only: string | null } {
  let quick = false;
  let json: string | null = null;
  let only: string | null = null;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--quick') quick = true;
    else if (a === '--json') {
      json = argv[++i] ?? null;
      if (!json) throw new Error('--json needs a file name, e.g. --json bench.json');
    } else if (a === '--only') {
      only = argv[++i] ?? null;
      const names = SUITES.map((s) => s.name.split(' ')[0]);
      if (!only || !names.includes(only)) throw new Error(`--only needs a suite, one of ${names.join(', ')}`);
    } else throw new Error(`unknown option "${a}"; the options are --quick, --json FILE and --only SUITE`);
  }
  return { quick, json, only };
}

function format(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const a = Math.abs(n);
  return a >= 100 ? n.toFixed(0) : a >= 1 ? n.toFixed(2) : n.toFixed(4);
}

function chromiumVersion(): string {
  try {
    const r = spawnSync(findChromium(), ['--version'], { encoding: 'utf8' });
    return r.stdout.trim() || 'unknown';
  } catch (err) {
    return `not found (${err instanceof Error ? err.message : String(err)})`;
  }
}

async function main(): Promise<void> {
  const { quick, json, only } = parseArgs(process.argv.slice(2));
  const machine = {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    browser: chromiumVersion(),
    quick,
    date: new Date().toISOString(),
  };
  console.log(`ondeck bench on ${machine.cores}× ${machine.cpu}, Node ${machine.node}, ${machine.browser}${quick ? ' (quick)' : ''}\n`);
  const results: Record<string, BenchFigure[]> = {};
  let failed = 0;
  for (const suite of SUITES) {
    // --only SUITE: one suite (the first word of its name), e.g. `npm run bench -- --only server`.
    if (only !== null && suite.name.split(' ')[0] !== only) continue;
    process.stdout.write(`${suite.name}…\n`);
    const t = performance.now();
    try {
      results[suite.name] = await suite.run({ quick });
    } catch (err) {
      // A suite that breaks is a bug to fix, not a figure: say so, keep the others, exit non-zero.
      failed++;
      const reason = err instanceof Error ? err.message : String(err);
      console.error(`bench: ${suite.name} failed: ${reason}`);
      results[suite.name] = [{ key: `${suite.name}.failed`, label: `${suite.name} (failed)`, value: NaN, unit: '', note: reason.split('\n')[0]! }];
    }
    process.stdout.write(`  ${((performance.now() - t) / 1000).toFixed(1)} s\n`);
  }
  const rows = Object.values(results).flat();
  const width = Math.max(...rows.map((r) => r.label.length));
  console.log(`\n${'figure'.padEnd(width)}  ${'median'.padStart(10)}  ${'p95'.padStart(10)}  unit`);
  for (const r of rows) {
    console.log(
      `${r.label.padEnd(width)}  ${format(r.value).padStart(10)}  ${(r.p95 === undefined ? '' : format(r.p95)).padStart(10)}  ${r.unit}${r.note ? `  (${r.note})` : ''}`,
    );
  }
  if (json) {
    writeFileSync(json, JSON.stringify(toJson(machine, rows), null, 2) + '\n');
    console.log(`\nwrote ${json}`);
  }
  if (failed > 0) process.exitCode = 1;
}

/**
 * `{ machine, feed: {...}, coldStart: {...}, ... }`: each figure under its group (the first part
 * of its key), by the rest of its key. A figure that could not be measured is `value: null` with
 * its `reason`, never a made-up number; a group with no figure at all says why too.
 */
function toJson(machine: Record<string, unknown>, rows: readonly BenchFigure[]): Record<string, unknown> {
  const out: Record<string, unknown> = { machine };
  const groups: Record<string, Record<string, unknown>> = {};
  for (const r of rows) {
    const [group, ...rest] = r.key.split('.');
    const entry: Record<string, unknown> = Number.isFinite(r.value)
      ? { value: r.value, unit: r.unit, ...(r.p95 === undefined ? {} : { p95: r.p95 }), ...(r.note ? { note: r.note } : {}) }
      : { value: null, unit: r.unit, reason: r.note ?? 'not measured' };
    (groups[group!] ??= {})[rest.join('.') || 'value'] = entry;
  }
  for (const g of GROUPS) out[g] = groups[g] ?? { value: null, reason: 'no suite measured this group in this run' };
  for (const [g, v] of Object.entries(groups)) if (!(g in out)) out[g] = v;
  return out;
}

main().catch((err: unknown) => {
  console.error(`bench: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
