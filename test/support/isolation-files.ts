// Which browser test files the `browser-plain` project (no COOP/COEP) runs: those whose code can
// tell the two pages apart. A page without cross-origin isolation differs only where code reads
// `crossOriginIsolated` or `SharedArrayBuffer`, or runs onnxruntime-web (whose wasm threads need
// both); a test that reaches none of those, through its imports and the workers it starts, runs
// the same code either way, so `browser` alone covers it. Computed from the sources each time
// vite.config.ts loads, so a new test that reaches the runtime runs in both projects unasked.
// test/unit/layout/isolation-files.test.ts pins the split.
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { sourceFiles } from './import-graph.ts';

/** What makes a file isolation-sensitive (comments are stripped first). */
const SENSITIVE = [/\bcrossOriginIsolated\b/, /\bSharedArrayBuffer\b/, /(?:from\s*|import\s*\(\s*)['"]onnxruntime-web/, /\binject\(\s*['"]isolated['"]\s*\)/];

// Relative .ts imports, re-exports and import(), and the workers a file starts with
// `new URL('./x.ts', import.meta.url)`.
const EDGE = /(?:^|[;\s])(?:import|export)\s[^'";]*?\sfrom\s*['"](\.[^'"]+\.ts)['"]|(?:^|[;\s])import\s*['"](\.[^'"]+\.ts)['"]|\bimport\s*\(\s*['"](\.[^'"]+\.ts)['"]\s*\)|\bnew\s+URL\(\s*['"](\.[^'"]+\.ts)['"]\s*,\s*import\.meta\.url/gm;

const withoutComments = (text: string) => text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');

export interface IsolationSplit {
  /** Repo-relative browser test files that reach isolation-sensitive code: run in both projects. */
  both: string[];
  /** The rest: run in `browser` only. */
  isolatedOnly: string[];
  /** For each file in `both`, the first sensitive file found in its closure. */
  why: Record<string, string>;
}

/** Splits the *.test.ts files under `testDir` (repo-relative to `root`). */
export function isolationSplit(root: string, testDir = 'test/browser'): IsolationSplit {
  const text = new Map<string, string>();
  const read = (file: string): string => {
    let t = text.get(file);
    if (t === undefined) {
      t = withoutComments(readFileSync(resolve(root, file), 'utf8'));
      text.set(file, t);
    }
    return t;
  };
  const edges = (file: string): string[] =>
    [...read(file).matchAll(EDGE)].map((m) => relative(root, resolve(dirname(resolve(root, file)), (m[1] ?? m[2] ?? m[3] ?? m[4])!)));
  const sensitive = (file: string) => SENSITIVE.some((re) => re.test(read(file)));

  const both: string[] = [];
  const isolatedOnly: string[] = [];
  const why: Record<string, string> = {};
  const tests = sourceFiles(resolve(root, testDir))
    .filter((f) => f.endsWith('.test.ts'))
    .map((f) => relative(root, f))
    .sort();
  for (const test of tests) {
    const seen = new Set<string>([test]);
    const queue = [test];
    let hit: string | undefined;
    while (queue.length > 0 && hit === undefined) {
      const file = queue.shift()!;
      if (sensitive(file)) hit = file;
      else for (const next of edges(file)) if (!seen.has(next)) seen.add(next), queue.push(next);
    }
    if (hit === undefined) isolatedOnly.push(test);
    else {
      both.push(test);
      why[test] = hit;
    }
  }
  return { both, isolatedOnly, why };
}
