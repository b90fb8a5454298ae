export { createReleaseStore } from './store.ts';
export type { LoadedRelease, ReleaseProblem, ReleaseSource, ReleaseStore, ReleaseStoreOptions } from './types.ts';
export type { ReleaseFetch } from './network.ts';
export { sha256Hex, verifyArtifact } from './verify.ts';
export { DEFAULT_CACHE_NAME, MAX_MANIFEST_BYTES } from './defaults.ts';
export { createManifestVerifier } from './signature.ts';
export type { ManifestVerifier, VerifiedManifest } from './signature.ts';
export {
  ReleaseFetchError,
  ReleaseLookupError,
  ReleaseManifestError,
  ReleaseRollbackError,
  ReleaseSignatureError,
  ReleaseStorageError,
  ReleaseUnavailableError,
  type SignatureProblem,
} from './errors.ts';
