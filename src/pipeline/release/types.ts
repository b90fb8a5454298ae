import type { StepTable } from '../../core/feed/index.ts';
import type { FeatureSpec, FeatureSpecInput } from '../../core/features/index.ts';
import type { ReleaseManifest } from '../../core/release/index.ts';
import type { KMeansOptions } from './kmeans.ts';
import type { DriftBaselineInput } from './drift-baseline.ts';
import type { ItemColumn, ItemMetaField } from './item-columns.ts';
import type { ReleaseSigningKey } from './signing.ts';

/** One catalogue item as the writer takes it; its columns and meta come as ItemColumn / ItemMetaField. */
export interface ItemRecord {
  /** Stored as u32 when every id of the release is a canonical decimal integer below 2^32, else as UTF-8. */
  id: string | number;
  /** embeddingDim floats (the item tower's output, or embeddings made elsewhere). */
  embedding: Float32Array;
  /** Creation time, ms since the epoch; picks the newest items for the head. Unknown: never picked as new. */
  created?: number;
}

/** Binds an ONNX graph input to a feature tensor (a name from tensorLayout(featureSpec)). */
export interface TensorBinding {
  name: string;
  tensor: string;
}

export interface RankerModel {
  /** The ONNX file; the manifest needs only its hash and size, the device the bytes. */
  bytes: Uint8Array;
  inputs: readonly TensorBinding[];
  /** Output names inside the graph. */
  outputs: { pClick: string; watchFraction?: string };
}

export interface UserTowerModel {
  bytes: Uint8Array;
  inputs: readonly TensorBinding[];
  outputs: { userVector: string };
}

/** Anything else to publish with the release (evaluation report, training log). */
export interface ExtraArtifact {
  name: string;
  kind: 'report';
  bytes: Uint8Array;
  /** File extension of the content-addressed file, default "bin" (e.g. "json"). */
  ext?: string;
}

export interface WriteReleaseOptions {
  /** The release folder; created when missing. Its parent receives a temporary folder while writing. */
  outDir: string;
  /** Default `r-<YYYYMMDD-HHMMSS>-<first 8 hex of the content hash>`, from `created`. */
  releaseId?: string;
  /** ISO 8601 timestamp; default now. */
  created?: string;
  featureSpec: FeatureSpec | FeatureSpecInput;
  embeddingDim: number;
  items: readonly ItemRecord[];
  /** Per-item ranking features (defaultItemColumns builds the usual ones); default none. */
  columns?: readonly ItemColumn[];
  /** Per-item display strings; default none. */
  meta?: readonly ItemMetaField[];
  /** One non-negative score per item; the head takes the highest. */
  popularity: Float32Array;
  models: { ranker: RankerModel; userTower?: UserTowerModel };
  /** The step table of the ranker's sequence score (src/core/feed/step-table.ts); required when the spec reads it. */
  steps?: StepTable;
  extraArtifacts?: readonly ExtraArtifact[];
  /** Number of IVF clusters; default chooseClusterCount(items.length). */
  clusters?: number;
  /** Seeds k-means (same inputs and seed, same release bytes). */
  seed: number;
  /** k-means tunables other than the seed (defaults: KMEANS_DEFAULTS, metric RELEASE_DEFAULTS.metric). */
  kmeans?: Omit<KMeansOptions, 'seed'>;
  /**
   * Compute golden vectors (golden-vectors.ts) from the models and shards and put them in the
   * manifest, for the device to verify each runtime against; default true. False only for
   * releases whose model bytes are stand-ins (tests of the shards or the manifest alone).
   */
  golden?: boolean;
  /** The training window's feature distributions (driftBaselineOf); written as releases/<id>.drift.json. */
  driftBaseline?: DriftBaselineInput | null;
  /** Signs the manifest (formatVersion 2); without it the manifest is unsigned. */
  signingKey?: ReleaseSigningKey | null;
  /** The signed manifest's sequence; default the time in ms, or one more than outDir's current manifest. */
  sequence?: number;
}

export interface WriteReleaseResult {
  manifest: ReleaseManifest;
  /** Every file of this release, relative to outDir: manifest.json, releases/<id>.json, artifacts/*. */
  files: string[];
  /** Artifacts that were already in outDir with the same content, so not written again. */
  reused: number;
  seconds: number;
  /** Seconds spent checking the input, clustering (k-means and head), encoding and staging the shards, publishing. */
  timings: { check: number; cluster: number; shards: number; write: number };
  kmeans: { k: number; iterations: number; inertia: number; trainedOn: number };
}
