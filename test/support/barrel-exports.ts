// Barrels (a folder's index.ts) export the folder's API: the names files in other folders import
// through them. A name nothing outside the folder imports is dead weight that hides the real API
// (tests import the files they test directly). Used by test/unit/layout/barrel-exports.test.ts.
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve, sep } from 'node:path';
import { sourceFiles } from './import-graph.ts';

// `import { a, type B, c as d } from './x.ts'`, `import type { … } from`, `export { … } from`.
const NAMED = /(?:^|[;\s])(import|export)\s+(?:type\s+)?\{([^}]*)\}\s*from\s*['"](\.[^'"]+\.ts)['"]/gm;
// `import * as x from './x.ts'`, `import x from './x.ts'`, `import('./x.ts')`: every name used.
const WHOLE = /(?:^|[;\s])import\s+(?:\*\s+as\s+\w+|\w+)\s+from\s*['"](\.[^'"]+\.ts)['"]|\bimport\s*\(\s*['"](\.[^'"]+\.ts)['"]\s*\)/gm;
// `export const x`, `export function x`, `export class X`, `export type X =`, `export interface X`.
const LOCAL = /^export\s+(?:declare\s+)?(?:const|let|function\*?|async\s+function|class|abstract\s+class|type|interface|enum)\s+(\w+)/gm;

export interface UnusedExport {
  /** The barrel, repo-relative, e.g. `src/pipeline/train/index.ts`. */
  barrel: string;
  name: string;
}

/** `a`, `type B`, `c as d` -> the names on each side: [imported, local]. */
function specifiers(list: string): Array<[string, string]> {
  return list
    .split(',')
    .map((s) => s.replace(/\/\/.*$|\/\*[\s\S]*?\*\//gm, '').trim().replace(/^type\s+/, ''))
    .filter((s) => s !== '')
    .map((s) => {
      const [from, as] = s.split(/\s+as\s+/);
      return [from!, as ?? from!];
    });
}

/** The names a barrel re-exports (`export { … } from`), and those it defines itself (`export const …`). */
export function barrelNames(text: string): { reexported: string[]; local: string[] } {
  const reexported = [...text.matchAll(NAMED)].filter((m) => m[1] === 'export').flatMap((m) => specifiers(m[2]!).map(([, as]) => as));
  return { reexported, local: [...text.matchAll(LOCAL)].map((m) => m[1]!) };
}

/** Where the barrels' names are looked for. */
export interface BarrelScan {
  /** Folders whose index.ts files are checked, e.g. ['src', 'workers']. */
  dirs: readonly string[];
  /** Folders of the files whose imports count: the sources, not the tests. */
  importers: readonly string[];
  /**
   * Folders whose imports count for what an index.ts defines itself (a route module, hono-style):
   * a test may import those from it, as there is no other file to import them from.
   */
  testImporters: readonly string[];
  /** Public entry points (a package's index), whose names are for the package's users. */
  entries: readonly string[];
}

/**
 * Every name an index.ts re-exports that no file outside its folder imports through it, and
 * every name it defines itself that nothing (tests included) imports.
 */
export function unusedBarrelExports(root: string, scan: BarrelScan): UnusedExport[] {
  const local = usedThroughBarrels(root, [...scan.importers, ...scan.testImporters]);
  const used = usedThroughBarrels(root, scan.importers);
  const out: UnusedExport[] = [];
  for (const barrel of barrels(root, scan.dirs)) {
    if (scan.entries.includes(barrel)) continue;
    const names = barrelNames(readFileSync(resolve(root, barrel), 'utf8'));
    const unused = (set: Set<string> | 'all' | undefined, name: string) => set !== 'all' && !set?.has(name);
    for (const name of names.reexported) if (unused(used.get(barrel), name)) out.push({ barrel, name });
    for (const name of names.local) if (unused(local.get(barrel), name)) out.push({ barrel, name });
  }
  return out.sort((a, b) => a.barrel.localeCompare(b.barrel) || a.name.localeCompare(b.name));
}

/** Barrel -> the names files under `importers` outside its folder import through it ('all' for `import *`). */
function usedThroughBarrels(root: string, importers: readonly string[]): Map<string, Set<string> | 'all'> {
  const rel = (p: string) => relative(root, p).split(sep).join('/');
  const used = new Map<string, Set<string> | 'all'>();
  const use = (barrel: string, names: string[] | 'all') => {
    const had = used.get(barrel);
    if (had === 'all') return;
    used.set(barrel, names === 'all' ? 'all' : new Set([...(had ?? []), ...names]));
  };
  for (const file of importers.flatMap((d) => sourceFiles(resolve(root, d)))) {
    const text = readFileSync(file, 'utf8');
    const target = (spec: string) => rel(resolve(dirname(file), spec));
    const outside = (barrel: string) => !rel(file).startsWith(dirname(barrel) + '/');
    for (const m of text.matchAll(NAMED)) {
      const barrel = target(m[3]!);
      if (barrel.endsWith('/index.ts') && outside(barrel)) use(barrel, specifiers(m[2]!).map(([from]) => from));
    }
    for (const m of text.matchAll(WHOLE)) {
      const barrel = target((m[1] ?? m[2])!);
      if (barrel.endsWith('/index.ts') && outside(barrel)) use(barrel, 'all');
    }
  }
  return used;
}

/** The index.ts files under `dirs`, repo-relative. */
export function barrels(root: string, dirs: readonly string[]): string[] {
  return dirs.flatMap((d) => sourceFiles(resolve(root, d))).map((f) => relative(root, f).split(sep).join('/')).filter((f) => f.endsWith('/index.ts'));
}
