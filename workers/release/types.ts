/** The public shapes of the release loader (types only). */
import type { ReleaseManifest } from '../../src/core/release/index.ts';
import type { ReleaseFetch } from './network.ts';

export type ReleaseSource = 'network' | 'cache';

/** Why the newest release is not in use, or is in use with a caveat; plain data, so it crosses comlink. */
export interface ReleaseProblem {
  /** A stable error name, e.g. `ReleaseIntegrityError`, `ReleaseFetchError`. */
  name: string;
  message: string;
}

export interface ReleaseStoreOptions {
  /** The manifest's URL, absolute or relative to the page (or worker) location. */
  manifestUrl: string;
  /** Cache Storage cache for artifacts and the last good record; default `ondeck-release`. */
  cacheName?: string;
  /** Replaces `globalThis.fetch` (tests, or an app that signs requests). */
  fetch?: ReleaseFetch;
  /**
   * The release key the app pins: the raw Ed25519 public key, base64 (`ondeck build` prints it).
   * Every manifest must carry a valid signature by it. Required unless `allowUnsigned`.
   */
  releaseKey?: string;
  /**
   * Use releases with no signature (then `signed` is false). A signature that does not verify is
   * refused all the same. Without `releaseKey`, nothing is verified and every release is unsigned.
   */
  allowUnsigned?: boolean;
  /** Origins artifacts may come from besides the manifest's own, e.g. a CDN; default any. */
  artifactHosts?: readonly string[];
}

export interface ReleaseStore {
  /** The absolute manifest URL; artifact URLs are resolved against it. */
  readonly manifestUrl: string;
  /**
   * The newest release if it downloads and verifies completely, else the last good one from
   * Cache Storage with `problem` saying why. Rejects with ReleaseUnavailableError when neither.
   */
  load(): Promise<LoadedRelease>;
}

export interface LoadedRelease {
  readonly manifest: ReleaseManifest;
  /** The manifest carries a valid signature by the pinned release key (false: accepted unsigned). */
  readonly signed: boolean;
  /** Where the manifest in use came from: just fetched, or the last good one cached. */
  readonly source: ReleaseSource;
  readonly problem: ReleaseProblem | null;
  /**
   * Verified bytes of an artifact. Each call returns a buffer of its own, which the caller may
   * transfer or modify. Rejects with ReleaseLookupError, ReleaseIntegrityError, ReleaseFetchError.
   */
  artifact(name: string): Promise<ArrayBuffer>;
  /**
   * Verified bytes of a shard: HEAD_CLUSTER (-1) for the head, else an IVF cluster id. A cluster
   * shard is downloaded on first use, then served from Cache Storage (offline too).
   */
  shard(cluster: number): Promise<Uint8Array>;
}
