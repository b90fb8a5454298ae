/**
 * Verified bytes of one artifact, from Cache Storage when an intact copy is there, else from
 * the network (then stored). Nothing unverified leaves this file: cached bytes are re-hashed on
 * every read, downloads are hashed before they are stored or returned.
 */
import type { ArtifactRef } from '../../src/core/release/index.ts';
import { artifactUrl } from './artifacts.ts';
import { ReleaseIntegrityError } from '../../src/core/release/errors.ts';
import { ReleaseStorageError } from './errors.ts';
import { fetchBytes, type ReleaseFetch } from './network.ts';
import type { ReleaseCache } from './release-cache.ts';
import { verifyArtifact } from './verify.ts';

export interface ObtainedArtifact {
  /** Verified, and owned by the caller alone (no other caller holds the same buffer). */
  bytes: ArrayBuffer;
  from: 'cache' | 'network';
  /** The bytes verified but could not be stored: they will not be there offline. */
  storeError: ReleaseStorageError | null;
}

export interface ArtifactSource {
  obtain(ref: ArtifactRef): Promise<ObtainedArtifact>;
}

export function createArtifactSource(options: { cache: ReleaseCache; fetch: ReleaseFetch; manifestUrl: string }): ArtifactSource {
  const { cache, fetch, manifestUrl } = options;
  // One download per artifact at a time: concurrent shard(c) calls for a cluster share it.
  const downloads = new Map<string, Promise<{ bytes: ArrayBuffer; storeError: ReleaseStorageError | null }>>();

  function download(ref: ArtifactRef, url: string): Promise<{ bytes: ArrayBuffer; storeError: ReleaseStorageError | null }> {
    const key = `${url} ${ref.sha256} ${ref.bytes}`;
    let pending = downloads.get(key);
    if (!pending) {
      pending = (async () => {
        const bytes = await fetchBytes(fetch, url, ref.bytes);
        await verifyArtifact(ref, url, bytes, 'network');
        try {
          await cache.writeArtifact(url, bytes);
          return { bytes, storeError: null };
        } catch (err) {
          if (err instanceof ReleaseStorageError) return { bytes, storeError: err };
          throw err;
        }
      })().finally(() => downloads.delete(key));
      downloads.set(key, pending);
    }
    return pending;
  }

  return {
    async obtain(ref) {
      const url = artifactUrl(manifestUrl, ref);
      let cacheProblem: ReleaseIntegrityError | null = null;
      const cached = await cache.readArtifact(url);
      if (cached) {
        try {
          await verifyArtifact(ref, url, cached, 'cache');
          return { bytes: cached, from: 'cache', storeError: null };
        } catch (err) {
          if (!(err instanceof ReleaseIntegrityError)) throw err;
          // Not deleted here: a manifest that claims another hash for a cached URL may be the
          // liar, and the entry may belong to the last good release. A verified download
          // overwrites the entry; nothing else does.
          cacheProblem = err;
        }
      }
      try {
        const { bytes, storeError } = await download(ref, url);
        // Every caller gets its own copy: one may transfer (detach) its buffer to another thread
        // before a concurrent caller has looked at the shared one.
        return { bytes: bytes.slice(0), from: 'network', storeError };
      } catch (err) {
        // A damaged cached copy and no way to replace it: the damage is the news, the failed
        // download its context.
        if (cacheProblem) throw ReleaseIntegrityError.ofBytes(cacheProblem.facts()!, { cause: err });
        throw err;
      }
    },
  };
}
