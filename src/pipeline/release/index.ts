export { writeRelease } from './write-release.ts';
export type { TensorBinding, WriteReleaseResult } from './types.ts';
export { verifyRelease } from './verify-release.ts';
export type { ReleaseSummary } from './verify-release.ts';
export { signCurrentRelease } from './rollback.ts';
export {
  SIGNING_KEY_ENV,
  defaultSigningKeyFile,
  loadOrCreateSigningKey,
  loadSigningKey,
  publicKeyFile,
  signingKeyNotice,
  verifyManifestSignature,
} from './signing.ts';
export type { ReleaseSigningKey } from './signing.ts';
export { headSize, selectHead } from './head.ts';
export { defaultItemColumns } from './item-columns.ts';
export { driftBaselineOf, driftItemsFromColumns } from './drift-baseline.ts';
