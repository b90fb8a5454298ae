/**
 * Turns rows (a user, an item, a context) into the named, typed tensors that the models take.
 * The pipeline calls this for training and evaluation and the worker for every feed, so both
 * feed the models the same numbers.
 */
import { ValidationError } from '../errors.ts';
import { encodeHistory, encodeHistoryShare, type HistoryEntry } from './history.ts';
import { featureCardinality, type CategoricalFeature, type Feature, type FeatureSpec, type MultiCategoricalFeature } from './spec.ts';
import { encodeBucketized, encodeCategorical, encodeMultiCategorical, encodeNumeric } from './transforms.ts';

export type Scope = 'user' | 'item' | 'context';
export type FeatureRow = Partial<Record<Scope, Readonly<Record<string, unknown>>>>;

export interface FeatureTensor {
  type: 'int32' | 'float32';
  /** [rows, width]. */
  dims: [number, number];
  data: Int32Array | Float32Array;
}

export interface TensorLayout {
  /** `<feature>`, or `<feature>:ids` and `<feature>:weights` for history features. */
  tensor: string;
  feature: string;
  type: 'int32' | 'float32';
  width: number;
}

/** The tensors a spec produces, in spec order: the names a model's inputs map to. */
export function tensorLayout(spec: FeatureSpec): TensorLayout[] {
  const out: TensorLayout[] = [];
  for (const f of spec.features) {
    switch (f.kind) {
      case 'categorical':
      case 'bucketized':
        out.push({ tensor: f.name, feature: f.name, type: 'int32', width: 1 });
        break;
      case 'multi-categorical':
        out.push({ tensor: f.name, feature: f.name, type: 'int32', width: f.maxLength });
        break;
      case 'numeric':
        out.push({ tensor: f.name, feature: f.name, type: 'float32', width: 1 });
        break;
      case 'dense':
        out.push({ tensor: f.name, feature: f.name, type: 'float32', width: f.dim });
        break;
      case 'history-share':
        out.push({ tensor: f.name, feature: f.name, type: 'float32', width: featureCardinality(byItem(spec, f.item)) });
        break;
      case 'history':
        out.push({ tensor: `${f.name}:ids`, feature: f.name, type: 'int32', width: f.maxLength });
        out.push({ tensor: `${f.name}:weights`, feature: f.name, type: 'float32', width: f.maxLength });
        break;
    }
  }
  return out;
}

function byItem(spec: FeatureSpec, name: string): Feature {
  return spec.features.find((f) => f.name === name)!;
}

function read(row: FeatureRow, source: string): unknown {
  const dot = source.indexOf('.');
  return row[source.slice(0, dot) as Scope]?.[source.slice(dot + 1)];
}

export interface BuildOptions {
  /** Milliseconds since the epoch that history recency is measured from; explicit, so train and serve agree. */
  now: number;
  /** Only these features (default: all). */
  only?: readonly string[];
}

/**
 * Builds every tensor of `spec` for `rows`. History is encoded once per distinct history
 * array (candidates of one feed share their user), not once per row.
 */
export function buildFeatureTensors(
  spec: FeatureSpec,
  rows: readonly FeatureRow[],
  { now, only }: BuildOptions,
): Record<string, FeatureTensor> {
  if (!Number.isFinite(now)) throw new ValidationError('now', `must be a finite time in milliseconds, got ${now}`);
  const n = rows.length;
  const seed = spec.hashSeed;
  const byName = new Map(spec.features.map((f) => [f.name, f] as const));
  const wanted = only ? new Set(only) : null;
  if (only) {
    for (const name of only) {
      if (!byName.has(name)) throw new ValidationError('only', `unknown feature "${name}"; the spec has ${[...byName.keys()].join(', ')}`);
    }
  }
  const out: Record<string, FeatureTensor> = {};
  for (const f of spec.features) {
    if (wanted && !wanted.has(f.name)) continue;
    buildOne(f, rows, n, seed, now, byName, out);
  }
  return out;
}

function buildOne(
  f: Feature,
  rows: readonly FeatureRow[],
  n: number,
  seed: number,
  now: number,
  byName: ReadonlyMap<string, Feature>,
  out: Record<string, FeatureTensor>,
): void {
  switch (f.kind) {
    case 'categorical': {
      const data = new Int32Array(n);
      for (let r = 0; r < n; r++) data[r] = encodeCategorical(f, read(rows[r]!, f.source), seed);
      out[f.name] = { type: 'int32', dims: [n, 1], data };
      return;
    }
    case 'bucketized': {
      const data = new Int32Array(n);
      for (let r = 0; r < n; r++) data[r] = encodeBucketized(f, read(rows[r]!, f.source), now);
      out[f.name] = { type: 'int32', dims: [n, 1], data };
      return;
    }
    case 'numeric': {
      const data = new Float32Array(n);
      for (let r = 0; r < n; r++) data[r] = encodeNumeric(f, read(rows[r]!, f.source), now);
      out[f.name] = { type: 'float32', dims: [n, 1], data };
      return;
    }
    case 'multi-categorical': {
      const width = f.maxLength;
      const data = new Int32Array(n * width);
      for (let r = 0; r < n; r++) {
        encodeMultiCategorical(f, read(rows[r]!, f.source), seed, data.subarray(r * width, (r + 1) * width));
      }
      out[f.name] = { type: 'int32', dims: [n, width], data };
      return;
    }
    case 'dense': {
      const data = new Float32Array(n * f.dim);
      for (let r = 0; r < n; r++) {
        const v = read(rows[r]!, f.source);
        if (v === undefined || v === null) continue; // missing vector: zeros
        if (!isNumberArray(v) || v.length !== f.dim) {
          throw new ValidationError(f.source, `feature "${f.name}" needs ${f.dim} numbers in row ${r}, got ${describe(v)}`);
        }
        data.set(v, r * f.dim);
      }
      out[f.name] = { type: 'float32', dims: [n, f.dim], data };
      return;
    }
    case 'history-share': {
      const itemFeature = byName.get(f.item) as CategoricalFeature | MultiCategoricalFeature;
      const width = featureCardinality(itemFeature);
      const data = new Float32Array(n * width);
      perHistory(f, rows, (entries, r) => encodeHistoryShare(f, itemFeature, entries, now, seed, data.subarray(r * width, (r + 1) * width)), (from, to) =>
        data.copyWithin(to * width, from * width, (from + 1) * width),
      );
      out[f.name] = { type: 'float32', dims: [n, width], data };
      return;
    }
    case 'history': {
      const width = f.maxLength;
      const ids = new Int32Array(n * width);
      const weights = new Float32Array(n * width);
      const itemFeature = byName.get(f.item) as CategoricalFeature;
      const row = (a: Int32Array | Float32Array, r: number) => a.subarray(r * width, (r + 1) * width);
      perHistory(
        f,
        rows,
        (entries, r) => encodeHistory(f, itemFeature, entries, now, seed, row(ids, r) as Int32Array, row(weights, r) as Float32Array),
        (from, to) => {
          ids.copyWithin(to * width, from * width, (from + 1) * width);
          weights.copyWithin(to * width, from * width, (from + 1) * width);
        },
      );
      out[`${f.name}:ids`] = { type: 'int32', dims: [n, width], data: ids };
      out[`${f.name}:weights`] = { type: 'float32', dims: [n, width], data: weights };
      return;
    }
  }
}

/**
 * Runs `encode` once per distinct history array (the candidates of one feed share their user)
 * and `copy`s the result to the other rows holding the same array.
 */
function perHistory(
  f: { name: string; source: string },
  rows: readonly FeatureRow[],
  encode: (entries: readonly HistoryEntry[], row: number) => void,
  copy: (from: number, to: number) => void,
): void {
  const source = f.source;
  const done = new Map<unknown, number>();
  for (let r = 0; r < rows.length; r++) {
    const entries = read(rows[r]!, source);
    const prev = done.get(entries);
    if (prev !== undefined) {
      copy(prev, r);
      continue;
    }
    if (entries !== undefined && entries !== null && !Array.isArray(entries)) {
      throw new ValidationError(source, `feature "${f.name}" needs an array of history entries in row ${r}, got ${describe(entries)}`);
    }
    encode((entries ?? []) as readonly HistoryEntry[], r);
    if (entries) done.set(entries, r);
  }
}

function isNumberArray(v: unknown): v is ArrayLike<number> {
  return v instanceof Float32Array || v instanceof Float64Array || (Array.isArray(v) && v.every((x) => typeof x === 'number'));
}

function describe(v: unknown): string {
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  if (ArrayBuffer.isView(v)) return `a ${v.constructor.name} of length ${(v as unknown as ArrayLike<number>).length}`;
  return typeof v;
}
