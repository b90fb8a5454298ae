// The import graph of the sources (src/, workers/): every static import, re-export and dynamic
// import() of a relative .ts file (the project spells every relative specifier with its .ts). Used by the layout test
// (test/unit/layout/import-graph.test.ts): no import circles, barrels that export only what other
// folders import.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

// `import … from './x.ts'` and `export … from './x.ts'` (lists may span lines), `import './x.ts'`,
// and `import('./x.ts')`.
const SPECIFIER = /(?:^|[;\s])(?:import|export)\s[^'";]*?\sfrom\s*['"](\.[^'"]+\.ts)['"]|(?:^|[;\s])import\s*['"](\.[^'"]+\.ts)['"]|\bimport\s*\(\s*['"](\.[^'"]+\.ts)['"]\s*\)/gm;

export interface ImportGraph {
  /** Repo-relative file -> the repo-relative files it imports. */
  edges: Map<string, string[]>;
}

/** Every .ts file under `dir` (not .d.ts), recursively. */
export function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sourceFiles(p));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

export function importGraph(root: string, dirs: readonly string[]): ImportGraph {
  const edges = new Map<string, string[]>();
  for (const dir of dirs) {
    for (const file of sourceFiles(resolve(root, dir))) {
      const text = readFileSync(file, 'utf8');
      const targets = [...text.matchAll(SPECIFIER)].map((m) => relative(root, resolve(dirname(file), (m[1] ?? m[2] ?? m[3])!)));
      edges.set(relative(root, file), [...new Set(targets)]);
    }
  }
  return { edges };
}

/** Every strongly connected component of more than one file (or a file importing itself). */
export function importCircles(g: ImportGraph): string[][] {
  let index = 0;
  const stack: string[] = [];
  const on = new Set<string>();
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    on.add(v);
    for (const w of g.edges.get(v) ?? []) {
      if (!g.edges.has(w)) continue;
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (g.edges.get(v) ?? []).includes(v)) out.push(scc.sort());
    }
  };
  for (const v of [...g.edges.keys()].sort()) if (!idx.has(v)) visit(v);
  return out;
}
