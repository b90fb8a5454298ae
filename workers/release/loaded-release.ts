/** A release in use: its manifest, and verified bytes of its artifacts on demand. */
import type { ReleaseManifest } from '../../src/core/release/index.ts';
import type { ArtifactSource } from './artifact-source.ts';
import { findArtifact, findShard } from './artifacts.ts';
import type { LoadedRelease, ReleaseProblem, ReleaseSource } from './types.ts';

export function createLoadedRelease(options: {
  manifest: ReleaseManifest;
  /** The manifest's signature was verified against the pinned key. */
  signed: boolean;
  source: ReleaseSource;
  problem: ReleaseProblem | null;
  artifacts: ArtifactSource;
  /** Bytes verified while loading (the required artifacts), by artifact name. */
  verified: Map<string, ArrayBuffer>;
}): LoadedRelease {
  const { manifest, artifacts } = options;
  // Handed out once, then forgotten: the caller owns that buffer (it may transfer it to the
  // ranker), and the store does not keep a second copy of every model alive. Later calls read
  // Cache Storage again, and verify again.
  const held = new Map(options.verified);

  async function artifact(name: string): Promise<ArrayBuffer> {
    const ref = findArtifact(manifest, name);
    const bytes = held.get(name);
    if (bytes) {
      held.delete(name);
      return bytes;
    }
    return (await artifacts.obtain(ref)).bytes;
  }

  return Object.freeze({
    manifest,
    signed: options.signed,
    source: options.source,
    problem: options.problem,
    artifact,
    async shard(cluster: number): Promise<Uint8Array> {
      return new Uint8Array(await artifact(findShard(manifest, cluster).name));
    },
  });
}
