/**
 * The manifest as the writer builds it, and the default release id. parseManifest (core) is the
 * one judge of validity: the writer runs it on a draft before the expensive work and on the real
 * manifest before anything is published, and turns its ValidationError into ReleaseInputError.
 */
import type { FeatureSpec } from '../../core/features/index.ts';
import { MANIFEST_FORMAT, MANIFEST_VERSION, parseManifest, type ArtifactRef, type ModelGolden, type ReleaseManifest } from '../../core/release/index.ts';
import { sha256Hex } from './artifact-store.ts';
import { asReleaseInputError } from './errors.ts';
import type { GoldenVectors } from './golden-vectors.ts';
import type { RankerModel, UserTowerModel } from './types.ts';

export const RANKER_ARTIFACT = 'ranker';
export const USER_TOWER_ARTIFACT = 'user-tower';
export const STEPS_ARTIFACT = 'steps';
export const HEAD_ARTIFACT = 'head';
export const CENTROIDS_ARTIFACT = 'centroids';

export function clusterArtifactName(cluster: number): string {
  return `cluster-${cluster}`;
}

export interface ManifestParts {
  releaseId: string;
  created: string;
  featureSpec: FeatureSpec;
  embeddingDim: number;
  clusters: number;
  artifacts: ArtifactRef[];
  models: { ranker: RankerModel; userTower?: UserTowerModel | undefined };
  /** Golden vectors (golden-vectors.ts), or null for a release without them. */
  golden?: GoldenVectors | null;
}

export function buildManifest(p: ManifestParts): unknown {
  const model = (artifact: string, m: RankerModel | UserTowerModel, golden: ModelGolden | undefined) => ({
    artifact,
    inputs: m.inputs.map(({ name, tensor }) => ({ name, tensor })),
    outputs: { ...m.outputs },
    ...(golden ? { golden } : {}),
  });
  return {
    format: MANIFEST_FORMAT,
    formatVersion: MANIFEST_VERSION,
    releaseId: p.releaseId,
    created: p.created,
    featureSpec: p.featureSpec,
    embeddingDim: p.embeddingDim,
    clusters: p.clusters,
    artifacts: p.artifacts,
    models: {
      ranker: model(RANKER_ARTIFACT, p.models.ranker, p.golden?.ranker),
      ...(p.models.userTower ? { userTower: model(USER_TOWER_ARTIFACT, p.models.userTower, p.golden?.userTower) } : {}),
    },
    ...(p.golden ? { retrievalGolden: p.golden.retrieval } : {}),
  };
}

/** parseManifest, with its ValidationError (same field) as a ReleaseInputError. */
export function validateManifest(raw: unknown): ReleaseManifest {
  try {
    return parseManifest(raw);
  } catch (e) {
    throw asReleaseInputError(e);
  }
}

/**
 * `r-<YYYYMMDD-HHMMSS>-<8 hex>`: the UTC time of `created`, then the start of a SHA-256 over
 * what the release contains (spec, dim, clusters, artifact hashes, model bindings). The time
 * sorts releases; the hash tells two releases of the same second apart, and two writes of the
 * same content at the same second get the same id (publishing it again changes nothing).
 */
export function defaultReleaseId(p: Omit<ManifestParts, 'releaseId'>): string {
  const content = JSON.stringify(buildManifest({ ...p, releaseId: 'r', created: '' }));
  const t = new Date(p.created).toISOString();
  const stamp = `${t.slice(0, 4)}${t.slice(5, 7)}${t.slice(8, 10)}-${t.slice(11, 13)}${t.slice(14, 16)}${t.slice(17, 19)}`;
  return `r-${stamp}-${sha256Hex(new TextEncoder().encode(content)).slice(0, 8)}`;
}
