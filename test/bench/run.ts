/**
 * `npm run bench [-- --json FILE] [--quick]`: every benchmark suite in one run, one table.
 * Figures are medians (and p95) of repeated runs after warm-up; ratios are only ever taken
 * between figures of the same run. Never part of `npm test`: timings on a shared machine are
 * for reading, not for asserting.
 */
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { shardBench } from './shard.ts';
import { vectorsBench } from './vectors.ts';
import { deviceBench } from './device.ts';
import type { BenchFigure, BenchSuite } from './types.ts';

const SUITES: BenchSuite[] = [shardBench, vectorsBench, deviceBench];

function parseArgs(argv: readonly string[]): { quick: boolean; json: string | null } {
  let quick = false;
  let json: string | null = null;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--quick') quick = true;
    else if (a === '--json') {
      json = argv[++i] ?? null;
      if (!json) throw new Error('--json needs a file name, e.g. --json bench.json');
    } else throw new Error(`unknown option "${a}"; the options are --quick and --json FILE`);
  }
  return { quick, json };
}

function format(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const a = Math.abs(n);
  return a >= 100 ? n.toFixed(0) : a >= 1 ? n.toFixed(2) : n.toFixed(4);
}

async function main(): Promise<void> {
  const { quick, json } = parseArgs(process.argv.slice(2));
  const machine = {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    quick,
    date: new Date().toISOString(),
  };
  console.log(`ondeck bench on ${machine.cores}× ${machine.cpu}, Node ${machine.node}${quick ? ' (quick)' : ''}\n`);
  const results: Record<string, BenchFigure[]> = {};
  for (const suite of SUITES) {
    process.stdout.write(`${suite.name}…\n`);
    results[suite.name] = await suite.run({ quick });
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
    writeFileSync(json, JSON.stringify({ machine, results }, null, 2) + '\n');
    console.log(`\nwrote ${json}`);
  }
}

main().catch((err: unknown) => {
  console.error(`bench: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
