/**
 * Shard binary format, version 1. All integers little-endian.
 *
 *   offset  size  field
 *   ------  ----  -----------------------------------------------------------------------------
 *        0     4  magic "ODSH" (4F 44 53 48)
 *        4     2  u16 format version (1)
 *        6     2  u16 reserved, 0
 *        8     4  u32 total byte length of the shard, CRC included
 *       12     4  u32 item count n
 *       16     4  u32 embedding dim d (>= 1)
 *       20     1  u8  quantisation kind: 1 = int8 values, one float32 scale per item;
 *                      2 = the same over the residual (item - centroid); needs the centroid
 *       21     1  u8  id kind: 1 = u32 ids, 2 = UTF-8 string ids
 *       22     2  u16 section count S
 *       24     4  i32 cluster id (-1 = head shard)
 *       28     4  u32 reserved, 0
 *       32  16*S  section table, one 16-byte entry per section, in file order:
 *                   +0  u8  section kind (code in the list below)
 *                   +1  u8  column type for column sections (1 u8, 2 u16, 3 u32, 4 i32, 5 f32), else 0
 *                   +2  u16 values per item (width) for column sections, else 0
 *                   +4  u16 name offset in the names section (columns, meta), else 0
 *                   +6  u16 name length in bytes (columns, meta), else 0
 *                   +8  u32 section offset from the start of the shard, a multiple of 8
 *                  +12  u32 section length in bytes
 *  32+16*S   ...  sections, ascending and non-overlapping, zero padding up to each 8-aligned start
 *      L-4     4  u32 CRC-32 (IEEE 802.3, as zlib) of bytes [0, L-4)
 *
 * Sections (n items, d dim; "named" ones carry a name in the names section), in encoder order:
 *    1 names         UTF-8 bytes of every column and meta field name, no NUL; present iff any
 *                    column or meta section is
 *    2 shard-id      UTF-8 shard id without NUL, optional
 *    3 centroid      f32 x d, the IVF centroid, optional
 *    4 ids           u32 x n (id kind 1)
 *    5 id-offsets    u32 x (n+1), and
 *    6 id-bytes      UTF-8 (id kind 2): id i is bytes [o[i], o[i+1]) of id-bytes
 *    7 scales        f32 x n, finite and >= 0
 *    8 embeddings    i8 x (n*d), row-major; item i, component j ~ e[i*d + j] * scales[i]
 *                    (+ centroid[j] with quantisation kind 2)
 *    9 column        type x (n*width), row-major, named; f32 values finite
 *   10 meta-offsets  u32 x (n+1), and
 *   11 meta-bytes    UTF-8, both named with the field name: a string table as for string ids
 * A string table's offsets start at 0, never decrease, end at the byte length, and never point
 * inside a UTF-8 character; its bytes are well-formed UTF-8.
 *
 * The layout is canonical: a section starts at the first 8-aligned offset after the previous one
 * (the table, for the first), padding is zero, and the last section ends where the CRC starts.
 * The decoder accepts nothing else, so every byte is accounted for.
 *
 * Why this shape: the 32-byte header and 16-byte entries keep every section start 8-aligned, so
 * the decoder makes typed-array views straight onto the buffer (no copy). Bytes 0-11 (magic,
 * version, length) stay put in every future version: a reader can always say which version it
 * got and whether the file is whole before it knows the rest of the layout. A typical d=64 item
 * costs 4 (id) + 4 (scale) + 64 (embedding) + its feature bytes; the fixed overhead is the
 * header, the table and the names, a few hundred bytes per shard.
 */

export const SHARD_MAGIC = Uint8Array.of(0x4f, 0x44, 0x53, 0x48); // "ODSH"
export const SHARD_VERSION = 1;
export const SUPPORTED_SHARD_VERSIONS: readonly number[] = Object.freeze([1]);

export const HEADER_BYTES = 32;
export const SECTION_ENTRY_BYTES = 16;
export const CRC_BYTES = 4;
/** Section alignment: the widest element type is 4 bytes; 8 leaves room for f64/BigInt64 later. */
export const SECTION_ALIGN = 8;
/** Largest shard the u32 length fields can describe. */
export const MAX_SHARD_BYTES = 0xffffffff;
/** The names section is addressed by u16 offsets. */
export const MAX_NAMES_BYTES = 0xffff;
/** The header's section count is a u16. */
export const MAX_SECTIONS = 0xffff;
export const MAX_COLUMN_WIDTH = 0xffff;

/** Byte offsets of the header fields. */
export const H = Object.freeze({
  magic: 0,
  version: 4,
  reserved0: 6,
  byteLength: 8,
  count: 12,
  dim: 16,
  quant: 20,
  idKind: 21,
  sectionCount: 22,
  cluster: 24,
  reserved1: 28,
});

export const QUANT_INT8_ROW_SCALE = 1;
/**
 * Residual int8: each item is stored as its offset from the shard's IVF centroid. Items of one
 * cluster lie close together, so a per-item scale over the whole vector spends most of its 8
 * bits on the shared part; over the residual the error shrinks with the cluster's spread
 * (measured recall@100 on tight clusters: 0.95 -> 0.997, test/unit/core/vectors.test.ts).
 */
export const QUANT_INT8_RESIDUAL = 2;
export type Quantization = 'int8' | 'int8-residual';
export const ID_KIND_U32 = 1;
export const ID_KIND_STRING = 2;

export const SectionKind = Object.freeze({
  names: 1,
  shardId: 2,
  centroid: 3,
  ids: 4,
  idOffsets: 5,
  idBytes: 6,
  scales: 7,
  embeddings: 8,
  column: 9,
  metaOffsets: 10,
  metaBytes: 11,
});
export type SectionKindCode = (typeof SectionKind)[keyof typeof SectionKind];

export type ColumnType = 'u8' | 'u16' | 'u32' | 'i32' | 'f32';
export type ColumnArray = Uint8Array | Uint16Array | Uint32Array | Int32Array | Float32Array;
export type ColumnArrayConstructor =
  | Uint8ArrayConstructor
  | Uint16ArrayConstructor
  | Uint32ArrayConstructor
  | Int32ArrayConstructor
  | Float32ArrayConstructor;

/** Column types as data: code in the section table, bytes per value, typed array, value range. */
export interface ColumnTypeSpec {
  type: ColumnType;
  code: number;
  bytes: 1 | 2 | 4;
  /** Inclusive integer range, or null for f32 (any finite float32). */
  range: readonly [number, number] | null;
  ctor: ColumnArrayConstructor;
  view(buffer: ArrayBufferLike, byteOffset: number, length: number): ColumnArray;
}

export const COLUMN_TYPES: readonly ColumnTypeSpec[] = Object.freeze<ColumnTypeSpec[]>([
  { type: 'u8', code: 1, bytes: 1, range: [0, 0xff], ctor: Uint8Array, view: (b, o, n) => new Uint8Array(b, o, n) },
  {
    type: 'u16',
    code: 2,
    bytes: 2,
    range: [0, 0xffff],
    ctor: Uint16Array,
    view: (b, o, n) => new Uint16Array(b, o, n),
  },
  {
    type: 'u32',
    code: 3,
    bytes: 4,
    range: [0, 0xffffffff],
    ctor: Uint32Array,
    view: (b, o, n) => new Uint32Array(b, o, n),
  },
  {
    type: 'i32',
    code: 4,
    bytes: 4,
    range: [-0x80000000, 0x7fffffff],
    ctor: Int32Array,
    view: (b, o, n) => new Int32Array(b, o, n),
  },
  { type: 'f32', code: 5, bytes: 4, range: null, ctor: Float32Array, view: (b, o, n) => new Float32Array(b, o, n) },
]);

export const COLUMN_TYPE_NAMES: readonly ColumnType[] = Object.freeze(COLUMN_TYPES.map((t) => t.type));

export function columnTypeByName(type: string): ColumnTypeSpec | undefined {
  return COLUMN_TYPES.find((t) => t.type === type);
}

export function columnTypeByCode(code: number): ColumnTypeSpec | undefined {
  return COLUMN_TYPES.find((t) => t.code === code);
}

export function alignUp(n: number): number {
  return Math.ceil(n / SECTION_ALIGN) * SECTION_ALIGN;
}

/**
 * Typed-array views read in host byte order while the format is little-endian. Every engine this
 * runs on (x86, ARM in browsers and Node) is little-endian; a big-endian host is refused rather
 * than given silently wrong numbers.
 */
export function isLittleEndianHost(): boolean {
  return new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;
}
