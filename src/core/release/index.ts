export {
  HEAD_CLUSTER,
  MANIFEST_FORMAT,
  MANIFEST_VERSION,
  parseManifest,
  shardArtifacts,
} from './manifest.ts';
export type { ArtifactKind, ArtifactRef, ModelRef, ReleaseManifest } from './manifest.ts';
export { checkGoldenOutputs, checkGoldenTopK, goldenTensors } from './golden.ts';
export type { GoldenCheck, ModelGolden, RetrievalGolden } from './golden.ts';
export {
  SIGNATURE_ALGORITHM,
  fromBase64,
  releaseKeyBytes,
  signedManifestBytes,
  toBase64,
} from './signature.ts';
