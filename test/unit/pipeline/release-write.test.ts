import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import spec from '../../fixtures/feature-spec.json' with { type: 'json' };
import type { FeatureSpecInput } from '../../../src/core/features/index.ts';
import { NO_NEIGHBOUR, type StepTable } from '../../../src/core/feed/index.ts';
import { parseManifest, shardArtifacts, type ReleaseManifest } from '../../../src/core/release/index.ts';
import { ReleaseIntegrityError } from '../../../src/core/release/errors.ts';
import { decodeShard, scoreShard, type Shard } from '../../../src/core/shard/index.ts';
import { createRng, type Item } from '../../../src/pipeline/data/index.ts';
import { defaultItemColumns, verifyRelease, writeRelease } from '../../../src/pipeline/release/index.ts';
import { RELEASE_DEFAULTS } from '../../../src/pipeline/release/defaults.ts';
import { ReleaseConflictError, ReleaseInputError, ReleaseNotFoundError } from '../../../src/pipeline/release/errors.ts';
import { CREATED_DAYS_UNKNOWN } from '../../../src/pipeline/release/item-columns.ts';
import { rollback } from '../../../src/pipeline/release/rollback.ts';
import { checkServableRelease } from '../../../src/cli/start.ts';
import type { ItemRecord, WriteReleaseOptions } from '../../../src/pipeline/release/types.ts';

const DIM = 32;
const N = 2000;
const DAY = 86_400_000;
const CATEGORIES = ['news', 'music', 'sports', 'comedy', 'gaming'];

/** A catalogue of N items: embeddings around 16 topics (unit length), Zipf-like popularity, some unknown fields. */
function catalogue(seed: number) {
  const rng = createRng(seed);
  const topics = Float32Array.from({ length: 16 * DIM }, () => rng.normal());
  const items: Item[] = [];
  const records: ItemRecord[] = [];
  const popularity = new Float32Array(N);
  for (let i = 0; i < N; i++) {
    const t = rng.int(16);
    const e = new Float32Array(DIM);
    let ss = 0;
    for (let j = 0; j < DIM; j++) {
      e[j] = topics[t * DIM + j]! + 0.6 * rng.normal();
      ss += e[j]! ** 2;
    }
    for (let j = 0; j < DIM; j++) e[j] = e[j]! / Math.sqrt(ss);
    const created = i % 10 === 3 ? undefined : Date.UTC(2024, 0, 1) + Math.floor(rng.next() * 60 * DAY);
    const item: Item = {
      id: `v-${i}`,
      title: `Video ${i} ✓`,
      categories: i % 7 === 0 ? [] : [CATEGORIES[i % 5]!, 'unknown-cat', CATEGORIES[(i + 2) % 5]!],
      ...(i % 9 === 0 ? {} : { durationSeconds: 30 + (i % 600) + 0.4 }),
      ...(created === undefined ? {} : { created }),
      ...(i % 4 === 0 ? { image: `https://img.example.com/${i}.jpg` } : {}),
    };
    items.push(item);
    records.push({ id: item.id, embedding: e, ...(created === undefined ? {} : { created }) });
    popularity[i] = Math.floor(1000 / (1 + ((i * 7919) % N)) ** 0.9 + rng.next() * 3);
  }
  return { items, records, popularity };
}

const ranker = {
  bytes: new TextEncoder().encode('not really ONNX, but the manifest only needs its hash and size'),
  inputs: [
    { name: 'item_id', tensor: 'item_id' },
    { name: 'duration', tensor: 'duration' },
    { name: 'user_vector', tensor: 'user_vector' },
  ],
  outputs: { pClick: 'p_click', watchFraction: 'watch_fraction' },
};

function options(outDir: string, seed = 1, over: Partial<WriteReleaseOptions> = {}): WriteReleaseOptions {
  const { items, records, popularity } = catalogue(seed);
  const { columns, meta } = defaultItemColumns({ items, popularity, categories: CATEGORIES });
  return {
    outDir,
    created: `2024-03-0${seed}T12:34:56Z`,
    featureSpec: structuredClone(spec) as FeatureSpecInput,
    embeddingDim: DIM,
    items: records,
    columns,
    meta,
    popularity,
    models: { ranker },
    extraArtifacts: [{ name: 'eval-report', kind: 'report', bytes: new TextEncoder().encode('{"auc":0.7}'), ext: 'json' }],
    seed,
    // The ranker is a stand-in: no golden vectors (release-golden.test.ts has real models).
    golden: false,
    ...over,
  };
}

async function thrown(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a rejection');
}

let root: string;
let outDir: string;
let first: Awaited<ReturnType<typeof writeRelease>>;
const shards = new Map<string, Shard>();

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'ondeck-release-'));
  outDir = join(root, 'site', 'release');
  first = await writeRelease(options(outDir));
  for (const a of first.manifest.artifacts.filter((a) => a.kind === 'shard' || a.kind === 'centroids')) {
    shards.set(a.name, decodeShard(await readFile(join(outDir, a.url))));
  }
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('writeRelease', () => {
  it('writes a manifest that parses, with content-addressed artifacts and a default release id', async () => {
    const m = parseManifest(JSON.parse(await readFile(join(outDir, 'manifest.json'), 'utf8')));
    expect(m).toEqual(first.manifest);
    expect(m.releaseId).toMatch(/^r-20240301-123456-[0-9a-f]{8}$/);
    expect(m.clusters).toBe(10); // chooseClusterCount(2000): 200 items per cluster
    expect(m.embeddingDim).toBe(DIM);
    for (const a of m.artifacts) {
      expect(a.url).toBe(`artifacts/${a.sha256}.${a.kind === 'model' ? 'onnx' : a.kind === 'report' ? 'json' : 'bin'}`);
      expect((await readFile(join(outDir, a.url))).length).toBe(a.bytes);
    }
    expect(m.artifacts.map((a) => a.name)).toEqual([
      'head',
      ...Array.from({ length: 10 }, (_, c) => `cluster-${c}`),
      'centroids',
      'ranker',
      'eval-report',
    ]);
    expect(m.models.ranker).toEqual({ artifact: 'ranker', inputs: ranker.inputs, outputs: ranker.outputs });
    expect(first.files).toContain(`releases/${m.releaseId}.json`);
    expect(await readFile(join(outDir, 'releases', `${m.releaseId}.json`), 'utf8')).toBe(
      await readFile(join(outDir, 'manifest.json'), 'utf8'),
    );
    // No temporary folder left next to the release.
    expect((await readdir(dirname(outDir))).filter((f) => f.startsWith(RELEASE_DEFAULTS.tempPrefix))).toEqual([]);
  });

  it('is reproducible: same inputs, seed and time give the same release id and bytes', async () => {
    const again = await writeRelease(options(join(root, 'again')));
    expect(again.manifest).toEqual(first.manifest);
  });

  it('verifies: every item in exactly one cluster shard, sizes and hashes right', async () => {
    const s = await verifyRelease(outDir);
    expect(s).toMatchObject({ releaseId: first.manifest.releaseId, items: N, headItems: 100, clusters: 10, shards: 11 });
    expect(s.bytes).toBe(first.manifest.artifacts.reduce((t, a) => t + a.bytes, 0));
    expect(s.bytesPerItem).toBeGreaterThan(DIM + 8);
    expect(s.bytesPerItem).toBeLessThan(DIM + 160);
    expect(s.clusterItems.min).toBeGreaterThan(20);
    // Independently of verifyRelease: the cluster shards partition the catalogue.
    const { clusters } = shardArtifacts(first.manifest);
    const seen: string[] = [];
    for (const a of clusters) {
      const shard = shards.get(a.name)!;
      expect(shard.cluster).toBe(a.cluster);
      expect(shard.quantization).toBe('int8-residual');
      for (let i = 0; i < shard.count; i++) seen.push(shard.id(i) as string);
    }
    expect(seen.length).toBe(N);
    expect(new Set(seen).size).toBe(N);
  });

  it('puts the most popular and the newest items in the head', () => {
    const { items, popularity } = catalogue(1);
    const head = shards.get('head')!;
    expect(head.cluster).toBe(-1);
    expect(head.centroid).toBeNull();
    expect(head.quantization).toBe('int8');
    expect(head.count).toBe(100); // 5% of 2,000
    const ids = new Set(Array.from({ length: head.count }, (_, i) => head.id(i)));
    const byPopularity = items.map((_, i) => i).sort((a, b) => popularity[b]! - popularity[a]! || a - b);
    const popular = byPopularity.slice(0, 70).map((i) => items[i]!.id);
    for (const id of popular) expect(ids.has(id)).toBe(true);
    const newest = items
      .map((_, i) => i)
      .filter((i) => items[i]!.created !== undefined && !popular.includes(items[i]!.id))
      .sort((a, b) => items[b]!.created! - items[a]!.created! || a - b)
      .slice(0, 30)
      .map((i) => items[i]!.id);
    for (const id of newest) expect(ids.has(id)).toBe(true);
    // Head order: the most popular first.
    expect(head.id(0)).toBe(items[byPopularity[0]!]!.id);
  });

  it('stores the ranking columns and meta of each item', () => {
    const { items, popularity } = catalogue(1);
    const byId = new Map(items.map((it, i) => [it.id, i]));
    let checked = 0;
    for (const [name, shard] of shards) {
      if (name === 'centroids') continue;
      expect(shard.columns.map((c) => `${c.name}:${c.type}:${c.width}`)).toEqual([
        'category:u16:3',
        'durationSeconds:u32:1',
        'createdDays:i32:1',
        'popularity:f32:1',
      ]);
      for (let r = 0; r < shard.count; r += 17) {
        const i = byId.get(shard.id(r) as string)!;
        const it = items[i]!;
        const cats = Array.from(shard.column('category').subarray(r * 3, r * 3 + 3));
        expect(cats).toEqual(i % 7 === 0 ? [0, 0, 0] : [(i % 5) + 1, ((i + 2) % 5) + 1, 0]);
        expect(shard.column('durationSeconds')[r]).toBe(it.durationSeconds === undefined ? 0 : Math.round(it.durationSeconds));
        expect(shard.column('createdDays')[r]).toBe(it.created === undefined ? CREATED_DAYS_UNKNOWN : Math.floor(it.created / DAY));
        expect(shard.column('popularity')[r]).toBe(popularity[i]);
        expect(shard.meta('title', r)).toBe(it.title);
        expect(shard.meta('image', r)).toBe(it.image ?? '');
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(100);
  });

  it('scores residual cluster shards like the exact dot product', () => {
    const { records } = catalogue(1);
    const byId = new Map(records.map((r) => [r.id, r.embedding]));
    const rng = createRng(99);
    const q = Float32Array.from({ length: DIM }, () => rng.normal());
    const qn = Math.hypot(...q);
    for (let j = 0; j < DIM; j++) q[j] = q[j]! / qn;
    let worst = 0;
    for (const a of shardArtifacts(first.manifest).clusters) {
      const shard = shards.get(a.name)!;
      const scores = scoreShard(q, shard);
      for (let i = 0; i < shard.count; i++) {
        const v = byId.get(shard.id(i) as string)!;
        let exact = 0;
        for (let j = 0; j < DIM; j++) exact += q[j]! * v[j]!;
        worst = Math.max(worst, Math.abs(scores[i]! - exact) / Math.hypot(...v));
      }
    }
    expect(worst).toBeLessThan(1e-2);
    expect(worst).toBeGreaterThan(0); // it is quantised
  });

  it('writes centroids a device can route with: its own vector picks its own cluster', () => {
    const { records } = catalogue(1);
    const centroids = shards.get('centroids')!;
    expect(centroids.count).toBe(10);
    const sizes = centroids.column('items');
    const { clusters } = shardArtifacts(first.manifest);
    let agree = 0;
    let total = 0;
    for (const a of clusters) {
      const shard = shards.get(a.name)!;
      expect(sizes[a.cluster!]).toBe(shard.count);
      expect(centroids.id(a.cluster!)).toBe(a.cluster);
      for (let i = 0; i < shard.count; i += 5) {
        const v = records[Number((shard.id(i) as string).slice(2))]!.embedding;
        const s = scoreShard(v, centroids);
        agree += s.indexOf(Math.max(...s)) === a.cluster ? 1 : 0;
        total++;
      }
    }
    // Exact with float centroids; the int8 centroids may flip near-ties.
    expect(agree / total).toBeGreaterThan(0.97);
  });

  it('stores u32 ids when every id is numeric', async () => {
    const base = options(join(root, 'numeric'), 2);
    const items = base.items.slice(0, 300).map((r, i) => ({ ...r, id: String(1000 + i) }));
    const r = await writeRelease({ ...base, items, columns: [], meta: [], popularity: base.popularity.slice(0, 300) });
    expect(r.manifest.clusters).toBe(1);
    const head = decodeShard(await readFile(join(root, 'numeric', shardArtifacts(r.manifest).head.url)));
    expect(head.ids).toBeInstanceOf(Uint32Array);
    expect(head.count).toBe(15);
    expect((await verifyRelease(join(root, 'numeric'))).items).toBe(300);
  });
});

describe('publishing is atomic and can be rolled back', () => {
  const snapshot = async (dir: string) => ({
    manifest: await readFile(join(dir, 'manifest.json'), 'utf8'),
    artifacts: (await readdir(join(dir, 'artifacts'))).sort(),
  });

  it('a failing write leaves the previous release current, whole and loadable', async () => {
    const before = await snapshot(outDir);
    const failures: [string, Partial<WriteReleaseOptions>, string][] = [
      ['an invalid feature spec', { featureSpec: { version: 1, features: [] } as FeatureSpecInput }, 'featureSpec.features'],
      ['a 0-byte ranker', { models: { ranker: { ...ranker, bytes: new Uint8Array(0) } } }, 'models.ranker.bytes'],
      [
        'a ranker input that is no tensor of the spec',
        { models: { ranker: { ...ranker, inputs: [{ name: 'x', tensor: 'watch_time' }] } } },
        'models.ranker.inputs[0].tensor',
      ],
      // Passes the early checks; fails in parseManifest after every shard was staged.
      [
        'an extra artifact named like a cluster shard',
        { extraArtifacts: [{ name: 'cluster-3', kind: 'report', bytes: new Uint8Array([1]) }] },
        'artifacts[13].name',
      ],
    ];
    for (const [label, over, field] of failures) {
      const err = await thrown(writeRelease(options(outDir, 3, over)));
      expect([label, err.name, (err as ReleaseInputError).field]).toEqual([label, 'ReleaseInputError', field]);
      expect(err).toBeInstanceOf(ReleaseInputError);
      expect(await snapshot(outDir)).toEqual(before);
    }
    expect((await readdir(dirname(outDir))).filter((f) => f.startsWith(RELEASE_DEFAULTS.tempPrefix))).toEqual([]);
    expect((await verifyRelease(outDir)).releaseId).toBe(first.manifest.releaseId);
  });

  it('refuses to reuse a release id for different content', async () => {
    const before = await snapshot(outDir);
    const err = await thrown(writeRelease(options(outDir, 4, { releaseId: first.manifest.releaseId })));
    expect(err).toBeInstanceOf(ReleaseConflictError);
    expect(err.name).toBe('ReleaseConflictError');
    expect(await snapshot(outDir)).toEqual(before);
  });

  it('publishes a second release reusing unchanged artifacts, and rolls back to the first', async () => {
    const second = await writeRelease(options(outDir, 5));
    expect(second.manifest.releaseId).not.toBe(first.manifest.releaseId);
    expect(second.reused).toBe(2); // the ranker and the report: same bytes, same files
    expect((await verifyRelease(outDir)).releaseId).toBe(second.manifest.releaseId);

    const restored: ReleaseManifest = await rollback(outDir, first.manifest.releaseId);
    expect(restored).toEqual(first.manifest);
    expect(await readFile(join(outDir, 'manifest.json'), 'utf8')).toBe(
      await readFile(join(outDir, 'releases', `${first.manifest.releaseId}.json`), 'utf8'),
    );
    expect((await verifyRelease(outDir)).releaseId).toBe(first.manifest.releaseId);
    // ... and forward again.
    await rollback(outDir, second.manifest.releaseId);
    expect((await verifyRelease(outDir)).releaseId).toBe(second.manifest.releaseId);

    const unknown = await thrown(rollback(outDir, 'r-19990101-000000-deadbeef'));
    expect(unknown).toBeInstanceOf(ReleaseNotFoundError);
    expect(unknown.message).toContain(first.manifest.releaseId);
    await expect(rollback(outDir, '../manifest')).rejects.toThrow(/releaseId: must be 1-128 characters/);
  });

  it('names a tampered or missing artifact, and will not roll back onto it', async () => {
    const dir = join(root, 'tamper');
    const r = await writeRelease(options(dir, 6));
    await writeRelease(options(dir, 7));
    const victim = shardArtifacts(r.manifest).clusters[3]!;
    const path = join(dir, victim.url);
    const original = await readFile(path);
    const flipped = Uint8Array.from(original);
    flipped[100] = flipped[100]! ^ 1;
    await writeFile(path, flipped);

    const rolled = await thrown(rollback(dir, r.manifest.releaseId));
    expect(rolled).toBeInstanceOf(ReleaseIntegrityError);
    expect((rolled as ReleaseIntegrityError).artifact).toBe(victim.name);
    await rollback(dir, r.manifest.releaseId).catch(() => undefined);
    expect(JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')).releaseId).not.toBe(r.manifest.releaseId);

    // Make the tampered release current by hand, as a bad copy would: verify catches it.
    await writeFile(join(dir, 'manifest.json'), await readFile(join(dir, 'releases', `${r.manifest.releaseId}.json`)));
    const err = await thrown(verifyRelease(dir));
    expect(err).toBeInstanceOf(ReleaseIntegrityError);
    expect(err.name).toBe('ReleaseIntegrityError');
    expect((err as ReleaseIntegrityError).artifact).toBe(victim.name);
    expect((err as ReleaseIntegrityError).reason).toBe('sha256');
    expect(err.message).toContain(`artifact "${victim.name}" sha256`);

    await writeFile(path, original.subarray(0, original.length - 1));
    expect(await thrown(verifyRelease(dir))).toMatchObject({ artifact: victim.name, reason: 'size' });
    await rm(path);
    expect(await thrown(verifyRelease(dir))).toMatchObject({ artifact: victim.name, reason: 'missing' });
    expect(basename(path)).toBe(`${victim.sha256}.bin`);

    await expect(verifyRelease(join(root, 'nothing-here'))).rejects.toBeInstanceOf(ReleaseNotFoundError);
  });

  it('decodes the step table: one in another layout, with a manifest that matches its bytes, is named with what to do', async () => {
    const dir = join(root, 'steps');
    const steps: StepTable = {
      ids: ['i0', 'i1', 'i2'],
      width: 2,
      neighbours: Uint16Array.from([1, 2, 0, NO_NEIGHBOUR, 1, 0]),
      levels: Uint8Array.from([255, 3, 255, 0, 255, 40]),
      scales: Float32Array.from([0.5, 1, 0.25]),
      entries: 8,
      decay: 0.85,
      events: ['like', 'skip'],
    };
    const r = await writeRelease(options(dir, 8, { steps }));
    const ref = r.manifest.artifacts.find((a) => a.kind === 'steps')!;
    expect((await verifyRelease(dir)).artifacts).toBe(r.manifest.artifacts.length);

    // What an intermediate format with a weight of four bytes wrote (its version number the same):
    // the manifest's size and SHA-256 match these bytes, only the layout is not this code's.
    const wide = new Uint8Array((await readFile(join(dir, ref.url))).length + 3 * 6);
    wide.set(await readFile(join(dir, ref.url)));
    const sha256 = createHash('sha256').update(wide).digest('hex');
    await writeFile(join(dir, 'artifacts', `${sha256}.bin`), wide);
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as ReleaseManifest;
    Object.assign(manifest.artifacts.find((a) => a.kind === 'steps')!, { url: `artifacts/${sha256}.bin`, bytes: wide.length, sha256 });
    await writeFile(join(dir, 'manifest.json'), JSON.stringify(manifest));
    const err = await thrown(verifyRelease(dir));
    expect(err).toBeInstanceOf(ReleaseIntegrityError);
    expect(err).toMatchObject({ artifact: ref.name, reason: 'undecodable' });
    expect(err.message).toContain(`${wide.length} bytes, expected ${wide.length - 18} for 3 rows × 2 neighbours`);
    expect(err.message).toContain('rebuild the release');

    // `ondeck start` refuses to serve it, with what to run, rather than a page stuck at its first feed.
    const refused = await thrown(checkServableRelease(dir));
    expect(refused.name).toBe('OndeckError');
    expect(refused.message).toContain(`${dir}/ holds a release this version of ondeck cannot serve (artifact "${ref.name}" undecodable:`);
    expect(refused.message).toContain('`npm run demo-release`');
    await checkServableRelease(outDir);
    await checkServableRelease(join(root, 'nothing-here'));
  });
});
