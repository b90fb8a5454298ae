#!/usr/bin/env node
// The `ondeck` command (build | serve | start | …). The package ships TypeScript sources, which
// tsx runs without a build step. Packed, they lie in src/ beside bin/ (copied by
// scripts/pack-sources.mjs); in the repository, this package is a workspace over the repo's src/.
import { existsSync } from 'node:fs';
import { register } from 'tsx/esm/api';

const packed = new URL('../src/cli/main.ts', import.meta.url);
const main = existsSync(packed) ? packed : new URL('../../../src/cli/main.ts', import.meta.url);
register();
const cli = await import(main.href);
process.exitCode = await cli.main(process.argv.slice(2));
