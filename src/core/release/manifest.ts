/**
 * The release manifest: the contract between the server and the device. Artifacts are
 * content-addressed and immutable; only the manifest changes between releases. A device
 * verifies each artifact's byte size and SHA-256 before use (workers/), so everything it needs
 * to check is named here.
 */
import * as v from 'valibot';
import { ValidationError } from '../errors.ts';
import { tensorLayout } from '../features/build.ts';
import { parseFeatureSpec, type FeatureSpec } from '../features/spec.ts';
import { name, nonNegativeInt, parseWith, positiveInt } from '../validation.ts';

export const MANIFEST_FORMAT = 'ondeck-release';
export const MANIFEST_VERSION = 1;

export const ARTIFACT_KINDS = ['shard', 'model', 'centroids', 'report'] as const;
export type ArtifactKind = (typeof ARTIFACT_KINDS)[number];

/** The cluster id of the head shard (popular and fresh items); IVF clusters are 0..n-1. */
export const HEAD_CLUSTER = -1;

const sha256 = v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits (SHA-256)'));

/**
 * Relative to the manifest's own URL, or absolute http(s). Other schemes (javascript:, data:,
 * file:) are refused: a manifest is fetched from the network and must not point elsewhere.
 */
const artifactUrl = v.pipe(
  v.string(),
  v.nonEmpty('must not be empty'),
  v.check((u) => !/\s/.test(u), 'must not contain whitespace'),
  v.check((u) => !/^[A-Za-z][A-Za-z0-9+.-]*:/.test(u) || /^https?:\/\//i.test(u), 'must be a relative path or an http(s) URL'),
);

const artifactSchema = v.object({
  name,
  kind: v.picklist(ARTIFACT_KINDS, `must be one of ${ARTIFACT_KINDS.join(', ')}`),
  url: artifactUrl,
  bytes: positiveInt,
  sha256,
  /** Shards only: -1 for the head shard, else the IVF cluster id. */
  cluster: v.optional(v.pipe(v.number(), v.integer('must be an integer'), v.minValue(HEAD_CLUSTER, 'must be ≥ -1'))),
});

const tensorBinding = v.object({
  /** The input's name inside the ONNX graph. */
  name: v.pipe(v.string(), v.nonEmpty('must not be empty')),
  /** The feature tensor it takes: a name from tensorLayout(featureSpec), e.g. `history:ids`. */
  tensor: name,
});

const modelSchema = v.object({
  /** Name of an artifact of kind "model". */
  artifact: name,
  inputs: v.pipe(v.array(tensorBinding), v.minLength(1, 'must bind at least one input')),
  /** Role -> output name inside the graph. */
  outputs: v.record(v.picklist(['pClick', 'watchFraction', 'userVector']), v.pipe(v.string(), v.nonEmpty())),
});

const manifestSchema = v.object({
  format: v.literal(MANIFEST_FORMAT, `must be "${MANIFEST_FORMAT}"`),
  formatVersion: v.literal(MANIFEST_VERSION, `must be ${MANIFEST_VERSION} (this runtime reads version ${MANIFEST_VERSION})`),
  releaseId: name,
  created: v.pipe(v.string(), v.isoTimestamp('must be an ISO 8601 timestamp, e.g. 2026-11-22T10:00:00Z')),
  featureSpec: v.unknown(),
  /** Dimension of the retrieval embeddings (user vector and item embeddings). */
  embeddingDim: positiveInt,
  artifacts: v.pipe(v.array(artifactSchema), v.minLength(1, 'must list at least one artifact')),
  models: v.object({
    ranker: modelSchema,
    userTower: v.optional(modelSchema),
  }),
  /** Number of IVF clusters (cluster shards are 0..clusters-1). */
  clusters: v.optional(nonNegativeInt, 0),
});

type ManifestShape = v.InferOutput<typeof manifestSchema>;
export type ArtifactRef = v.InferOutput<typeof artifactSchema>;
export type ModelRef = v.InferOutput<typeof modelSchema>;
export type ReleaseManifest = Omit<ManifestShape, 'featureSpec'> & { featureSpec: FeatureSpec };

/**
 * Validates a manifest (parsed JSON) and returns it typed with defaults filled in. Throws a
 * ValidationError naming the first wrong field, e.g. `artifacts[2].sha256`.
 */
export function parseManifest(input: unknown): ReleaseManifest {
  const m = parseWith(manifestSchema, input, '');
  const featureSpec = parseFeatureSpec(m.featureSpec, 'featureSpec');
  const byName = new Map<string, ArtifactRef>();
  m.artifacts.forEach((a, i) => {
    if (byName.has(a.name)) throw new ValidationError(`artifacts[${i}].name`, `duplicate artifact name "${a.name}"`);
    byName.set(a.name, a);
    if (a.kind === 'shard' && a.cluster === undefined) {
      throw new ValidationError(`artifacts[${i}].cluster`, `shard "${a.name}" needs a cluster (-1 for the head shard)`);
    }
    if (a.kind === 'shard' && a.cluster !== undefined && a.cluster >= m.clusters && a.cluster !== HEAD_CLUSTER) {
      throw new ValidationError(`artifacts[${i}].cluster`, `cluster ${a.cluster} is out of range: the release has ${m.clusters} clusters`);
    }
  });
  if (![...byName.values()].some((a) => a.kind === 'shard' && a.cluster === HEAD_CLUSTER)) {
    throw new ValidationError('artifacts', 'no head shard (an artifact of kind "shard" with cluster -1)');
  }
  const tensors = new Set(tensorLayout(featureSpec).map((t) => t.tensor));
  for (const role of ['ranker', 'userTower'] as const) {
    const model = m.models[role];
    if (!model) continue;
    const target = byName.get(model.artifact);
    if (!target || target.kind !== 'model') {
      throw new ValidationError(`models.${role}.artifact`, `"${model.artifact}" is not an artifact of kind "model"`);
    }
    model.inputs.forEach((input, i) => {
      if (!tensors.has(input.tensor)) {
        throw new ValidationError(
          `models.${role}.inputs[${i}].tensor`,
          `"${input.tensor}" is not a tensor of the feature spec; it has ${[...tensors].join(', ')}`,
        );
      }
    });
  }
  if (m.models.ranker.outputs.pClick === undefined) {
    throw new ValidationError('models.ranker.outputs.pClick', 'the ranker must name its click-probability output');
  }
  if (m.models.userTower && m.models.userTower.outputs.userVector === undefined) {
    throw new ValidationError('models.userTower.outputs.userVector', 'the user tower must name its user-vector output');
  }
  return { ...m, featureSpec };
}

/** The head shard and the cluster shards of a release, in cluster order. */
export function shardArtifacts(m: ReleaseManifest): { head: ArtifactRef; clusters: ArtifactRef[] } {
  const shards = m.artifacts.filter((a) => a.kind === 'shard');
  const head = shards.find((a) => a.cluster === HEAD_CLUSTER)!;
  const clusters = shards.filter((a) => a.cluster !== HEAD_CLUSTER).sort((a, b) => a.cluster! - b.cluster!);
  return { head, clusters };
}
