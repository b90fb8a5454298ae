/**
 * Re-reads a published release the way a device would and checks it end to end: the manifest
 * parses, every artifact has the size and SHA-256 the manifest gives, every shard and step table
 * decodes (a table written by another version of the format does not) and every shard matches
 * its manifest entry, and the cluster shards partition the catalogue (each item in exactly one;
 * each head item in one of them).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HEAD_CLUSTER, parseManifest, type ArtifactRef, type ReleaseManifest } from '../../core/release/index.ts';
import { decodeStepTable } from '../../core/feed/index.ts';
import { decodeShard, type Shard } from '../../core/shard/index.ts';
import { MANIFEST_FILE, readVerified } from './artifact-store.ts';
import { ReleaseIntegrityError } from '../../core/release/errors.ts';
import { ReleaseNotFoundError } from './errors.ts';

export interface ReleaseSummary {
  releaseId: string;
  /** Items in the catalogue (the union of the cluster shards). */
  items: number;
  headItems: number;
  clusters: number;
  /** Head and cluster shards. */
  shards: number;
  artifacts: number;
  /** All artifacts, models included. */
  bytes: number;
  /** Head, cluster and centroid shards. */
  shardBytes: number;
  /** shardBytes / items: what one catalogue item costs, its share of the head and centroids included. */
  bytesPerItem: number;
  /** Items per cluster shard: smallest, largest. */
  clusterItems: { min: number; max: number };
}

/** Reads and parses outDir/manifest.json; ReleaseNotFoundError when there is none. */
export async function readCurrentManifest(outDir: string): Promise<ReleaseManifest> {
  let text: string;
  try {
    text = await readFile(join(outDir, MANIFEST_FILE), 'utf8');
  } catch (e) {
    throw new ReleaseNotFoundError(`no ${MANIFEST_FILE} in ${outDir}`, null, { cause: e });
  }
  return parseManifestText(text, MANIFEST_FILE);
}

export function parseManifestText(text: string, file: string): ReleaseManifest {
  try {
    return parseManifest(JSON.parse(text));
  } catch (e) {
    throw new ReleaseIntegrityError(file, 'undecodable', e instanceof Error ? e.message : String(e), { cause: e });
  }
}

export async function verifyRelease(outDir: string): Promise<ReleaseSummary> {
  const m = await readCurrentManifest(outDir);
  let bytes = 0;
  let shardBytes = 0;
  let headIds: (number | string)[] = [];
  const clusterOf = new Map<number | string, string>();
  const seenClusters = new Set<number>();
  let min = Infinity;
  let max = 0;
  for (const ref of m.artifacts) {
    const data = await readVerified(outDir, ref);
    bytes += data.length;
    if (ref.kind === 'centroids') {
      const shard = decodeOrThrow(ref, data);
      expect(ref, shard.count === m.clusters, `${shard.count} centroids for ${m.clusters} clusters`);
      expect(ref, shard.dim === m.embeddingDim, `dim ${shard.dim}, the manifest says ${m.embeddingDim}`);
      shardBytes += data.length;
    }
    if (ref.kind === 'steps') decodeOrThrow(ref, data, (bytes) => decodeStepTable(bytes, ref.name));
    if (ref.kind !== 'shard') continue;
    shardBytes += data.length;
    const shard = decodeOrThrow(ref, data);
    expect(ref, shard.cluster === ref.cluster, `the shard says cluster ${shard.cluster}, the manifest ${String(ref.cluster)}`);
    expect(ref, shard.dim === m.embeddingDim, `dim ${shard.dim}, the manifest says ${m.embeddingDim}`);
    if (ref.cluster === HEAD_CLUSTER) {
      headIds = idsOf(shard);
      continue;
    }
    expect(ref, !seenClusters.has(ref.cluster!), `a second shard for cluster ${String(ref.cluster)}`);
    seenClusters.add(ref.cluster!);
    expect(ref, shard.count > 0, 'an empty cluster shard');
    min = Math.min(min, shard.count);
    max = Math.max(max, shard.count);
    for (const id of idsOf(shard)) {
      const other = clusterOf.get(id);
      expect(ref, other === undefined, `item "${id}" is also in "${other}"; every item belongs to exactly one cluster`);
      clusterOf.set(id, ref.name);
    }
  }
  const headRef = m.artifacts.find((a) => a.kind === 'shard' && a.cluster === HEAD_CLUSTER)!;
  expect(headRef, seenClusters.size === m.clusters, `${seenClusters.size} cluster shards for ${m.clusters} clusters`);
  for (const id of headIds) expect(headRef, clusterOf.has(id), `head item "${id}" is in no cluster shard`);
  const items = clusterOf.size;
  return {
    releaseId: m.releaseId,
    items,
    headItems: headIds.length,
    clusters: m.clusters,
    shards: seenClusters.size + 1,
    artifacts: m.artifacts.length,
    bytes,
    shardBytes,
    bytesPerItem: items === 0 ? 0 : shardBytes / items,
    clusterItems: { min: items === 0 ? 0 : min, max },
  };
}

function decodeOrThrow<T = Shard>(ref: ArtifactRef, data: Uint8Array, decode: (bytes: Uint8Array) => T = decodeShard as (bytes: Uint8Array) => T): T {
  try {
    return decode(data);
  } catch (e) {
    throw new ReleaseIntegrityError(ref.name, 'undecodable', e instanceof Error ? e.message : String(e), { cause: e });
  }
}

function expect(ref: ArtifactRef, ok: boolean, message: string): void {
  if (!ok) throw new ReleaseIntegrityError(ref.name, 'mismatch', message);
}

function idsOf(shard: Shard): (number | string)[] {
  if (shard.ids) return Array.from(shard.ids);
  return Array.from({ length: shard.count }, (_, i) => shard.id(i));
}
