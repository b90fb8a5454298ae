import { quantizeRowsInt8 } from '../vectors/quantize.ts';
import { crc32 } from './crc32.ts';
import { ShardHostError, ShardInputError } from './errors.ts';
import {
  CRC_BYTES,
  H,
  HEADER_BYTES,
  ID_KIND_U32,
  MAX_NAMES_BYTES,
  MAX_SECTIONS,
  MAX_SHARD_BYTES,
  QUANT_INT8_RESIDUAL,
  QUANT_INT8_ROW_SCALE,
  SECTION_ENTRY_BYTES,
  SHARD_MAGIC,
  SHARD_VERSION,
  SectionKind,
  alignUp,
  isLittleEndianHost,
  type SectionKindCode,
} from './format.ts';
import { validateShardInput, type ShardInput, type ValidColumn } from './input.ts';
import { utf8Length, writeUtf8 } from './utf8.ts';

/** One section as planned: everything but its offset, which layout assigns. */
interface PlannedSection {
  kind: SectionKindCode;
  typeCode: number;
  width: number;
  name: string;
  length: number;
  write(out: Uint8Array, offset: number): void;
}

/**
 * Validates `input` (ShardInputError naming the field), quantises the embeddings to int8 with a
 * per-item scale, and lays out one shard (see format.ts). The result's buffer is exactly the shard.
 */
export function encodeShard(input: ShardInput): Uint8Array {
  if (!isLittleEndianHost()) throw new ShardHostError('shards are little-endian and so must the host be');
  const v = validateShardInput(input);
  const n = v.ids.length;
  const q = quantizeRowsInt8(v.quantization === 'int8-residual' ? residuals(v.embeddings, v.centroid!) : v.embeddings, v.dim);

  const sections: PlannedSection[] = [];
  const add = (s: Partial<PlannedSection> & Pick<PlannedSection, 'kind' | 'length' | 'write'>) =>
    sections.push({ typeCode: 0, width: 0, name: '', ...s });

  // Names first: small, and the decoder needs them to label everything after.
  const names = [...v.columns.map((c) => c.name), ...v.metaFields.map(([field]) => field)];
  const nameRefs = new Map<string, { offset: number; length: number }>();
  let namesBytes = 0;
  for (const name of new Set(names)) {
    const length = utf8Length(name);
    nameRefs.set(name, { offset: namesBytes, length });
    namesBytes += length;
  }
  if (namesBytes > MAX_NAMES_BYTES) {
    throw new ShardInputError('columns', `column and meta names take ${namesBytes} bytes, at most ${MAX_NAMES_BYTES}`);
  }
  if (nameRefs.size > 0) {
    add({
      kind: SectionKind.names,
      length: namesBytes,
      write: (out, off) => {
        for (const [name, ref] of nameRefs) writeUtf8(name, out, off + ref.offset);
      },
    });
  }

  if (v.shardId !== null) {
    const id = v.shardId;
    add({ kind: SectionKind.shardId, length: utf8Length(id), write: (out, off) => writeUtf8(id, out, off) });
  }
  if (v.centroid !== null) {
    const centroid = v.centroid;
    add({ kind: SectionKind.centroid, length: 4 * v.dim, write: (out, off) => f32(out, off, v.dim).set(centroid) });
  }

  if (v.idKind === ID_KIND_U32) {
    const ids = v.ids as readonly number[];
    add({ kind: SectionKind.ids, length: 4 * n, write: (out, off) => u32(out, off, n).set(ids) });
  } else {
    addStringTable(add, SectionKind.idOffsets, SectionKind.idBytes, '', v.ids as readonly string[]);
  }

  add({ kind: SectionKind.scales, length: 4 * n, write: (out, off) => f32(out, off, n).set(q.scales) });
  add({
    kind: SectionKind.embeddings,
    length: n * v.dim,
    write: (out, off) => new Int8Array(out.buffer, out.byteOffset + off, n * v.dim).set(q.values),
  });

  for (const c of v.columns) addColumn(add, c, n);
  for (const [field, values] of v.metaFields) {
    addStringTable(add, SectionKind.metaOffsets, SectionKind.metaBytes, field, values);
  }

  // The header stores the section count as a u16: more would wrap and lose sections silently.
  if (sections.length > MAX_SECTIONS) {
    throw new ShardInputError('columns', `${v.columns.length} columns and ${v.metaFields.length} meta fields take ${sections.length} sections, at most ${MAX_SECTIONS} (a meta field takes 2)`);
  }

  // Layout: header, table, then each section at the next 8-aligned offset, then the CRC.
  let pos = HEADER_BYTES + SECTION_ENTRY_BYTES * sections.length;
  const offsets = sections.map((s) => {
    const offset = alignUp(pos);
    pos = offset + s.length;
    return offset;
  });
  const total = pos + CRC_BYTES;
  if (total > MAX_SHARD_BYTES) {
    throw new ShardInputError('', `the shard would take ${total} bytes, more than the format's ${MAX_SHARD_BYTES}`);
  }

  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  out.set(SHARD_MAGIC, H.magic);
  dv.setUint16(H.version, SHARD_VERSION, true);
  dv.setUint32(H.byteLength, total, true);
  dv.setUint32(H.count, n, true);
  dv.setUint32(H.dim, v.dim, true);
  dv.setUint8(H.quant, v.quantization === 'int8-residual' ? QUANT_INT8_RESIDUAL : QUANT_INT8_ROW_SCALE);
  dv.setUint8(H.idKind, v.idKind);
  dv.setUint16(H.sectionCount, sections.length, true);
  dv.setInt32(H.cluster, v.cluster, true);

  sections.forEach((s, i) => {
    const e = HEADER_BYTES + SECTION_ENTRY_BYTES * i;
    const ref = s.name ? nameRefs.get(s.name) : undefined;
    dv.setUint8(e, s.kind);
    dv.setUint8(e + 1, s.typeCode);
    dv.setUint16(e + 2, s.width, true);
    dv.setUint16(e + 4, ref?.offset ?? 0, true);
    dv.setUint16(e + 6, ref?.length ?? 0, true);
    dv.setUint32(e + 8, offsets[i]!, true);
    dv.setUint32(e + 12, s.length, true);
    s.write(out, offsets[i]!);
  });

  dv.setUint32(total - CRC_BYTES, crc32(out.subarray(0, total - CRC_BYTES)), true);
  return out;
}

type AddSection = (s: Partial<PlannedSection> & Pick<PlannedSection, 'kind' | 'length' | 'write'>) => void;

function addColumn(add: AddSection, c: ValidColumn, n: number): void {
  const count = n * c.width;
  add({
    kind: SectionKind.column,
    typeCode: c.spec.code,
    width: c.width,
    name: c.name,
    length: count * c.spec.bytes,
    // Values were range-checked, so the typed-array conversion is exact.
    write: (out, off) => c.spec.view(out.buffer, out.byteOffset + off, count).set(c.data),
  });
}

/** u32 offsets (n+1) then UTF-8 bytes: string i is bytes [offsets[i], offsets[i+1]). */
function addStringTable(
  add: AddSection,
  offsetsKind: SectionKindCode,
  bytesKind: SectionKindCode,
  name: string,
  strings: readonly string[],
): void {
  const n = strings.length;
  const starts = new Uint32Array(n + 1);
  let total = 0;
  for (let i = 0; i < n; i++) {
    total += utf8Length(strings[i]!);
    if (total > MAX_SHARD_BYTES) {
      throw new ShardInputError(name ? `meta.${name}` : 'ids', `strings take more than ${MAX_SHARD_BYTES} bytes`);
    }
    starts[i + 1] = total;
  }
  add({ kind: offsetsKind, name, length: 4 * (n + 1), write: (out, off) => u32(out, off, n + 1).set(starts) });
  add({
    kind: bytesKind,
    name,
    length: total,
    write: (out, off) => {
      for (let i = 0; i < n; i++) writeUtf8(strings[i]!, out, off + starts[i]!);
    },
  });
}

function u32(out: Uint8Array, off: number, length: number): Uint32Array {
  return new Uint32Array(out.buffer, out.byteOffset + off, length);
}

function f32(out: Uint8Array, off: number, length: number): Float32Array {
  return new Float32Array(out.buffer, out.byteOffset + off, length);
}

/** item - centroid for every row (the centroid is what the decoder adds back). */
function residuals(embeddings: Float32Array, centroid: Float32Array): Float32Array {
  const dim = centroid.length;
  const out = new Float32Array(embeddings.length);
  for (let i = 0; i < out.length; i++) out[i] = embeddings[i]! - centroid[i % dim]!;
  return out;
}
