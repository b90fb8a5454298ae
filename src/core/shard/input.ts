import { ShardInputError } from './errors.ts';
import {
  COLUMN_TYPE_NAMES,
  ID_KIND_STRING,
  ID_KIND_U32,
  MAX_COLUMN_WIDTH,
  columnTypeByName,
  type ColumnType,
  type ColumnTypeSpec,
  type Quantization,
} from './format.ts';

export interface ShardColumnInput {
  name: string;
  type: ColumnType;
  /** Values per item, default 1 (e.g. up to 3 categories per item, padded). */
  width?: number;
  /** count*width values, row-major. */
  data: ArrayLike<number>;
}

export interface ShardInfo {
  shardId?: string;
  /** IVF cluster id; -1 (the default) is the head shard. */
  cluster?: number;
  /** The cluster's centroid (dim floats), so a device can pick its nearest clusters. */
  centroid?: Float32Array;
}

export interface ShardInput {
  /** All numbers (integers in [0, 2^32), stored as u32) or all strings (stored as UTF-8). */
  ids: readonly (number | string)[];
  dim: number;
  /** count*dim floats, row-major; quantised to int8 with one float32 scale per item. */
  embeddings: Float32Array;
  /** Ranking features of each item (category, duration, age, popularity...). */
  columns?: readonly ShardColumnInput[];
  /** Display metadata: field -> one string per item. */
  meta?: Readonly<Record<string, readonly string[]>>;
  info?: ShardInfo;
  /** 'int8' (default) or 'int8-residual': quantise item - info.centroid (needs the centroid). */
  quantization?: Quantization;
}

export interface ValidColumn {
  name: string;
  spec: ColumnTypeSpec;
  width: number;
  data: ArrayLike<number>;
}

export interface ValidShardInput {
  ids: readonly (number | string)[];
  idKind: typeof ID_KIND_U32 | typeof ID_KIND_STRING;
  dim: number;
  embeddings: Float32Array;
  columns: ValidColumn[];
  metaFields: [string, readonly string[]][];
  shardId: string | null;
  cluster: number;
  centroid: Float32Array | null;
  quantization: Quantization;
}

const U32_MAX = 0xffffffff;
// Names and the shard id have no offsets table of their own; without NUL in them, a section length
// that grew into the zero padding (or shrank, leaving a non-zero byte as padding) is detectable.
const NUL_MESSAGE = 'must not contain U+0000';
const I32_MAX = 0x7fffffff;

/** Checks everything encodeShard relies on; the first problem throws ShardInputError naming its field. */
export function validateShardInput(input: ShardInput): ValidShardInput {
  if (typeof input !== 'object' || input === null) throw new ShardInputError('', 'expected a ShardInput object');
  const { dim, embeddings } = input;
  if (!Number.isInteger(dim) || dim < 1 || dim > U32_MAX) {
    throw new ShardInputError('dim', `expected a positive integer, got ${String(dim)}`);
  }
  const ids = input.ids;
  if (!Array.isArray(ids)) throw new ShardInputError('ids', 'expected an array');
  const n = ids.length;
  const idKind = checkIds(ids);

  if (!(embeddings instanceof Float32Array)) throw new ShardInputError('embeddings', 'expected a Float32Array');
  if (embeddings.length !== n * dim) {
    throw new ShardInputError('embeddings', `length ${embeddings.length}, expected ${n * dim} (count*dim)`);
  }
  const bad = firstNonFinite(embeddings);
  if (bad >= 0) {
    const item = Math.floor(bad / dim);
    throw new ShardInputError(
      `embeddings[${bad}]`,
      `${embeddings[bad]} is not finite (item ${item}, component ${bad - item * dim})`,
    );
  }

  const columns = checkColumns(input.columns ?? [], n);
  const metaFields = checkMeta(input.meta ?? {}, n);

  const info = input.info ?? {};
  if (typeof info !== 'object' || info === null) throw new ShardInputError('info', 'expected an object');
  const shardId = info.shardId ?? null;
  if (shardId !== null && typeof shardId !== 'string') throw new ShardInputError('info.shardId', 'expected a string');
  if (shardId?.includes('\0')) throw new ShardInputError('info.shardId', NUL_MESSAGE);
  const cluster = info.cluster ?? -1;
  if (!Number.isInteger(cluster) || cluster < -1 || cluster > I32_MAX) {
    throw new ShardInputError(
      'info.cluster',
      `expected -1 (head) or an integer in [0, ${I32_MAX}], got ${String(cluster)}`,
    );
  }
  const centroid = info.centroid ?? null;
  if (centroid !== null) {
    if (!(centroid instanceof Float32Array)) throw new ShardInputError('info.centroid', 'expected a Float32Array');
    if (centroid.length !== dim) {
      throw new ShardInputError('info.centroid', `length ${centroid.length}, expected ${dim} (dim)`);
    }
    const c = firstNonFinite(centroid);
    if (c >= 0) throw new ShardInputError(`info.centroid[${c}]`, `${centroid[c]} is not finite`);
  }

  const quantization = input.quantization ?? 'int8';
  if (quantization !== 'int8' && quantization !== 'int8-residual') {
    throw new ShardInputError('quantization', `expected "int8" or "int8-residual", got ${String(quantization)}`);
  }
  if (quantization === 'int8-residual' && centroid === null) {
    throw new ShardInputError('quantization', '"int8-residual" quantises item - centroid: give info.centroid');
  }

  return { ids, idKind, dim, embeddings, columns, metaFields, shardId, cluster, centroid, quantization };
}

function checkIds(ids: readonly unknown[]): ValidShardInput['idKind'] {
  const numeric = typeof ids[0] === 'number' || ids.length === 0;
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (numeric) {
      if (typeof id !== 'number') {
        throw new ShardInputError(`ids[${i}]`, 'ids must be all numbers or all strings; ids[0] is a number');
      }
      if (!Number.isInteger(id) || id < 0 || id > U32_MAX) {
        throw new ShardInputError(`ids[${i}]`, `${id} is out of range: numeric ids are integers in [0, ${U32_MAX}]`);
      }
    } else if (typeof id !== 'string') {
      throw new ShardInputError(`ids[${i}]`, `expected a string like ids[0], got ${typeof id}`);
    }
  }
  // A duplicate id would put one item twice in a feed and make id -> row lookups ambiguous.
  const seen = new Set<unknown>(ids);
  if (seen.size !== ids.length) {
    const first = new Map<unknown, number>();
    for (let i = 0; i < ids.length; i++) {
      const prev = first.get(ids[i]);
      if (prev !== undefined) throw new ShardInputError(`ids[${i}]`, `duplicate of ids[${prev}] (${String(ids[i])})`);
      first.set(ids[i], i);
    }
  }
  return numeric ? ID_KIND_U32 : ID_KIND_STRING;
}

function checkColumns(columns: readonly ShardColumnInput[], n: number): ValidColumn[] {
  if (!Array.isArray(columns)) throw new ShardInputError('columns', 'expected an array');
  const byName = new Map<string, number>();
  return columns.map((c: ShardColumnInput, i): ValidColumn => {
    const at = `columns[${i}]`;
    if (typeof c !== 'object' || c === null) throw new ShardInputError(at, 'expected a column object');
    if (typeof c.name !== 'string' || c.name === '') {
      throw new ShardInputError(`${at}.name`, 'expected a non-empty string');
    }
    if (c.name.includes('\0')) throw new ShardInputError(`${at}.name`, NUL_MESSAGE);
    const dup = byName.get(c.name);
    if (dup !== undefined) {
      throw new ShardInputError(`${at}.name`, `duplicate column name "${c.name}" (also columns[${dup}])`);
    }
    byName.set(c.name, i);
    const spec = columnTypeByName(c.type);
    if (!spec) {
      throw new ShardInputError(
        `${at}.type`,
        `unknown type "${String(c.type)}"; allowed: ${COLUMN_TYPE_NAMES.join(', ')}`,
      );
    }
    const width = c.width ?? 1;
    if (!Number.isInteger(width) || width < 1 || width > MAX_COLUMN_WIDTH) {
      throw new ShardInputError(`${at}.width`, `expected an integer in [1, ${MAX_COLUMN_WIDTH}], got ${String(width)}`);
    }
    const data = c.data;
    if (data === null || typeof data !== 'object' || typeof data.length !== 'number') {
      throw new ShardInputError(`${at}.data`, 'expected an array or typed array');
    }
    if (data.length !== n * width) {
      throw new ShardInputError(`${at}.data`, `length ${data.length}, expected ${n * width} (count*width)`);
    }
    const bad = firstOutOfRange(data, spec);
    if (bad >= 0) {
      const range = spec.range ? `[${spec.range[0]}, ${spec.range[1]}]` : 'finite float32';
      throw new ShardInputError(
        `${at}.data[${bad}]`,
        `${String(data[bad])} is not a valid ${spec.type} (${range}); item ${Math.floor(bad / width)}`,
      );
    }
    return { name: c.name, spec, width, data };
  });
}

function checkMeta(meta: Readonly<Record<string, readonly string[]>>, n: number): [string, readonly string[]][] {
  if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) {
    throw new ShardInputError('meta', 'expected an object of field -> string[]');
  }
  return Object.entries(meta).map(([field, values]): [string, readonly string[]] => {
    const at = `meta.${field}`;
    if (field === '') throw new ShardInputError('meta', 'a field name is empty');
    if (field.includes('\0')) throw new ShardInputError(at, NUL_MESSAGE);
    if (!Array.isArray(values)) throw new ShardInputError(at, 'expected an array of strings');
    if (values.length !== n) throw new ShardInputError(at, `length ${values.length}, expected ${n} (count)`);
    for (let i = 0; i < n; i++) {
      if (typeof values[i] !== 'string') {
        throw new ShardInputError(`${at}[${i}]`, `expected a string, got ${typeof values[i]}`);
      }
    }
    return [field, values];
  });
}

/** Index of the first NaN or infinity, or -1. */
function firstNonFinite(a: Float32Array): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    if (x - x !== 0) return i; // NaN and ±Infinity give NaN
  }
  return -1;
}

/** Index of the first value the column type cannot hold exactly, or -1. */
function firstOutOfRange(data: ArrayLike<number>, spec: ColumnTypeSpec): number {
  // A typed array of the column's own type can only hold valid values (f32 still needs finiteness).
  if (spec.type !== 'f32' && data instanceof spec.ctor) return -1;
  const range = spec.range;
  for (let i = 0; i < data.length; i++) {
    const x = data[i];
    if (typeof x !== 'number') return i;
    if (range === null) {
      if (!Number.isFinite(Math.fround(x))) return i;
    } else if (!Number.isInteger(x) || x < range[0] || x > range[1]) {
      return i;
    }
  }
  return -1;
}
