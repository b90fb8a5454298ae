/**
 * Checks everything writeRelease is given before any clustering or writing, so bad input fails
 * fast with a ReleaseInputError naming the field, and turns it into the Catalog the shards are
 * cut from.
 */
import { parseFeatureSpec, type FeatureSpec } from '../../core/features/index.ts';
import type { ArtifactKind, ArtifactRef } from '../../core/release/index.ts';
import { name as nameSchema, parseWith } from '../../core/validation.ts';
import { HEAD_ARTIFACT, RANKER_ARTIFACT, USER_TOWER_ARTIFACT, STEPS_ARTIFACT, buildManifest, validateManifest } from './build-manifest.ts';
import { ReleaseInputError, asReleaseInputError } from './errors.ts';
import { readColumn, readMeta } from './item-columns.ts';
import type { Catalog } from './shards.ts';
import type { ExtraArtifact, WriteReleaseOptions } from './types.ts';

export interface CheckedRelease {
  featureSpec: FeatureSpec;
  catalog: Catalog;
  /** Creation time of each item (ms), NaN when unknown. */
  itemCreated: Float64Array;
  created: string;
  extras: (ExtraArtifact & { ext: string })[];
}

const U32_MAX = 0xffffffff;
const CANONICAL_UINT = /^(0|[1-9][0-9]{0,9})$/;
const EXT = /^[a-z0-9]{1,10}$/;

export function checkRelease(o: WriteReleaseOptions): CheckedRelease {
  if (typeof o !== 'object' || o === null) throw new ReleaseInputError('', 'expected the release options object');
  if (typeof o.outDir !== 'string' || o.outDir === '') throw new ReleaseInputError('outDir', 'expected a folder path');
  const featureSpec = wrap(() => parseFeatureSpec(o.featureSpec, 'featureSpec'));
  const dim = o.embeddingDim;
  if (!Number.isInteger(dim) || dim < 1) throw new ReleaseInputError('embeddingDim', `must be a positive integer, got ${String(dim)}`);
  if (!Number.isInteger(o.seed)) throw new ReleaseInputError('seed', `must be an integer, got ${String(o.seed)}`);
  if (o.releaseId !== undefined) wrap(() => parseWith(nameSchema, o.releaseId, 'releaseId'));
  const created = o.created ?? new Date().toISOString();
  if (typeof created !== 'string' || Number.isNaN(Date.parse(created))) {
    throw new ReleaseInputError('created', `must be an ISO 8601 timestamp, got ${String(created)}`);
  }

  const items = o.items;
  if (!Array.isArray(items) || items.length === 0) throw new ReleaseInputError('items', 'expected a non-empty array of items');
  const n = items.length;
  const embeddings = new Float32Array(n * dim);
  const itemCreated = new Float64Array(n);
  const rawIds: string[] = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    const it = items[i]!;
    const at = `items[${i}]`;
    if (typeof it !== 'object' || it === null) throw new ReleaseInputError(at, 'expected { id, embedding, created? }');
    if (typeof it.id === 'number') {
      if (!Number.isInteger(it.id) || it.id < 0 || it.id > U32_MAX) {
        throw new ReleaseInputError(`${at}.id`, `numeric ids are integers in [0, ${U32_MAX}], got ${it.id}`);
      }
      rawIds[i] = String(it.id);
    } else if (typeof it.id === 'string' && it.id !== '' && !it.id.includes('\0')) {
      rawIds[i] = it.id;
    } else {
      throw new ReleaseInputError(`${at}.id`, 'expected a non-empty string without U+0000, or a u32');
    }
    const e = it.embedding;
    if (!(e instanceof Float32Array) || e.length !== dim) {
      throw new ReleaseInputError(`${at}.embedding`, `expected a Float32Array of embeddingDim (${dim}) floats`);
    }
    for (let j = 0; j < dim; j++) {
      if (!Number.isFinite(e[j]!)) throw new ReleaseInputError(`${at}.embedding[${j}]`, `${e[j]} is not finite`);
    }
    embeddings.set(e, i * dim);
    const t = it.created;
    if (t !== undefined && !Number.isFinite(t)) throw new ReleaseInputError(`${at}.created`, 'expected ms since the epoch, or nothing');
    itemCreated[i] = t ?? NaN;
  }
  const ids = normaliseIds(rawIds);
  const idOf = (i: number) => rawIds[i]!;

  const p = o.popularity;
  if (!(p instanceof Float32Array) || p.length !== n) {
    throw new ReleaseInputError('popularity', `expected a Float32Array with one score per item (${n})`);
  }
  for (let i = 0; i < n; i++) {
    if (!(p[i]! >= 0 && p[i]! < Infinity)) {
      throw new ReleaseInputError(`popularity[${i}]`, `item "${idOf(i)}": ${p[i]} is not a finite score ≥ 0`);
    }
  }

  const columns = (o.columns ?? []).map((c, i) => readColumn(c, i, n, idOf));
  unique(columns.map((c) => c.name), 'columns');
  const meta = (o.meta ?? []).map((m, i) => readMeta(m, i, n, idOf));
  unique(meta.map((m) => m.name), 'meta');

  checkModel(o.models?.ranker, 'models.ranker');
  if (o.models.userTower !== undefined) checkModel(o.models.userTower, 'models.userTower');
  const extras = (o.extraArtifacts ?? []).map((x, i) => {
    const at = `extraArtifacts[${i}]`;
    if (x.kind !== 'report') throw new ReleaseInputError(`${at}.kind`, `must be "report", got ${String(x.kind)}`);
    if (!(x.bytes instanceof Uint8Array) || x.bytes.length === 0) throw new ReleaseInputError(`${at}.bytes`, 'expected non-empty bytes');
    const ext = x.ext ?? 'bin';
    if (!EXT.test(ext)) throw new ReleaseInputError(`${at}.ext`, `expected 1-10 lowercase letters or digits, got "${ext}"`);
    return { ...x, ext };
  });

  if (o.golden !== undefined && typeof o.golden !== 'boolean') throw new ReleaseInputError('golden', `must be true or false, got ${String(o.golden)}`);
  if (o.clusters !== undefined && (!Number.isInteger(o.clusters) || o.clusters < 1 || o.clusters > n)) {
    throw new ReleaseInputError('clusters', `must be an integer in [1, ${n}] (the number of items), got ${String(o.clusters)}`);
  }

  // The model bindings, artifact names and release id are judged by parseManifest; a draft with
  // placeholder hashes runs it now rather than after the clustering.
  const placeholder = (name: string, kind: ArtifactKind, cluster?: number): ArtifactRef => ({
    name,
    kind,
    url: `artifacts/${'0'.repeat(64)}.bin`,
    bytes: 1,
    sha256: '0'.repeat(64),
    ...(cluster === undefined ? {} : { cluster }),
  });
  const draft = buildManifest({
    releaseId: o.releaseId ?? 'r-draft',
    created,
    featureSpec,
    embeddingDim: dim,
    clusters: 0,
    artifacts: [
      placeholder(HEAD_ARTIFACT, 'shard', -1),
      placeholder(RANKER_ARTIFACT, 'model'),
      ...(o.models.userTower ? [placeholder(USER_TOWER_ARTIFACT, 'model')] : []),
      ...(o.steps ? [placeholder(STEPS_ARTIFACT, 'steps')] : []),
      ...extras.map((x) => placeholder(x.name, x.kind)),
    ],
    models: o.models,
  });
  validateManifest(draft);
  return { featureSpec, catalog: { n, dim, ids, embeddings, columns, meta }, itemCreated, created, extras };
}

/** u32 ids when every id is a canonical decimal integer that fits (4 bytes each, no string table). */
function normaliseIds(raw: string[]): number[] | string[] {
  const numeric = raw.every((id) => CANONICAL_UINT.test(id) && Number(id) <= U32_MAX);
  const seen = new Map<string, number>();
  raw.forEach((id, i) => {
    const prev = seen.get(id);
    if (prev !== undefined) throw new ReleaseInputError(`items[${i}].id`, `duplicate of items[${prev}].id ("${id}")`);
    seen.set(id, i);
  });
  return numeric ? raw.map(Number) : raw;
}

function unique(names: string[], field: string): void {
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n)) throw new ReleaseInputError(field, `duplicate name "${n}"`);
    seen.add(n);
  }
}

function checkModel(m: { bytes: Uint8Array } | undefined, field: string): void {
  if (typeof m !== 'object' || m === null) throw new ReleaseInputError(field, 'expected { bytes, inputs, outputs }');
  if (!(m.bytes instanceof Uint8Array) || m.bytes.length === 0) {
    throw new ReleaseInputError(`${field}.bytes`, 'expected the ONNX file as non-empty bytes');
  }
}

function wrap<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    throw asReleaseInputError(e);
  }
}
