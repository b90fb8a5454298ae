#!/usr/bin/env node
// prepack: copies the repo's Node sources (src/cli, src/server, src/pipeline and the shared
// src/core) into this package, so its tarball holds them; `postpack` (--clean) removes the copy.
import { cpSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';

const PKG = resolve(import.meta.dirname, '..');
const REPO = resolve(PKG, '../..');
const FOLDERS = ['src/cli', 'src/server', 'src/pipeline', 'src/core'];

rmSync(resolve(PKG, 'src'), { recursive: true, force: true });
if (!process.argv.includes('--clean')) {
  for (const f of FOLDERS) cpSync(resolve(REPO, f), resolve(PKG, f), { recursive: true, filter: (p) => !p.endsWith('.test.ts') });
}
