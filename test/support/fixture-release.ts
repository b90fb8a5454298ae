// A tiny but real release, built by the pipeline from a generated CSV, for the device tests:
// real shards, real ONNX models. Built once into test/fixtures/release-cache/ (git-ignored) and
// reused while the code that builds it (src/core, src/pipeline) is unchanged: a stamp of that
// source sits beside it, and a different stamp rebuilds it (a stale release once made the parity
// test check features the pipeline no longer wrote). Concurrent builders write to their own
// folder and rename.
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { runBuild } from '../../src/pipeline/build/index.ts';
import { createProgress } from '../../src/pipeline/progress/index.ts';
import { TEST_SIGNING_KEY_FILE, ensureSignedBy, testSigningKey } from './release-key.ts';
import { writeTasteCsv } from './taste-csv.ts';

export const FIXTURE_RELEASE_DIR = resolve('test/fixtures/release-cache');
/** Where the Vite server of the browser projects serves it. */
export const FIXTURE_RELEASE_URL = '/test/fixtures/release-cache/manifest.json';

let building: Promise<string> | null = null;

export function ensureFixtureRelease(): Promise<string> {
  building ??= build();
  return building;
}

/** A digest of every file under src/core and src/pipeline (paths and contents, in path order). */
export function sourceStamp(): string {
  const hash = createHash('sha256');
  for (const root of ['src/core', 'src/pipeline']) {
    const files = readdirSync(root, { recursive: true, withFileTypes: true })
      .filter((d) => d.isFile())
      .map((d) => join(d.parentPath, d.name))
      .sort();
    for (const file of files) hash.update(file).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}

async function build(): Promise<string> {
  const stamp = sourceStamp();
  const stampFile = join(FIXTURE_RELEASE_DIR, 'source.sha256');
  if (existsSync(join(FIXTURE_RELEASE_DIR, 'manifest.json')) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) {
    await ensureSignedBy(FIXTURE_RELEASE_DIR, testSigningKey());
    return FIXTURE_RELEASE_DIR;
  }
  rmSync(FIXTURE_RELEASE_DIR, { recursive: true, force: true });
  const work = mkdtempSync(join(tmpdir(), 'ondeck-fixture-'));
  const csv = writeTasteCsv(join(work, 'data'), { users: 150, items: 240, categories: 6, seed: 3 });
  const out = join(work, 'release');
  const quiet = createProgress({ stream: Object.assign(new Writable({ write: (_c, _e, cb) => cb() }), { isTTY: false }), enabled: false });
  await runBuild({ dataset: 'csv', path: csv.interactions, items: csv.items, out, epochs: 2, seed: 11, releaseFrom: 'split', signingKey: TEST_SIGNING_KEY_FILE }, quiet);
  writeFileSync(join(out, 'source.sha256'), stamp);
  if (!existsSync(join(FIXTURE_RELEASE_DIR, 'manifest.json'))) {
    rmSync(FIXTURE_RELEASE_DIR, { recursive: true, force: true });
    try {
      renameSync(out, FIXTURE_RELEASE_DIR);
    } catch (err) {
      if (!existsSync(join(FIXTURE_RELEASE_DIR, 'manifest.json'))) throw err;
    }
  }
  rmSync(work, { recursive: true, force: true });
  return FIXTURE_RELEASE_DIR;
}
