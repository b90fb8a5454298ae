// The browser-plain project (no COOP/COEP) runs exactly the browser tests whose code can tell an
// isolated page from a plain one (test/support/isolation-files.ts); the rest run in `browser`.
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isolationSplit } from '../../support/isolation-files.ts';
import config from '../../../vite.config.ts';

describe('the browser-plain split', () => {
  const split = isolationSplit(process.cwd());

  it('puts every browser test in one list, the runtime ones in both projects', () => {
    const all = readdirSync('test/browser').filter((f) => f.endsWith('.test.ts')).map((f) => `test/browser/${f}`);
    expect(all.length).toBeGreaterThan(20);
    expect([...split.both, ...split.isolatedOnly].sort()).toEqual(all.sort());
    expect(split.both.filter((f) => split.isolatedOnly.includes(f))).toEqual([]);
    // Direct readers of the isolation, onnxruntime-web users, and the feed through its worker.
    for (const f of ['environment', 'ranking-runner', 'retrieval-backends', 'golden-parity', 'feed', 'feed-parity', 'privacy-defaults', 'sync-feed']) {
      expect(split.both).toContain(`test/browser/${f}.test.ts`);
    }
    expect(split.why['test/browser/feed.test.ts']).toBe('workers/feed/feed-service.ts');
    // IndexedDB, the sync queue, WebCrypto verification and the core's JS: the same either way.
    for (const f of ['history-store', 'history-migrations', 'sync-queue', 'release-verify', 'core-parity']) {
      expect(split.isolatedOnly).toContain(`test/browser/${f}.test.ts`);
    }
  });

  it('is what vite.config.ts gives browser-plain, while browser runs every file', () => {
    const projects = config.test!.projects as { test: { name: string; include: string[] } }[];
    const byName = new Map(projects.map((p) => [p.test.name, p.test.include]));
    expect(byName.get('browser')).toEqual(['test/browser/**/*.test.ts']);
    expect(byName.get('browser-plain')).toEqual(split.both);
  });

  it('follows imports, re-exports, import() and workers started with new URL(…, import.meta.url)', () => {
    const root = mkdtempSync(join(tmpdir(), 'ondeck-isolation-'));
    mkdirSync(join(root, 't'), { recursive: true });
    mkdirSync(join(root, 'w'), { recursive: true });
    const w = (name: string, text: string) => writeFileSync(join(root, name), text);
    w('w/reads.ts', 'export const threads = () => globalThis.crossOriginIsolated === true;\n');
    w('w/ort.ts', "import * as ort from 'onnxruntime-web';\nexport { ort };\n");
    w('w/worker.ts', "import { threads } from './reads.ts';\nthreads();\n");
    w('w/plain.ts', '// crossOriginIsolated in a comment does not count\nexport const x = 1;\n');
    w('w/barrel.ts', "export { ort } from './ort.ts';\n");
    w('t/a.test.ts', "new Worker(new URL('../w/worker.ts', import.meta.url), { type: 'module' });\n");
    w('t/b.test.ts', "import { x } from '../w/plain.ts';\n");
    w('t/c.test.ts', "const m = await import('../w/barrel.ts');\n");
    w('t/d.test.ts', "import { inject } from 'vitest';\nconst iso = inject('isolated');\n");
    const s = isolationSplit(root, 't');
    expect(s.both).toEqual(['t/a.test.ts', 't/c.test.ts', 't/d.test.ts']);
    expect(s.isolatedOnly).toEqual(['t/b.test.ts']);
    expect(s.why).toEqual({ 't/a.test.ts': 'w/reads.ts', 't/c.test.ts': 'w/ort.ts', 't/d.test.ts': 't/d.test.ts' });
  });
});
