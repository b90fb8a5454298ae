// What a user sees when `ondeck build` gets bad input: one clear line naming the problem and a
// non-zero exit, never a stack trace.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'ondeck-cli-'));
const file = (name: string, body: string) => {
  const p = join(dir, name);
  writeFileSync(p, body);
  return p;
};

function build(...args: string[]) {
  const r = spawnSync(process.execPath, ['src/cli/ondeck.mjs', 'build', ...args, '--out', join(dir, 'out')], { encoding: 'utf8', timeout: 60_000 });
  const lines = r.stderr.split('\n').filter((l) => l.startsWith('ondeck build:'));
  return { status: r.status, stderr: r.stderr, lines };
}

describe('ondeck build with bad input', () => {
  const cases: [string, () => string[], RegExp][] = [
    ['a missing file', () => ['--dataset', 'csv', '--path', join(dir, 'nope.csv')], /nope\.csv: interactions CSV not found/],
    ['an empty file', () => ['--dataset', 'csv', '--path', file('empty.csv', '')], /empty\.csv.*empty/i],
    ['missing columns', () => ['--dataset', 'csv', '--path', file('cols.csv', 'user,item,when\nu1,i1,5\n')], /user_id.*item_id.*timestamp/],
    ['a non-numeric timestamp', () => ['--dataset', 'csv', '--path', file('ts.csv', 'user_id,item_id,timestamp\nu1,i1,1700000000\nu1,i2,yesterday\n')], /ts\.csv:3.*timestamp.*"yesterday"/],
    ['an unknown dataset', () => ['--dataset', 'parquet'], /"parquet" is not one of movielens, csv, synthetic, events/],
    ['a bad epoch count', () => ['--dataset', 'synthetic', '--epochs', 'many'], /--epochs must be a non-negative integer, got "many"/],
    ['a bad thread count', () => ['--dataset', 'synthetic', '--threads', '4'], /--threads must be 1 or 2, got "4"/],
    ['a missing MovieLens folder', () => ['--dataset', 'movielens', '--path', join(dir, 'ml')], /MovieLens folder not found.*--path/],
  ];
  it.each(cases)('%s: one line naming it, non-zero exit', (_label, args, message) => {
    const r = build(...args());
    expect(r.status).not.toBe(0);
    expect(r.lines).toHaveLength(1);
    expect(r.lines[0]).toMatch(message);
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });
});
