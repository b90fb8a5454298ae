/** Which artifacts of a manifest the loader deals with, and where they live. */
import { HEAD_CLUSTER, shardArtifacts, type ArtifactRef, type ReleaseManifest } from '../../src/core/release/index.ts';
import { ReleaseLookupError } from './errors.ts';

/**
 * What a feed needs before it can render anything: the head shard, the IVF centroids (to pick
 * cluster shards), every model and the step table. Cluster shards are left to load lazily, on
 * first use.
 */
export function requiredArtifacts(manifest: ReleaseManifest): ArtifactRef[] {
  const { head } = shardArtifacts(manifest);
  return [head, ...manifest.artifacts.filter((a) => a.kind === 'centroids' || a.kind === 'model' || a.kind === 'steps')];
}

/** Artifact URLs in a manifest are relative to the manifest's own URL (or absolute). */
export function artifactUrl(manifestUrl: string, ref: ArtifactRef): string {
  return new URL(ref.url, manifestUrl).href;
}

export function findArtifact(manifest: ReleaseManifest, name: string): ArtifactRef {
  const ref = manifest.artifacts.find((a) => a.name === name);
  if (!ref) {
    const names = manifest.artifacts.map((a) => a.name).join(', ');
    throw new ReleaseLookupError(`release ${manifest.releaseId} has no artifact "${name}"; it has ${names}`, name);
  }
  return ref;
}

/** The shard of `cluster`: HEAD_CLUSTER (-1) for the head shard, else an IVF cluster id. */
export function findShard(manifest: ReleaseManifest, cluster: number): ArtifactRef {
  const ref = manifest.artifacts.find((a) => a.kind === 'shard' && a.cluster === cluster);
  if (!ref) {
    throw new ReleaseLookupError(
      `release ${manifest.releaseId} has no shard for cluster ${cluster}; clusters are ${HEAD_CLUSTER} (head) and 0..${manifest.clusters - 1}`,
      cluster,
    );
  }
  return ref;
}
