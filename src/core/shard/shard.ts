import { ShardLookupError } from './errors.ts';
import type { ColumnArray, ColumnType, Quantization } from './format.ts';
import { decodeUtf8 } from './utf8.ts';

export interface ShardColumnInfo {
  name: string;
  type: ColumnType;
  width: number;
}

/**
 * A decoded shard. The big arrays (ids, scales, embeddings, columns) are views on the bytes given
 * to decodeShard, not copies: keep those bytes alive and unchanged while the shard is in use.
 */
export interface Shard {
  version: number;
  count: number;
  dim: number;
  /** IVF cluster id; -1 is the head shard. */
  cluster: number;
  centroid: Float32Array | null;
  /** 'int8-residual': embeddings hold item - centroid (scoreShard and itemVector add it back). */
  quantization: Quantization;
  shardId: string | null;
  /** Numeric ids, or null when the shard has string ids (use id(i)). */
  ids: Uint32Array | null;
  id(i: number): number | string;
  /** count*dim int8 values, row-major; item i is ≈ embeddings[i*dim + j] * scales[i]. */
  embeddings: Int8Array;
  scales: Float32Array;
  /** The column's values (count*width, row-major); ShardLookupError listing the names if unknown. */
  column(name: string): ColumnArray;
  columns: readonly ShardColumnInfo[];
  metaFields: readonly string[];
  /** Item i's string for `field`, decoded on each call (cache it if you call it in a hot loop). */
  meta(field: string, i: number): string;
  byteLength: number;
}

/** A string table: string i is bytes[offsets[i] .. offsets[i+1]). Validated by the decoder. */
export interface StringTable {
  offsets: Uint32Array;
  bytes: Uint8Array;
}

export interface ShardParts {
  version: number;
  count: number;
  dim: number;
  cluster: number;
  centroid: Float32Array | null;
  quantization: Quantization;
  shardId: string | null;
  ids: Uint32Array | StringTable;
  embeddings: Int8Array;
  scales: Float32Array;
  columns: readonly (ShardColumnInfo & { values: ColumnArray })[];
  meta: readonly (StringTable & { field: string })[];
  byteLength: number;
}

export function createShard(p: ShardParts): Shard {
  return new DecodedShard(p);
}

class DecodedShard implements Shard {
  readonly version: number;
  readonly count: number;
  readonly dim: number;
  readonly cluster: number;
  readonly centroid: Float32Array | null;
  readonly quantization: Quantization;
  readonly shardId: string | null;
  readonly ids: Uint32Array | null;
  readonly embeddings: Int8Array;
  readonly scales: Float32Array;
  readonly columns: readonly ShardColumnInfo[];
  readonly metaFields: readonly string[];
  readonly byteLength: number;
  readonly #stringIds: StringTable | null;
  readonly #columns: ReadonlyMap<string, ColumnArray>;
  readonly #meta: ReadonlyMap<string, StringTable>;

  constructor(p: ShardParts) {
    this.version = p.version;
    this.count = p.count;
    this.dim = p.dim;
    this.cluster = p.cluster;
    this.centroid = p.centroid;
    this.quantization = p.quantization;
    this.shardId = p.shardId;
    this.ids = p.ids instanceof Uint32Array ? p.ids : null;
    this.#stringIds = p.ids instanceof Uint32Array ? null : p.ids;
    this.embeddings = p.embeddings;
    this.scales = p.scales;
    this.columns = Object.freeze(p.columns.map(({ name, type, width }) => Object.freeze({ name, type, width })));
    this.#columns = new Map(p.columns.map((c) => [c.name, c.values]));
    this.metaFields = Object.freeze(p.meta.map((m) => m.field));
    this.#meta = new Map(p.meta.map((m) => [m.field, m]));
    this.byteLength = p.byteLength;
  }

  id(i: number): number | string {
    this.#checkIndex(i);
    return this.ids ? this.ids[i]! : stringAt(this.#stringIds!, i);
  }

  column(name: string): ColumnArray {
    const values = this.#columns.get(name);
    if (!values) {
      const known = this.columns.map((c) => c.name);
      throw new ShardLookupError(`unknown column "${name}"; this shard has: ${known.join(', ') || '(none)'}`, name);
    }
    return values;
  }

  meta(field: string, i: number): string {
    const table = this.#meta.get(field);
    if (!table) {
      throw new ShardLookupError(
        `unknown meta field "${field}"; this shard has: ${this.metaFields.join(', ') || '(none)'}`,
        field,
      );
    }
    this.#checkIndex(i);
    return stringAt(table, i);
  }

  #checkIndex(i: number): void {
    if (!(Number.isInteger(i) && i >= 0 && i < this.count)) {
      throw new ShardLookupError(`item index ${String(i)} is out of range [0, ${this.count})`, i);
    }
  }
}

function stringAt(t: StringTable, i: number): string {
  return decodeUtf8(t.bytes.subarray(t.offsets[i]!, t.offsets[i + 1]!));
}
