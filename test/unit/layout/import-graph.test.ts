// The layout holds: no import circle among the sources (a circle makes load order matter and
// hides which file owns a name), and the scanner itself sees what it must.
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importCircles, importGraph } from '../../support/import-graph.ts';

describe('the import graph', () => {
  it('has no circle in src/ or workers/', () => {
    const g = importGraph(process.cwd(), ['src', 'workers']);
    expect(g.edges.size).toBeGreaterThan(300);
    expect(g.edges.get('src/pipeline/build/per-user-protocol.ts')).toContain('src/pipeline/build/models.ts');
    expect(importCircles(g)).toEqual([]);
  });

  it('finds a circle through imports, re-exports, type imports and import()', () => {
    const root = mkdtempSync(join(tmpdir(), 'ondeck-graph-'));
    mkdirSync(join(root, 'src', 'x'), { recursive: true });
    const w = (name: string, text: string) => writeFileSync(join(root, 'src', name), text);
    w('a.ts', "import {\n  b,\n} from './b.ts';\n");
    w('b.ts', "export { c } from './x/c.ts';\n");
    w('x/c.ts', "import type { A } from '../a.ts';\n");
    w('d.ts', "const e = await import('./e.ts');\n");
    w('e.ts', "import './d.ts';\nconst s = 'https://example.com/import.ts';\n");
    w('f.ts', "import { a } from './a.ts';\n");
    const circles = importCircles(importGraph(root, ['src']));
    expect(circles).toEqual([['src/a.ts', 'src/b.ts', 'src/x/c.ts'], ['src/d.ts', 'src/e.ts']]);
  });
});
