#!/usr/bin/env node
// `npm run build -w ondeck` (and prepack): the worker and page bundles (build.config.ts), then
// the declarations (tsc) with their relative `.ts` specifiers rewritten to `.js`, as an app's
// TypeScript resolves them in dist/types/.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { register } from 'tsx/esm/api';
import { build } from 'vite';

const PKG = resolve(import.meta.dirname, '..');
const TYPES = join(PKG, 'dist/types');

register();
const { OUT, pageBuild, workerBuild } = await import('../build.config.ts');
await build(workerBuild);
await build(pageBuild);
for (const f of ['index.js', 'feed-worker.js', 'ort-wasm-simd-threaded.jsep.wasm', 'ort-wasm-simd-threaded.jsep.mjs']) {
  if (!existsSync(join(OUT, f))) throw new Error(`ondeck build: dist/${f} is missing`);
}
const index = readFileSync(join(OUT, 'index.js'), 'utf8');
for (const f of ['./feed-worker.js', './ort-wasm-simd-threaded.jsep.wasm', './ort-wasm-simd-threaded.jsep.mjs']) {
  // What bundlers and browsers resolve: the file's name, relative, in `new URL(…, import.meta.url)`.
  if (!new RegExp(`new URL\\(["'\`]${f.replace(/\./g, '\\.')}["'\`],\\s*import\\.meta\\.url\\)`).test(index)) {
    throw new Error(`ondeck build: dist/index.js does not reference ${f} with new URL(…, import.meta.url)`);
  }
}
if (/^\s*import\s[^;]*from\s*["'][^./]/m.test(index)) throw new Error('ondeck build: dist/index.js has a bare import');

execFileSync(process.execPath, [resolve(PKG, '../../node_modules/typescript/bin/tsc'), '-p', join(PKG, 'tsconfig.types.json')], { stdio: 'inherit' });
const SPECIFIER = /((?:from|import)\s*\(?\s*['"])(\.{1,2}\/[^'"]+)\.ts(['"])/g;
for (const entry of readdirSync(TYPES, { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || !entry.name.endsWith('.d.ts')) continue;
  const file = join(entry.parentPath, entry.name);
  const text = readFileSync(file, 'utf8');
  const out = text.replace(SPECIFIER, '$1$2.js$3');
  if (out !== text) writeFileSync(file, out);
}
console.error(`ondeck: built ${OUT}`);
