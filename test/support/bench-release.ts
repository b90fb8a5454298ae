// Releases over synthetic catalogues: a 100k-item one for the device benchmark, a 6k-item one
// for tests that need many clusters. Both: the fixture release's models and feature spec
// (trained by the pipeline), over a catalogue of random unit vectors clustered by the release
// writer like any other. Ids beyond the spec's vocabulary map to "unknown", which costs the
// ranker nothing: the timings are what this is for, not the recommendations.
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseManifest } from '../../src/core/release/index.ts';
import { NO_NEIGHBOUR, categoryVocab, decodeStepTable, type StepTable } from '../../src/core/feed/index.ts';
import { writeRelease } from '../../src/pipeline/release/index.ts';
import { Writable } from 'node:stream';
import { runBuild } from '../../src/pipeline/build/index.ts';
import { BUILD_DEFAULTS } from '../../src/pipeline/build/defaults.ts';
import { createProgress } from '../../src/pipeline/progress/index.ts';
import { ensureFixtureRelease, sourceStamp } from './fixture-release.ts';
import { ML100K_DIR, ML100K_PRESENT } from './movielens.ts';
import { TEST_SIGNING_KEY_FILE, ensureSignedBy, testSigningKey } from './release-key.ts';
import { gaussianRows, mulberry32 } from './vector-data.ts';

export const BENCH_RELEASE_DIR = resolve('test/fixtures/bench-release-cache');
export const BENCH_RELEASE_URL = '/test/fixtures/bench-release-cache/manifest.json';

export async function ensureBenchRelease(n = 100_000): Promise<string> {
  return ensureCatalogRelease(BENCH_RELEASE_DIR, n);
}

/** A smaller one for tests that need many clusters (the fixture release has one). */
export const CLUSTER_RELEASE_DIR = resolve('test/fixtures/cluster-release-cache');
export const CLUSTER_RELEASE_URL = '/test/fixtures/cluster-release-cache/manifest.json';

export async function ensureClusterRelease(): Promise<string> {
  return ensureCatalogRelease(CLUSTER_RELEASE_DIR, 6000);
}

/** Other catalogue sizes for the feed benchmark (10k, 1M), beside the 100k one. */
export function sizedReleaseDir(n: number): string {
  return resolve(`test/fixtures/bench-release-${n}-cache`);
}
export function sizedReleaseUrl(n: number): string {
  return `/test/fixtures/bench-release-${n}-cache/manifest.json`;
}
export async function ensureSizedRelease(n: number): Promise<string> {
  return n === 100_000 ? ensureBenchRelease() : ensureCatalogRelease(sizedReleaseDir(n), n);
}

/**
 * Reused while it was built from the current fixture release (whose stamp is copied beside it):
 * a catalogue release kept from older models once made the benchmark time a ranker without the
 * features the pipeline ships now.
 */
export async function ensureCatalogRelease(dir: string, n: number): Promise<string> {
  const fixture = await ensureFixtureRelease();
  const stamp = readFileSync(join(fixture, 'source.sha256'), 'utf8');
  const stampFile = join(dir, 'fixture.sha256');
  if (existsSync(join(dir, 'manifest.json')) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) {
    await ensureSignedBy(dir, testSigningKey());
    return dir;
  }
  rmSync(dir, { recursive: true, force: true });
  const manifest = parseManifest(JSON.parse(readFileSync(join(fixture, 'manifest.json'), 'utf8')));
  const model = (name: string) => new Uint8Array(readFileSync(join(fixture, manifest.artifacts.find((a) => a.name === name)!.url)));
  const dim = manifest.embeddingDim;
  const rand = mulberry32(17);
  const vectors = gaussianRows(n, dim, rand);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < dim; j++) s += vectors[i * dim + j]! ** 2;
    const inv = 1 / Math.sqrt(s);
    for (let j = 0; j < dim; j++) vectors[i * dim + j]! *= inv;
  }
  const now = Date.UTC(2025, 5, 1);
  const vocab = categoryVocab(manifest.featureSpec);
  const items = Array.from({ length: n }, (_, i) => ({ id: `b${i}`, embedding: vectors.subarray(i * dim, (i + 1) * dim), created: now - Math.floor(rand() * 400) * 86_400_000 }));
  const categories = items.map(() => [vocab[Math.floor(rand() * vocab.length)]!]);
  const popularity = Float32Array.from(items, (_, i) => 1000 / (1 + i));
  // A step table like a build's: rows for the most popular items (the item-item model's, at most
  // 3,000), each with the fixture's width of neighbours, so next() pays for the sequence score.
  const fixtureSteps = manifest.artifacts.find((a) => a.kind === 'steps');
  const steps = fixtureSteps ? benchSteps(decodeStepTable(new Uint8Array(readFileSync(join(fixture, fixtureSteps.url)))), items.map((x) => x.id), rand) : undefined;
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  await writeRelease({
    outDir: tmp,
    featureSpec: manifest.featureSpec,
    embeddingDim: dim,
    items,
    columns: [
      { name: 'category', type: 'u16', width: 1, values: (i) => [vocab.indexOf(categories[i]![0]!) + 1] },
      { name: 'durationSeconds', type: 'u32', values: (i) => 60 + (i % 1800) },
      { name: 'createdDays', type: 'i32', values: (i) => Math.floor(items[i]!.created / 86_400_000) },
      { name: 'popularity', type: 'f32', values: (i) => popularity[i]! },
    ],
    meta: [{ name: 'title', value: (i) => `Benchmark item ${i}` }],
    popularity,
    models: {
      ranker: { bytes: model(manifest.models.ranker.artifact), inputs: manifest.models.ranker.inputs, outputs: { pClick: manifest.models.ranker.outputs.pClick! } },
      userTower: { bytes: model(manifest.models.userTower!.artifact), inputs: manifest.models.userTower!.inputs, outputs: { userVector: manifest.models.userTower!.outputs.userVector! } },
    },
    ...(steps ? { steps } : {}),
    seed: 1,
    signingKey: testSigningKey(),
  });
  writeFileSync(join(tmp, 'fixture.sha256'), stamp);
  if (!existsSync(join(dir, 'manifest.json'))) {
    rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
  } else rmSync(tmp, { recursive: true, force: true });
  return dir;
}

/**
 * The release `ondeck build --dataset movielens` ships, for the feed benchmark: its ranker is
 * what a MovieLens user gets (history of 300, profile features), which the synthetic catalogues
 * above (the small fixture's models) are not. Built once per source stamp from the local copy of
 * MovieLens-100K (test/support/movielens.ts), never committed (its licence). Null without it.
 */
export const ML100K_RELEASE_DIR = resolve('test/fixtures/bench-release-ml100k-cache');
export const ML100K_RELEASE_URL = '/test/fixtures/bench-release-ml100k-cache/manifest.json';

export async function ensureMovieLensRelease(): Promise<string | null> {
  if (!ML100K_PRESENT) return null;
  const stamp = sourceStamp();
  const stampFile = join(ML100K_RELEASE_DIR, 'source.sha256');
  if (existsSync(join(ML100K_RELEASE_DIR, 'manifest.json')) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) return ML100K_RELEASE_DIR;
  rmSync(ML100K_RELEASE_DIR, { recursive: true, force: true });
  const tmp = `${ML100K_RELEASE_DIR}.tmp-${process.pid}`;
  const quiet = createProgress({ stream: Object.assign(new Writable({ write: (_c, _e, cb) => cb() }), { isTTY: false }), enabled: false });
  // As `ondeck build --dataset movielens` builds it: the CLI's defaults.
  await runBuild({ dataset: 'movielens', path: ML100K_DIR, out: tmp, epochs: BUILD_DEFAULTS.epochs, seed: BUILD_DEFAULTS.seed, releaseFrom: 'all', signingKey: TEST_SIGNING_KEY_FILE }, quiet);
  writeFileSync(join(tmp, 'source.sha256'), stamp);
  renameSync(tmp, ML100K_RELEASE_DIR);
  return ML100K_RELEASE_DIR;
}

/** A step table over the first (most popular) ids: `like`'s settings, random neighbours, falling weights. */
function benchSteps(like: StepTable, ids: readonly string[], rand: () => number): StepTable {
  const rows = Math.min(ids.length, 3000);
  const width = like.width;
  const neighbours = new Uint16Array(rows * width).fill(NO_NEIGHBOUR);
  const levels = new Uint8Array(rows * width);
  for (let r = 0; r < rows; r++) {
    for (let k = 0; k < width; k++) {
      neighbours[r * width + k] = Math.floor(rand() * rows);
      levels[r * width + k] = Math.max(1, Math.round(255 / (1 + k)));
    }
  }
  return { ...like, ids: ids.slice(0, rows), neighbours, levels, scales: new Float32Array(rows).fill(0.01) };
}
