export { writeRelease } from './write-release.ts';
export type {
  ExtraArtifact,
  ItemRecord,
  RankerModel,
  TensorBinding,
  UserTowerModel,
  WriteReleaseOptions,
  WriteReleaseResult,
} from './types.ts';
export { verifyRelease, readCurrentManifest } from './verify-release.ts';
export type { ReleaseSummary } from './verify-release.ts';
export { listReleases, rollback, signCurrentRelease } from './rollback.ts';
export {
  SIGNING_KEY_ENV,
  SigningKeyError,
  defaultSigningKeyFile,
  loadOrCreateSigningKey,
  loadSigningKey,
  nextSequence,
  publicKeyFile,
  signManifest,
  signingKeyFromPem,
  signingKeyNotice,
  verifyManifestSignature,
} from './signing.ts';
export type { ReleaseSigningKey } from './signing.ts';
export { kmeans, KMEANS_METRICS } from './kmeans.ts';
export type { KMeansMetric, KMeansOptions, KMeansResult } from './kmeans.ts';
export { chooseClusterCount } from './cluster-count.ts';
export { headSize, selectHead } from './head.ts';
export { CREATED_DAYS_UNKNOWN, defaultItemColumns } from './item-columns.ts';
export type { DefaultColumnsInput, ItemColumn, ItemMetaField } from './item-columns.ts';
export { CENTROIDS_ARTIFACT, HEAD_ARTIFACT, RANKER_ARTIFACT, USER_TOWER_ARTIFACT, clusterArtifactName } from './build-manifest.ts';
export { ARTIFACTS_DIR, MANIFEST_FILE, RELEASES_DIR } from './artifact-store.ts';
export { KMEANS_DEFAULTS, RELEASE_DEFAULTS } from './defaults.ts';
export {
  KMeansError,
  ReleaseConflictError,
  ReleaseInputError,
  ReleaseNotFoundError,
} from './errors.ts';
export { DRIFT_FILE_SUFFIX, driftBaselineFile, driftBaselineOf, driftItemsFromColumns } from './drift-baseline.ts';
export type { DriftBaselineInput } from './drift-baseline.ts';
export { goldenVectors } from './golden-vectors.ts';
export type { GoldenInput, GoldenModel, GoldenVectors } from './golden-vectors.ts';
