/**
 * Writes a release: clusters the item vectors, cuts the head, cluster and centroid shards,
 * stores every artifact content-addressed, and publishes the manifest last.
 *
 * Publishing is the one mutable step, and it is atomic. Everything is first written and fsynced
 * into a temporary folder next to outDir; the manifest is validated with parseManifest; only
 * then are the new artifacts renamed into outDir/artifacts (immutable and named by their hash, so
 * adding them changes no existing release; ones already there are reused), the manifest saved as
 * releases/<id>.json for rollback (and the drift baseline, when given, as releases/<id>.drift.json),
 * and finally manifest.json replaced by a rename. Any failure before that rename leaves the
 * previous release current and whole; the temporary folder is removed either way.
 *
 * With a signing key the manifest is signed (signing.ts) with a sequence above the one of the
 * manifest it replaces. A release id names one content forever: writing the same content again
 * (a new sequence and signature) is no conflict.
 */
import { mkdir, mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { ArtifactKind, ArtifactRef } from '../../core/release/index.ts';
import { encodeStepTable } from '../../core/feed/index.ts';
import { decodeShard } from '../../core/shard/index.ts';
import {
  ARTIFACTS_DIR,
  MANIFEST_FILE,
  RELEASES_DIR,
  artifactPath,
  holdsBytes,
  sha256Hex,
  syncDir,
  writeDurable,
} from './artifact-store.ts';
import {
  CENTROIDS_ARTIFACT,
  HEAD_ARTIFACT,
  RANKER_ARTIFACT,
  STEPS_ARTIFACT,
  USER_TOWER_ARTIFACT,
  buildManifest,
  clusterArtifactName,
  defaultReleaseId,
  validateManifest,
} from './build-manifest.ts';
import { chooseClusterCount } from './cluster-count.ts';
import { driftBaselineFile } from './drift-baseline.ts';
import { RELEASE_DEFAULTS } from './defaults.ts';
import { ReleaseConflictError } from './errors.ts';
import { headSize, selectHead } from './head.ts';
import { goldenVectors } from './golden-vectors.ts';
import { kmeans } from './kmeans.ts';
import { checkRelease } from './release-input.ts';
import { nextSequence, signManifest } from './signing.ts';
import { compactClusters, encodeCentroids, encodeRows } from './shards.ts';
import type { WriteReleaseOptions, WriteReleaseResult } from './types.ts';

/** Cluster shards the golden rows take items from (besides the head). */
const GOLDEN_CLUSTERS = 3;

interface Staged {
  ref: ArtifactRef;
  /** Where it waits in the temporary folder; null when outDir already holds it (or it is staged twice). */
  tmpPath: string | null;
}

export async function writeRelease(o: WriteReleaseOptions): Promise<WriteReleaseResult> {
  const start = performance.now();
  const { featureSpec, catalog, itemCreated, created, extras } = checkRelease(o);
  const { n, dim } = catalog;
  const outDir = resolve(o.outDir);
  const checked = performance.now();

  const k = o.clusters ?? chooseClusterCount(n);
  const km = kmeans(catalog.embeddings, dim, k, { metric: RELEASE_DEFAULTS.metric, ...o.kmeans, seed: o.seed });
  const clusters = compactClusters(km.centroids, km.assignment, km.sizes, dim);
  const head = selectHead(o.popularity, itemCreated, headSize(n));
  const clustered = performance.now();

  await mkdir(dirname(outDir), { recursive: true });
  const tmp = await mkdtemp(join(dirname(outDir), `${RELEASE_DEFAULTS.tempPrefix}${basename(outDir)}-`));
  try {
    const staged: Staged[] = [];
    const pending = new Set<string>();
    const stage = async (name: string, kind: ArtifactKind, bytes: Uint8Array, ext: string, cluster?: number) => {
      const sha256 = sha256Hex(bytes);
      const url = artifactPath(sha256, ext);
      const ref: ArtifactRef = { name, kind, url, bytes: bytes.length, sha256, ...(cluster === undefined ? {} : { cluster }) };
      let tmpPath: string | null = null;
      if (!pending.has(url) && !(await holdsBytes(join(outDir, url), bytes.length, sha256))) {
        tmpPath = join(tmp, url);
        await writeDurable(tmpPath, bytes);
        pending.add(url);
      }
      staged.push({ ref, tmpPath });
    };

    const headBytes = encodeRows(catalog, head, { shardId: HEAD_ARTIFACT, cluster: -1 }, 'int8');
    await stage(HEAD_ARTIFACT, 'shard', headBytes, 'bin', -1);
    const goldenClusters: Uint8Array[] = [];
    for (let c = 0; c < clusters.sizes.length; c++) {
      const centroid = clusters.centroids.slice(c * dim, (c + 1) * dim);
      const info = { shardId: clusterArtifactName(c), cluster: c, centroid };
      const bytes = encodeRows(catalog, clusters.members[c]!, info, 'int8-residual');
      if (goldenClusters.length < GOLDEN_CLUSTERS) goldenClusters.push(bytes);
      await stage(clusterArtifactName(c), 'shard', bytes, 'bin', c);
    }
    await stage(CENTROIDS_ARTIFACT, 'centroids', encodeCentroids(clusters.centroids, dim, clusters.sizes), 'bin');
    await stage(RANKER_ARTIFACT, 'model', o.models.ranker.bytes, 'onnx');
    if (o.models.userTower) await stage(USER_TOWER_ARTIFACT, 'model', o.models.userTower.bytes, 'onnx');
    if (o.steps) await stage(STEPS_ARTIFACT, 'steps', encodeStepTable(o.steps), 'bin');
    for (const x of extras) await stage(x.name, x.kind, x.bytes, x.ext);
    // From the shards as written, as the device will read them.
    const golden =
      o.golden === false
        ? null
        : await goldenVectors({
            featureSpec,
            head: decodeShard(headBytes),
            clusters: goldenClusters.map((b) => decodeShard(b)),
            headName: HEAD_ARTIFACT,
            now: Date.parse(created),
            ranker: o.models.ranker,
            userTower: o.models.userTower,
          });
    const shardsDone = performance.now();

    const parts = {
      created,
      featureSpec,
      embeddingDim: dim,
      clusters: clusters.sizes.length,
      artifacts: staged.map((s) => s.ref),
      models: o.models,
      golden,
    };
    const releaseId = o.releaseId ?? defaultReleaseId(parts);
    const unsigned = validateManifest(buildManifest({ ...parts, releaseId }));
    const manifest = o.signingKey
      ? validateManifest(signManifest(unsigned, o.signingKey, o.sequence ?? nextSequence(await currentSequence(outDir))))
      : unsigned;
    const json = `${JSON.stringify(manifest, null, 2)}\n`;
    const releaseFile = join(outDir, RELEASES_DIR, `${releaseId}.json`);
    const existing = await readFile(releaseFile, 'utf8').catch(() => null);
    if (existing !== null && existing !== json && !sameContent(existing, json)) throw new ReleaseConflictError(releaseId);
    const tmpManifest = join(tmp, MANIFEST_FILE);
    await writeDurable(tmpManifest, json);
    // The drift baseline sits beside the release's manifest copy, for the server's PSI figures.
    const driftName = `${RELEASES_DIR}/${driftBaselineFile(releaseId)}`;
    const tmpDrift = o.driftBaseline ? join(tmp, driftName) : null;
    if (tmpDrift) await writeDurable(tmpDrift, `${JSON.stringify({ releaseId, ...o.driftBaseline }, null, 2)}\n`);

    // Commit: artifacts first (unreferenced until the manifest names them), the manifest last.
    await mkdir(join(outDir, ARTIFACTS_DIR), { recursive: true });
    await mkdir(join(outDir, RELEASES_DIR), { recursive: true });
    for (const s of staged) if (s.tmpPath !== null) await rename(s.tmpPath, join(outDir, s.ref.url));
    await syncDir(join(outDir, ARTIFACTS_DIR));
    if (existing === null) {
      const tmpRelease = join(tmp, RELEASES_DIR, `${releaseId}.json`);
      await writeDurable(tmpRelease, json);
      await rename(tmpRelease, releaseFile);
    }
    if (tmpDrift) await rename(tmpDrift, join(outDir, driftName));
    await syncDir(join(outDir, RELEASES_DIR));
    await rename(tmpManifest, join(outDir, MANIFEST_FILE));
    await syncDir(outDir);

    const end = performance.now();
    return {
      manifest,
      files: [MANIFEST_FILE, `${RELEASES_DIR}/${releaseId}.json`, ...(tmpDrift ? [driftName] : []), ...new Set(staged.map((s) => s.ref.url))],
      reused: staged.filter((s) => s.tmpPath === null).length,
      seconds: (end - start) / 1000,
      timings: { check: (checked - start) / 1000, cluster: (clustered - checked) / 1000, shards: (shardsDone - clustered) / 1000, write: (end - shardsDone) / 1000 },
      kmeans: { k: clusters.sizes.length, iterations: km.iterations, inertia: km.inertia, trainedOn: km.trainedOn },
    };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/** The sequence of outDir's current manifest, if it has one. */
async function currentSequence(outDir: string): Promise<number | undefined> {
  try {
    const seq = (JSON.parse(await readFile(join(outDir, MANIFEST_FILE), 'utf8')) as { sequence?: unknown }).sequence;
    return typeof seq === 'number' && Number.isSafeInteger(seq) ? seq : undefined;
  } catch {
    return undefined;
  }
}

/** Two manifests of the same release content: equal but for their publication (sequence, signature). */
function sameContent(a: string, b: string): boolean {
  const content = (text: string) => {
    const { sequence: _s, signature: _g, formatVersion: _v, ...rest } = JSON.parse(text) as Record<string, unknown>;
    return JSON.stringify(rest);
  };
  try {
    return content(a) === content(b);
  } catch {
    return false;
  }
}
