export { ARTIFACT_KINDS, HEAD_CLUSTER, MANIFEST_FORMAT, MANIFEST_VERSION, MANIFEST_VERSIONS, parseManifest, shardArtifacts } from './manifest.ts';
export type { ArtifactKind, ArtifactRef, ModelRef, ReleaseManifest } from './manifest.ts';
export { RELEASE_CONTRACT_DEFAULTS } from './defaults.ts';
export { ReleaseIntegrityError } from './errors.ts';
export type { IntegrityFacts, ReleaseIntegrityReason } from './errors.ts';
export { checkGoldenOutputs, checkGoldenTopK, goldenTensors } from './golden.ts';
export type { GoldenCheck, GoldenTensor, ModelGolden, RetrievalGolden } from './golden.ts';
export {
  SIGNATURE_ALGORITHM,
  SIGNATURE_CONTEXT,
  canonicalJson,
  fromBase64,
  isRelativeUrl,
  releaseKeyBytes,
  signedManifestBytes,
  toBase64,
} from './signature.ts';
export type { ManifestSignature } from './signature.ts';
