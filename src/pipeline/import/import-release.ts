/**
 * `ondeck release`: a signed release from models and embeddings made elsewhere (PyTorch,
 * TensorFlow, TorchRec on Spark or Ray). The files are checked against the feature spec before
 * anything is written (contract.ts); then the release writer does what `ondeck build` does after
 * training: golden vectors (the models run by onnxruntime on rows built from the shards), k-means
 * clusters, int8 shards, the manifest, the signature. The release is read back and verified.
 *
 * Inputs (docs: README, "Bring your own models"):
 * - embeddings: .npy float32 [n × d], row i = the item on data line i of the items CSV;
 * - items: CSV with item_id and optional title, categories ('|'), duration_seconds, created,
 *   popularity (any non-negative score; the head shard takes the highest);
 * - features: the feature spec JSON (src/core/features), the one the models were trained with;
 * - ranker (and user tower) ONNX files whose inputs are feature tensors of that spec.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ValidationError } from '../../core/errors.ts';
import { parseFeatureSpec, tensorLayout, type FeatureSpec } from '../../core/features/index.ts';
import { loadItemsCsv, type Item } from '../data/index.ts';
import { cell, readCsvTable } from '../data/csv-table.ts';
import {
  defaultItemColumns,
  defaultSigningKeyFile,
  loadOrCreateSigningKey,
  loadSigningKey,
  verifyManifestSignature,
  verifyRelease,
  writeRelease,
  type ReleaseSummary,
  type WriteReleaseResult,
} from '../release/index.ts';
import type { ReleaseManifest } from '../../core/release/index.ts';
import { checkModelContract, type CheckedModel, type OutputRole } from './contract.ts';
import { IMPORT_DEFAULTS } from './defaults.ts';
import { ImportError, ReleaseOptionError } from './errors.ts';
import { readNpy } from './npy.ts';

/** The `item.*` fields a device rebuilds from the shards (src/core/feed/shard-item.ts). */
const SHARD_ITEM_FIELDS = ['id', 'categories', 'durationSeconds', 'created', 'popularity'];

export interface ImportReleaseOptions {
  embeddings: string;
  items: string;
  features: string;
  ranker: string;
  userTower?: string;
  out: string;
  /** Graph input name -> feature tensor, for inputs not named after their tensor. */
  bind?: Readonly<Record<string, string>>;
  /** Output role -> graph output name. */
  outputs?: Readonly<Partial<Record<OutputRole, string>>>;
  /** Ed25519 PKCS#8 PEM file; default defaultSigningKeyFile(out), generated on first use. */
  signingKey?: string;
  seed?: number;
  clusters?: number;
  releaseId?: string;
  /** ISO 8601; default now. The golden rows are built at this time. */
  created?: string;
}

export interface ImportReleaseResult {
  manifest: ReleaseManifest;
  verified: ReleaseSummary;
  /** What was checked, in order, one line each. */
  checks: string[];
  warnings: string[];
  written: WriteReleaseResult;
  signing: { file: string; publicKey: string; created: boolean };
}

export async function importRelease(o: ImportReleaseOptions): Promise<ImportReleaseResult> {
  const checks: string[] = [];
  const spec = readSpec(o.features, checks);
  const emb = readNpy(readBytes(o.embeddings, 'embeddings'), o.embeddings);
  const { items, popularity, warnings } = readItems(o.items, emb.rows, o.embeddings);
  checks.push(`${o.embeddings}: ${emb.rows} × ${emb.cols} float32, all finite, one row per item of ${o.items}`);
  checks.push(`${o.items}: ${items.length} items, ids unique${popularity.some((p) => p > 0) ? ', popularity column read' : ' (no popularity column: the head takes the newest items)'}`);

  const models: { ranker: CheckedModel; userTower?: CheckedModel } = {
    ranker: await checkModel(o, o.ranker, 'ranker', spec, emb.cols, checks),
  };
  if (o.userTower !== undefined) models.userTower = await checkModel(o, o.userTower, 'userTower', spec, emb.cols, checks);
  const inputs = new Set([...models.ranker.inputs, ...(models.userTower?.inputs ?? [])].map((b) => b.name));
  const stray = Object.keys(o.bind ?? {}).find((name) => !inputs.has(name));
  if (stray !== undefined) throw new ReleaseOptionError(`--bind ${stray}=...: neither model has an input "${stray}"`);

  const signing =
    o.signingKey !== undefined
      ? { key: loadSigningKey(o.signingKey), created: false, file: resolve(o.signingKey) }
      : loadOrCreateSigningKey(defaultSigningKeyFile(o.out));
  const categories = spec.features.find((f) => f.name === 'categories');
  const vocab = categories?.kind === 'multi-categorical' ? (categories.vocab ?? []) : [];
  const { columns, meta } = defaultItemColumns({
    items,
    popularity,
    categories: vocab,
    maxCategories: categories?.kind === 'multi-categorical' ? categories.maxLength : 1,
  });
  const written = await writeRelease({
    outDir: o.out,
    featureSpec: spec,
    embeddingDim: emb.cols,
    items: items.map((it, i) => ({ id: it.id, embedding: emb.data.subarray(i * emb.cols, (i + 1) * emb.cols), ...(it.created === undefined ? {} : { created: it.created }) })),
    columns,
    meta,
    popularity,
    models: {
      ranker: { bytes: readBytes(o.ranker, 'ranker'), inputs: models.ranker.inputs, outputs: { pClick: models.ranker.outputs.pClick!, ...(models.ranker.outputs.watchFraction ? { watchFraction: models.ranker.outputs.watchFraction } : {}) } },
      ...(models.userTower && o.userTower !== undefined
        ? { userTower: { bytes: readBytes(o.userTower, 'userTower'), inputs: models.userTower.inputs, outputs: { userVector: models.userTower.outputs.userVector! } } }
        : {}),
    },
    seed: o.seed ?? IMPORT_DEFAULTS.seed,
    ...(o.clusters === undefined ? {} : { clusters: o.clusters }),
    ...(o.releaseId === undefined ? {} : { releaseId: o.releaseId }),
    ...(o.created === undefined ? {} : { created: o.created }),
    signingKey: signing.key,
  });
  const m = written.manifest;
  const golden = [
    `ranker ${m.models.ranker.golden!.rows} rows`,
    ...(m.models.userTower?.golden ? [`user tower ${m.models.userTower.golden.rows} rows`] : []),
    `retrieval top ${m.retrievalGolden!.ids.length}`,
  ];
  checks.push(`golden vectors computed by onnxruntime from rows built out of the written shards: ${golden.join(', ')}`);
  checks.push(`k-means: ${written.kmeans.k} clusters in ${written.kmeans.iterations} iterations; shards int8-quantised`);
  const verified = await verifyRelease(o.out);
  if (!verifyManifestSignature(m, signing.key.publicKey)) throw new ImportError(o.out, 'manifest.json signature', 'does not verify with the signing key');
  checks.push(`read back: every artifact's size and SHA-256, ${verified.shards} shards decode and partition ${verified.items} items; Ed25519 signature verifies (key ${signing.key.publicKey})`);
  return { manifest: m, verified, checks, warnings, written, signing: { file: signing.file, publicKey: signing.key.publicKey, created: signing.created } };
}

function readBytes(file: string, flag: string): Uint8Array {
  try {
    const b = readFileSync(file);
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  } catch (err) {
    throw new ReleaseOptionError(`--${flag === 'userTower' ? 'user-tower' : flag} ${file}: cannot read it (${(err as Error).message})`, { cause: err });
  }
}

function readSpec(file: string, checks: string[]): FeatureSpec {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(readBytes(file, 'features')));
  } catch (err) {
    if (err instanceof ReleaseOptionError) throw err;
    throw new ImportError(file, 'json', `is not JSON (${(err as Error).message})`, { cause: err });
  }
  let spec: FeatureSpec;
  try {
    spec = parseFeatureSpec(json, '');
  } catch (err) {
    if (err instanceof ValidationError) throw new ImportError(file, err.field || '(root)', err.message.slice(err.field ? err.field.length + 2 : 0), { cause: err });
    throw err;
  }
  spec.features.forEach((f, i) => {
    const [scope, field] = f.source.split('.') as [string, string];
    if (scope === 'item' && !SHARD_ITEM_FIELDS.includes(field)) {
      throw new ImportError(file, `features[${i}].source`, `"${f.source}": the shards carry only ${SHARD_ITEM_FIELDS.map((x) => `item.${x}`).join(', ')}, so a device would always see this feature's default`);
    }
    if (f.source === 'item.categories' && (f.name !== 'categories' || f.kind !== 'multi-categorical' || !f.vocab)) {
      throw new ImportError(file, `features[${i}]`, 'item.categories is read back from the shards through the multi-categorical feature named "categories" with a vocab');
    }
  });
  checks.push(`${file}: feature spec v${spec.version}, ${spec.features.length} features, ${tensorLayout(spec).length} tensors; every item field is one the shards carry`);
  return spec;
}

function readItems(file: string, rows: number, embeddingsFile: string): { items: Item[]; popularity: Float32Array; warnings: string[] } {
  const { items: byId, warnings } = loadItemsCsv(file);
  const table = readCsvTable(file, 'items CSV', ['item_id']);
  if (byId.size !== table.rows.length) {
    throw new ImportError(file, 'item_id', `${table.rows.length - byId.size} repeated ids; each data line is one row of ${embeddingsFile}, so ids must be unique (${warnings.join('; ')})`);
  }
  if (table.rows.length !== rows) {
    throw new ImportError(embeddingsFile, 'header.shape[0]', `${rows} rows, but ${file} has ${table.rows.length} items; row i is the item on data line i`);
  }
  const items = [...byId.values()];
  const col = table.header.indexOf('popularity');
  const popularity = new Float32Array(items.length);
  if (col >= 0) {
    table.rows.forEach((row, i) => {
      const text = cell(row, col);
      const v = text === undefined ? 0 : Number(text);
      if (!(v >= 0 && v < Infinity)) throw new ImportError(file, `line ${row.line}, column popularity`, `"${text}" is not a finite number ≥ 0`);
      popularity[i] = v;
    });
  }
  return { items, popularity, warnings: [] };
}

async function checkModel(o: ImportReleaseOptions, file: string, role: 'ranker' | 'userTower', spec: FeatureSpec, dim: number, checks: string[]): Promise<CheckedModel> {
  const checked = await checkModelContract({
    file,
    bytes: readBytes(file, role),
    role,
    spec,
    embeddingDim: dim,
    ...(o.bind ? { bind: o.bind } : {}),
    ...(o.outputs ? { outputs: o.outputs } : {}),
  });
  for (const c of checked.checks) checks.push(`${file}: ${c}`);
  return checked;
}
