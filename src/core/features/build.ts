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

/** `scope.key` split once per feature, not once per row (500 rows per feed on the device). */
function splitSource(source: string): [Scope, string] {
  const dot = source.indexOf('.');
  return [source.slice(0, dot) as Scope, source.slice(dot + 1)];
}

/** The raw values of one feature's source column, one per row. */
function column(rows: readonly FeatureRow[], source: string): unknown[] {
  const [scope, key] = splitSource(source);
  const out = new Array<unknown>(rows.length);
  for (let r = 0; r < rows.length; r++) out[r] = rows[r]![scope]?.[key];
  return out;
}

export interface BuildOptions {
  /** Milliseconds since the epoch that history recency is measured from; explicit, so train and serve agree. */
  now: number;
  /** Only these features (default: all). */
  only?: readonly string[];
  /**
   * Per-user tensors (default false): the features a row reads from its `user` (history,
   * profile) are built once per distinct `user` object, [U, width] in order of first
   * appearance, and USER_INDEX_TENSOR [N, 1] says which of them each row has. A feed's 500
   * candidates share one user: their history is then one row instead of 500 copies, and a
   * model exported with per-user inputs pools it once (src/pipeline/export/parts-graph.ts).
   */
  perUser?: boolean;
}

/**
 * The row -> user index tensor of per-user tensors (BuildOptions.perUser): int32 [N, 1]. A model
 * exported with per-user inputs binds it like any feature tensor.
 */
export const USER_INDEX_TENSOR = 'user:index';

/** Whether a feature reads the user scope (history, profile), so per-user tensors hold it. */
export function isUserFeature(f: Pick<Feature, 'source'>): boolean {
  return f.source.startsWith('user.');
}

/** The feature tensors (tensorLayout names) that a spec builds per user. */
export function userTensors(spec: FeatureSpec): Set<string> {
  const user = new Set(spec.features.filter(isUserFeature).map((f) => f.name));
  return new Set(tensorLayout(spec).filter((t) => user.has(t.feature)).map((t) => t.tensor));
}

/**
 * Builds every tensor of `spec` for `rows`. History is encoded once per distinct history
 * array (candidates of one feed share their user), not once per row.
 */
export function buildFeatureTensors(
  spec: FeatureSpec,
  rows: readonly FeatureRow[],
  { now, only, perUser = false }: BuildOptions,
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
  const users = perUser ? distinctUsers(rows) : null;
  for (const f of spec.features) {
    if (wanted && !wanted.has(f.name)) continue;
    if (users && isUserFeature(f)) buildOne(f, users.rows, users.rows.length, seed, now, byName, out);
    else buildOne(f, rows, n, seed, now, byName, out);
  }
  if (users) out[USER_INDEX_TENSOR] = { type: 'int32', dims: [n, 1], data: users.index };
  return out;
}

/** Each distinct `user` object once (rows holding only it), and each row's index among them. */
function distinctUsers(rows: readonly FeatureRow[]): { rows: FeatureRow[]; index: Int32Array } {
  const at = new Map<unknown, number>();
  const users: FeatureRow[] = [];
  const index = new Int32Array(rows.length);
  for (let r = 0; r < rows.length; r++) {
    const user = rows[r]!.user;
    let u = at.get(user);
    if (u === undefined) {
      u = users.length;
      at.set(user, u);
      users.push(user === undefined ? {} : { user });
    }
    index[r] = u;
  }
  return { rows: users, index };
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
      const raw = column(rows, f.source);
      for (let r = 0; r < n; r++) data[r] = encodeCategorical(f, raw[r], seed);
      out[f.name] = { type: 'int32', dims: [n, 1], data };
      return;
    }
    case 'bucketized': {
      const data = new Int32Array(n);
      const raw = column(rows, f.source);
      for (let r = 0; r < n; r++) data[r] = encodeBucketized(f, raw[r], now);
      out[f.name] = { type: 'int32', dims: [n, 1], data };
      return;
    }
    case 'numeric': {
      const data = new Float32Array(n);
      const raw = column(rows, f.source);
      for (let r = 0; r < n; r++) data[r] = encodeNumeric(f, raw[r], now);
      out[f.name] = { type: 'float32', dims: [n, 1], data };
      return;
    }
    case 'multi-categorical': {
      const width = f.maxLength;
      const data = new Int32Array(n * width);
      const raw = column(rows, f.source);
      for (let r = 0; r < n; r++) {
        encodeMultiCategorical(f, raw[r], seed, data.subarray(r * width, (r + 1) * width));
      }
      out[f.name] = { type: 'int32', dims: [n, width], data };
      return;
    }
    case 'dense': {
      const data = new Float32Array(n * f.dim);
      const raw = column(rows, f.source);
      for (let r = 0; r < n; r++) {
        const v = raw[r];
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
  const raw = column(rows, source);
  const done = new Map<unknown, number>();
  for (let r = 0; r < rows.length; r++) {
    const entries = raw[r];
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
