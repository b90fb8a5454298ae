export { ARTIFACT_KINDS, HEAD_CLUSTER, MANIFEST_FORMAT, MANIFEST_VERSION, parseManifest, shardArtifacts } from './manifest.ts';
export type { ArtifactKind, ArtifactRef, ModelRef, ReleaseManifest } from './manifest.ts';
