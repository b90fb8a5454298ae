import { crc32 } from './crc32.ts';
import { ShardFormatError, ShardHostError, ShardInputError, ShardVersionError } from './errors.ts';
import {
  CRC_BYTES,
  H,
  HEADER_BYTES,
  ID_KIND_STRING,
  ID_KIND_U32,
  QUANT_INT8_RESIDUAL,
  QUANT_INT8_ROW_SCALE,
  SECTION_ALIGN,
  SHARD_MAGIC,
  SUPPORTED_SHARD_VERSIONS,
  SectionKind,
  isLittleEndianHost,
  type SectionKindCode,
} from './format.ts';
import { readSectionTable, type SectionEntry } from './section-table.ts';
import { createShard, type Shard, type ShardParts, type StringTable } from './shard.ts';
import { decodeUtf8, isCont, isWellFormedUtf8 } from './utf8.ts';

/**
 * Checks, in this order, magic, version, declared vs actual length, CRC, then the header, every
 * section's bounds and size against count/dim/type/width, and the contents a view cannot check
 * later (string tables, float finiteness). Any failure throws ShardFormatError or
 * ShardVersionError; nothing partial is returned. The arrays of the result are views on `bytes`.
 */
export function decodeShard(bytes: Uint8Array): Shard {
  if (!isLittleEndianHost()) throw new ShardHostError('shards are little-endian and so must the host be');
  if (!(bytes instanceof Uint8Array)) throw new ShardInputError('bytes', 'expected a Uint8Array');
  const len = bytes.length;

  for (let i = 0; i < SHARD_MAGIC.length; i++) {
    if (i >= len) throw new ShardFormatError('truncated', `${len} bytes, too short for the magic`);
    if (bytes[i] !== SHARD_MAGIC[i]) throw new ShardFormatError('bad-magic', 'the bytes do not start with "ODSH"');
  }
  if (len < H.byteLength + 4) throw new ShardFormatError('truncated', `${len} bytes, too short for the header`);
  const head = new DataView(bytes.buffer, bytes.byteOffset, H.byteLength + 4);
  const version = head.getUint16(H.version, true);
  if (!SUPPORTED_SHARD_VERSIONS.includes(version)) throw new ShardVersionError(version, SUPPORTED_SHARD_VERSIONS);
  const declared = head.getUint32(H.byteLength, true);
  if (len < declared) throw new ShardFormatError('truncated', `got ${len} bytes, the header declares ${declared}`);
  if (len > declared) {
    throw new ShardFormatError('length-mismatch', `got ${len} bytes, the header declares ${declared}`);
  }
  if (len < HEADER_BYTES + CRC_BYTES) {
    throw new ShardFormatError(
      'truncated',
      `${len} bytes, shorter than the ${HEADER_BYTES + CRC_BYTES} of an empty shard`,
    );
  }

  // Typed-array views need their element alignment; a Node Buffer from the shared pool can start
  // anywhere. Copy once into a fresh (aligned) buffer then; otherwise every array is a view.
  // (Not bytes.slice(): on a Buffer that is a view, not a copy.)
  const b = bytes.byteOffset % SECTION_ALIGN === 0 ? bytes : copyAligned(bytes);
  const dv = new DataView(b.buffer, b.byteOffset, len);
  const body = len - CRC_BYTES;
  const stored = dv.getUint32(body, true);
  const actual = crc32(b.subarray(0, body));
  if (stored !== actual) {
    throw new ShardFormatError('checksum-mismatch', `stored CRC-32 ${hex(stored)}, computed ${hex(actual)}`);
  }

  const count = dv.getUint32(H.count, true);
  const dim = dv.getUint32(H.dim, true);
  const quant = dv.getUint8(H.quant);
  const idKind = dv.getUint8(H.idKind);
  const cluster = dv.getInt32(H.cluster, true);
  if (dv.getUint16(H.reserved0, true) !== 0 || dv.getUint32(H.reserved1, true) !== 0) {
    throw new ShardFormatError('bad-header', 'reserved header fields are not zero');
  }
  if (quant !== QUANT_INT8_ROW_SCALE && quant !== QUANT_INT8_RESIDUAL) {
    throw new ShardFormatError('bad-header', `unknown quantisation kind ${quant}`);
  }
  if (idKind !== ID_KIND_U32 && idKind !== ID_KIND_STRING) {
    throw new ShardFormatError('bad-header', `unknown id kind ${idKind}`);
  }
  if (dim < 1) throw new ShardFormatError('bad-header', 'dim is 0');
  if (cluster < -1) throw new ShardFormatError('bad-header', `cluster ${cluster}; expected -1 (head) or >= 0`);

  const entries = readSectionTable(b, dv, dv.getUint16(H.sectionCount, true));
  const one = (kind: SectionKindCode, what: string, required: boolean): SectionEntry | null => {
    const found = entries.filter((e) => e.kind === kind);
    if (found.length > 1) {
      throw new ShardFormatError('bad-section', `${found.length} ${what} sections, expected at most 1`);
    }
    if (required && found.length === 0) throw new ShardFormatError('bad-section', `no ${what} section`);
    return found[0] ?? null;
  };

  const scalesEntry = one(SectionKind.scales, 'scales', true)!;
  const embeddingsEntry = one(SectionKind.embeddings, 'embeddings', true)!;
  const centroidEntry = one(SectionKind.centroid, 'centroid', false);
  const shardIdEntry = one(SectionKind.shardId, 'shard id', false);
  const idsEntry = one(SectionKind.ids, 'ids', idKind === ID_KIND_U32);
  const idOffsetsEntry = one(SectionKind.idOffsets, 'id offsets', idKind === ID_KIND_STRING);
  const idBytesEntry = one(SectionKind.idBytes, 'id bytes', idKind === ID_KIND_STRING);
  if (idKind === ID_KIND_U32 ? idOffsetsEntry || idBytesEntry : idsEntry) {
    throw new ShardFormatError('bad-section', `id sections do not match id kind ${idKind}`);
  }

  expectLength(scalesEntry, 'scales', 4 * count);
  const scales = new Float32Array(b.buffer, b.byteOffset + scalesEntry.offset, count);
  for (let i = 0; i < count; i++) {
    const s = scales[i]!;
    if (!(s >= 0 && s - s === 0)) throw new ShardFormatError('bad-value', `scales[${i}] is ${s}`);
  }
  expectLength(embeddingsEntry, 'embeddings', count * dim);
  const embeddings = new Int8Array(b.buffer, b.byteOffset + embeddingsEntry.offset, count * dim);

  let centroid: Float32Array | null = null;
  if (centroidEntry) {
    expectLength(centroidEntry, 'centroid', 4 * dim);
    centroid = new Float32Array(b.buffer, b.byteOffset + centroidEntry.offset, dim);
    const bad = centroid.findIndex((x) => !Number.isFinite(x));
    if (bad >= 0) throw new ShardFormatError('bad-value', `centroid[${bad}] is ${centroid[bad]}`);
  }
  if (quant === QUANT_INT8_RESIDUAL && centroid === null) {
    throw new ShardFormatError('bad-section', 'residual quantisation without a centroid section');
  }
  let shardId: string | null = null;
  if (shardIdEntry) {
    const raw = b.subarray(shardIdEntry.offset, shardIdEntry.offset + shardIdEntry.length);
    if (!isWellFormedUtf8(raw) || raw.includes(0)) {
      throw new ShardFormatError('bad-string', 'the shard id is not valid UTF-8 without NUL');
    }
    shardId = decodeUtf8(raw);
  }

  const ids: Uint32Array | StringTable = idsEntry
    ? new Uint32Array(b.buffer, b.byteOffset + expectLength(idsEntry, 'ids', 4 * count).offset, count)
    : stringTable(b, idOffsetsEntry!, idBytesEntry!, count, 'ids');

  const columns: ShardParts['columns'][number][] = [];
  for (const e of entries) {
    if (e.kind !== SectionKind.column) continue;
    const spec = e.columnType!;
    if (columns.some((c) => c.name === e.name)) {
      throw new ShardFormatError('bad-section', `duplicate column "${e.name}"`);
    }
    const n = count * e.width;
    expectLength(e, `column "${e.name}"`, n * spec.bytes);
    const values = spec.view(b.buffer, b.byteOffset + e.offset, n);
    if (spec.type === 'f32') {
      const bad = (values as Float32Array).findIndex((x) => !Number.isFinite(x));
      if (bad >= 0) throw new ShardFormatError('bad-value', `column "${e.name}"[${bad}] is ${values[bad]}`);
    }
    columns.push({ name: e.name, type: spec.type, width: e.width, values });
  }

  const meta: ShardParts['meta'][number][] = [];
  const metaOffsets = entries.filter((e) => e.kind === SectionKind.metaOffsets);
  const metaBytes = entries.filter((e) => e.kind === SectionKind.metaBytes);
  if (metaOffsets.length !== metaBytes.length) {
    throw new ShardFormatError(
      'bad-section',
      `${metaOffsets.length} meta offset sections but ${metaBytes.length} meta byte sections`,
    );
  }
  for (const o of metaOffsets) {
    const matches = metaBytes.filter((e) => e.name === o.name);
    if (matches.length !== 1 || metaOffsets.filter((e) => e.name === o.name).length !== 1) {
      throw new ShardFormatError(
        'bad-section',
        `meta field "${o.name}" needs exactly one offsets and one bytes section`,
      );
    }
    meta.push({ field: o.name, ...stringTable(b, o, matches[0]!, count, `meta field "${o.name}"`) });
  }

  return createShard({
    version,
    count,
    dim,
    cluster,
    centroid,
    quantization: quant === QUANT_INT8_RESIDUAL ? 'int8-residual' : 'int8',
    shardId,
    ids,
    embeddings,
    scales,
    columns,
    meta,
    byteLength: len,
  });
}

function expectLength(e: SectionEntry, what: string, expected: number): SectionEntry {
  if (e.length !== expected) {
    throw new ShardFormatError('bad-section', `${what} section has ${e.length} bytes, expected ${expected}`);
  }
  return e;
}

/** Checks offsets (0 first, non-decreasing, last = byte length), UTF-8, and that no string starts mid-character. */
function stringTable(b: Uint8Array, o: SectionEntry, s: SectionEntry, count: number, what: string): StringTable {
  expectLength(o, `${what} offsets`, 4 * (count + 1));
  const offsets = new Uint32Array(b.buffer, b.byteOffset + o.offset, count + 1);
  const bytes = b.subarray(s.offset, s.offset + s.length);
  if (offsets[0] !== 0 || offsets[count] !== s.length) {
    throw new ShardFormatError(
      'bad-string',
      `${what}: offsets run from ${offsets[0]} to ${offsets[count]}, expected 0 to ${s.length}`,
    );
  }
  for (let i = 0; i < count; i++) {
    const start = offsets[i]!;
    if (start > offsets[i + 1]!) throw new ShardFormatError('bad-string', `${what}: offsets decrease at item ${i}`);
    if (start < s.length && isCont(bytes[start]!)) {
      throw new ShardFormatError('bad-string', `${what}: item ${i} starts inside a UTF-8 character`);
    }
  }
  // The whole table is well-formed and every string starts on a character boundary, so every
  // string is well-formed on its own: meta() and id() can decode lazily and never fail.
  if (!isWellFormedUtf8(bytes)) throw new ShardFormatError('bad-string', `${what}: not valid UTF-8`);
  return { offsets, bytes };
}

function copyAligned(bytes: Uint8Array): Uint8Array {
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  return copy;
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}
