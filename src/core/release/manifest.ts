/**
 * The release manifest: the contract between the server and the device. Artifacts are
 * content-addressed and immutable; only the manifest changes between releases. A device
 * verifies each artifact's byte size and SHA-256 before use (workers/), so everything it needs
 * to check is named here.
 *
 * Version 2 adds `sequence` and `signature` (signature.ts): the publisher signs the manifest
 * with Ed25519 and the device refuses a release whose sequence is below its last good one.
 * Version 1 manifests (unsigned) are still read; a device uses them only when the app allows
 * unsigned releases.
 */
import { readsSequenceScore } from '../feed/step-table.ts';
import * as v from 'valibot';
import { ValidationError } from '../errors.ts';
import { USER_INDEX_TENSOR, tensorLayout, userTensors } from '../features/build.ts';
import { parseFeatureSpec, type FeatureSpec } from '../features/spec.ts';
import { name, nonNegativeInt, parseWith, positiveInt } from '../validation.ts';
import { modelGoldenSchema, retrievalGoldenSchema, type ModelGolden } from './golden.ts';
import { signatureSchema } from './signature.ts';

export const MANIFEST_FORMAT = 'ondeck-release';
/** The version this code writes. */
export const MANIFEST_VERSION = 2;
/** The versions this code reads: 1 (unsigned, no sequence) and 2. */
export const MANIFEST_VERSIONS = [1, 2] as const;

/** `steps`: the step table of the ranker's sequence score (src/core/feed/step-table.ts), at most one. */
export const ARTIFACT_KINDS = ['shard', 'model', 'centroids', 'report', 'steps'] as const;
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
  /** Input rows and the outputs the pipeline computed: a runtime serves only after reproducing them. */
  golden: v.optional(modelGoldenSchema),
});

const manifestSchema = v.object({
  format: v.literal(MANIFEST_FORMAT, `must be "${MANIFEST_FORMAT}"`),
  formatVersion: v.picklist(MANIFEST_VERSIONS, `must be ${MANIFEST_VERSIONS.join(' or ')} (the versions this runtime reads)`),
  releaseId: name,
  /**
   * Version 2: grows with every publication (the pipeline uses the signing time in ms, or one
   * more than the release it replaces), so a republished old release (a rollback) gets a new one.
   * A device refuses a manifest whose sequence is below its last good one's.
   */
  sequence: v.optional(positiveInt),
  /** Version 2: the publisher's Ed25519 signature over signedManifestBytes(manifest). */
  signature: v.optional(signatureSchema),
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
  /** A query and its top ids over the head shard: a retrieval backend serves only after reproducing them. */
  retrievalGolden: v.optional(retrievalGoldenSchema),
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
  if (m.signature && m.formatVersion < 2) throw new ValidationError('signature', 'needs formatVersion 2');
  if (m.signature && m.sequence === undefined) throw new ValidationError('sequence', 'a signed manifest needs a sequence');
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
  const layout = tensorLayout(featureSpec);
  // USER_INDEX_TENSOR: a model with per-user inputs (buildFeatureTensors' perUser) binds it too.
  const tensors = new Set([...layout.map((t) => t.tensor), USER_INDEX_TENSOR]);
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
    if (model.golden) checkModelGolden(model.golden, model, featureSpec, role === 'userTower' ? m.embeddingDim : 1, `models.${role}.golden`);
  }
  const rg = m.retrievalGolden;
  if (rg) {
    const target = byName.get(rg.shard);
    if (!target || target.kind !== 'shard' || target.cluster !== HEAD_CLUSTER) {
      throw new ValidationError('retrievalGolden.shard', `"${rg.shard}" is not the head shard (an artifact of kind "shard" with cluster -1)`);
    }
    if (rg.query.length !== m.embeddingDim) throw new ValidationError('retrievalGolden.query', `has ${rg.query.length} values, embeddingDim is ${m.embeddingDim}`);
    if (rg.scores.length !== rg.ids.length) throw new ValidationError('retrievalGolden.scores', `has ${rg.scores.length} scores for ${rg.ids.length} ids`);
  }
  const steps = m.artifacts.filter((a) => a.kind === 'steps');
  if (steps.length > 1) throw new ValidationError('artifacts', `${steps.length} artifacts of kind "steps"; a release has at most one step table`);
  if (steps.length === 0 && readsSequenceScore(featureSpec)) {
    throw new ValidationError('artifacts', 'the feature spec reads context.historySequenceScore, but no artifact of kind "steps" (the step table) is listed');
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

/**
 * A model's golden vectors fit its bindings and the spec: one tensor per bound feature tensor, of
 * the spec's type and width, `rows` rows each (a model that binds USER_INDEX_TENSOR takes its
 * user features per user: 1 + the largest index rows); one output per role, `width` values per row.
 */
function checkModelGolden(g: ModelGolden, model: ModelRef, featureSpec: FeatureSpec, vectorWidth: number, field: string): void {
  const layout = [...tensorLayout(featureSpec), { tensor: USER_INDEX_TENSOR, type: 'int32' as const, width: 1 }];
  const bound = new Set(model.inputs.map((b) => b.tensor));
  const index = bound.has(USER_INDEX_TENSOR) ? g.inputs[USER_INDEX_TENSOR] : undefined;
  if (bound.has(USER_INDEX_TENSOR) && !index) throw new ValidationError(`${field}.inputs`, `has no values for "${USER_INDEX_TENSOR}", which the model reads`);
  const users = index ? 1 + Math.max(-1, ...index.data) : 0;
  if (index && !index.data.every((u) => Number.isInteger(u) && u >= 0)) throw new ValidationError(`${field}.inputs["${USER_INDEX_TENSOR}"].data`, 'must be non-negative integers');
  const perUser = index ? userTensors(featureSpec) : new Set<string>();
  for (const tensor of bound) {
    const t = g.inputs[tensor];
    if (!t) throw new ValidationError(`${field}.inputs`, `has no values for "${tensor}", which the model reads`);
    const spec = layout.find((l) => l.tensor === tensor)!;
    const at = `${field}.inputs["${tensor}"]`;
    const rows = perUser.has(tensor) ? users : g.rows;
    if (t.type !== spec.type) throw new ValidationError(`${at}.type`, `must be ${spec.type}, as the feature spec builds it`);
    if (t.dims[0] !== rows || t.dims[1] !== spec.width) throw new ValidationError(`${at}.dims`, `must be [${rows}, ${spec.width}], got [${t.dims.join(', ')}]`);
    if (t.data.length !== rows * spec.width) throw new ValidationError(`${at}.data`, `has ${t.data.length} values, dims need ${rows * spec.width}`);
    if (t.type === 'int32' && !t.data.every((x) => Number.isInteger(x))) throw new ValidationError(`${at}.data`, 'int32 values must be integers');
  }
  const extra = Object.keys(g.inputs).find((tensor) => !bound.has(tensor));
  if (extra !== undefined) throw new ValidationError(`${field}.inputs["${extra}"]`, 'is not a tensor the model reads');
  for (const role of Object.keys(model.outputs) as Array<'pClick' | 'watchFraction' | 'userVector'>) {
    const want = g.outputs[role];
    const width = role === 'userVector' ? vectorWidth : 1;
    if (!want) throw new ValidationError(`${field}.outputs`, `has no values for the model's output "${role}"`);
    if (want.length !== g.rows * width) throw new ValidationError(`${field}.outputs.${role}`, `has ${want.length} values, expected ${g.rows * width}`);
  }
}
