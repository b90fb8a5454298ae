export { createReleaseStore } from './store.ts';
export type { LoadedRelease, ReleaseProblem, ReleaseSource, ReleaseStore, ReleaseStoreOptions } from './types.ts';
export type { ReleaseFetch } from './network.ts';
export { sha256Hex, verifyArtifact } from './verify.ts';
export { DEFAULT_CACHE_NAME } from './defaults.ts';
export {
  RELEASE_ERROR_NAMES,
  ReleaseFetchError,
  ReleaseIntegrityError,
  ReleaseLookupError,
  ReleaseManifestError,
  ReleaseStorageError,
  ReleaseUnavailableError,
  type IntegrityFacts,
} from './errors.ts';
