// A "wide" release: models over every feature kind of the spec (test/fixtures/feature-spec.json:
// categorical, multi-categorical, numeric, bucketized, dense, history, history share), so the
// ranker's x0 is 11 parts (a tree of Concats) and the user tower reads dense and pooled inputs.
// Untrained weights (the tests check runtimes against golden vectors, not quality); a catalogue
// of random unit vectors. Built once into test/fixtures/wide-release-cache/ (git-ignored).
import { existsSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import specJson from '../fixtures/feature-spec.json' with { type: 'json' };
import { parseFeatureSpec } from '../../src/core/features/index.ts';
import { exportRankerOnnx, exportUserTowerOnnx } from '../../src/pipeline/export/index.ts';
import { writeRelease } from '../../src/pipeline/release/index.ts';
import { disposeDcn, disposeTwoTower, ensureTrainingBackend, exportDcnWeights, exportTwoTowerWeights, initDcn } from '../../src/pipeline/train/index.ts';
import { initTwoTower } from '../../src/pipeline/train/two-tower.ts';
import { gaussianRows, mulberry32 } from './vector-data.ts';
import { ensureSignedBy, testSigningKey } from './release-key.ts';

export const WIDE_RELEASE_DIR = resolve('test/fixtures/wide-release-cache');
export const WIDE_RELEASE_URL = '/test/fixtures/wide-release-cache/manifest.json';

const N = 600;
const DIM = 16;
const CATEGORIES = ['news', 'music', 'sports', 'comedy', 'gaming'];

let building: Promise<string> | null = null;

export function ensureWideRelease(): Promise<string> {
  building ??= build();
  return building;
}

async function build(): Promise<string> {
  if (existsSync(join(WIDE_RELEASE_DIR, 'manifest.json'))) {
    await ensureSignedBy(WIDE_RELEASE_DIR, testSigningKey());
    return WIDE_RELEASE_DIR;
  }
  await ensureTrainingBackend();
  const spec = parseFeatureSpec(specJson);
  const dcn = await initDcn({ spec, embeddingDim: 8, deepLayers: [32, 16], crossLayers: 2, crossRank: 4, watchHead: true }, 21);
  const tt = await initTwoTower({ spec, embeddingDim: 8, userLayers: [32], itemLayers: [32], outputDim: DIM }, 22);
  const ranker = exportRankerOnnx(exportDcnWeights(dcn));
  const userTower = exportUserTowerOnnx(exportTwoTowerWeights(tt));
  disposeDcn(dcn);
  disposeTwoTower(tt);
  const rand = mulberry32(23);
  const vectors = gaussianRows(N, DIM, rand);
  const items = Array.from({ length: N }, (_, i) => {
    const e = vectors.subarray(i * DIM, (i + 1) * DIM);
    const norm = Math.hypot(...e);
    return { id: `w${i}`, embedding: e.map((x) => x / norm), created: Date.UTC(2025, 0, 1) + i * 3_600_000 };
  });
  const tmp = `${WIDE_RELEASE_DIR}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  await writeRelease({
    outDir: tmp,
    created: '2025-06-01T12:00:00Z',
    featureSpec: spec,
    embeddingDim: DIM,
    items,
    columns: [
      { name: 'durationSeconds', type: 'u32', values: (i) => 60 + ((i * 37) % 1800) },
      { name: 'popularity', type: 'f32', values: (i) => 1000 / (1 + i) },
    ],
    meta: [{ name: 'category', value: (i) => CATEGORIES[i % CATEGORIES.length]! }],
    popularity: Float32Array.from(items, (_, i) => 1000 / (1 + i)),
    models: { ranker, userTower },
    clusters: 3,
    seed: 5,
    signingKey: testSigningKey(),
  });
  if (!existsSync(join(WIDE_RELEASE_DIR, 'manifest.json'))) {
    rmSync(WIDE_RELEASE_DIR, { recursive: true, force: true });
    renameSync(tmp, WIDE_RELEASE_DIR);
  } else rmSync(tmp, { recursive: true, force: true });
  return WIDE_RELEASE_DIR;
}
