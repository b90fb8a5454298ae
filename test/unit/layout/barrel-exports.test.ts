// Barrels export the folder's API only: every name an index.ts re-exports is imported through it
// by a file in another folder (tests import the files they test directly).
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { barrels, unusedBarrelExports } from '../../support/barrel-exports.ts';

const SCAN = {
  dirs: ['src', 'workers'],
  importers: ['src', 'workers', 'packages/ondeck/src'],
  testImporters: ['test'],
  // The package's entry: its names are for the apps that install it.
  entries: ['src/client/index.ts'],
};

describe('barrels', () => {
  it('in src/ and workers/ export only names another folder imports', () => {
    expect(barrels(process.cwd(), SCAN.dirs).length).toBeGreaterThan(40);
    expect(unusedBarrelExports(process.cwd(), SCAN)).toEqual([]);
  });

  it('the check sees re-exports, aliases, type exports, imports from inside the folder, and index.ts code', () => {
    const root = mkdtempSync(join(tmpdir(), 'ondeck-barrels-'));
    for (const d of ['src/a', 'src/a/inner', 'src/b', 'src/r', 'test']) mkdirSync(join(root, d), { recursive: true });
    const w = (name: string, text: string) => writeFileSync(join(root, name), text);
    w('src/a/x.ts', 'export const used = 1, unused = 2, viaAlias = 3;\nexport type T = number;\nexport type U = string;\n');
    w('src/a/index.ts', "export { used, unused, viaAlias as aliased } from './x.ts';\nexport type {\n  T,\n  U,\n} from './x.ts';\n");
    // From inside the folder: does not count.
    w('src/a/inner/y.ts', "import { unused } from '../index.ts';\n");
    w('src/b/z.ts', "import { used, type T } from '../a/index.ts';\nimport type { aliased } from '../a/index.ts';\n");
    // A route module: its own code, which a test may import.
    w('src/r/index.ts', "export function route() {}\nexport const PATTERN = /x/;\nexport interface Hidden { a: 1 }\n");
    w('test/t.test.ts', "import { PATTERN } from '../src/r/index.ts';\nimport { U } from '../src/a/index.ts';\n");
    w('src/b/w.ts', "import { route } from '../r/index.ts';\n");
    expect(unusedBarrelExports(root, { dirs: ['src'], importers: ['src'], testImporters: ['test'], entries: [] })).toEqual([
      { barrel: 'src/a/index.ts', name: 'U' },
      { barrel: 'src/a/index.ts', name: 'unused' },
      { barrel: 'src/r/index.ts', name: 'Hidden' },
    ]);
  });
});
