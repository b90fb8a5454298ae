import { ShardFormatError } from './errors.ts';
import {
  CRC_BYTES,
  HEADER_BYTES,
  SECTION_ENTRY_BYTES,
  SectionKind,
  alignUp,
  columnTypeByCode,
  type ColumnTypeSpec,
  type SectionKindCode,
} from './format.ts';
import { decodeUtf8, isWellFormedUtf8 } from './utf8.ts';

export interface SectionEntry {
  kind: SectionKindCode;
  /** Column sections only. */
  columnType: ColumnTypeSpec | null;
  width: number;
  /** Columns and meta sections; '' for the others. */
  name: string;
  offset: number;
  length: number;
}

const KNOWN_KINDS: ReadonlySet<number> = new Set(Object.values(SectionKind));
const NAMED_KINDS: ReadonlySet<number> = new Set([SectionKind.column, SectionKind.metaOffsets, SectionKind.metaBytes]);

/**
 * Reads and checks the section table of a shard whose length and CRC are already verified.
 * Bounds are checked in the one canonical layout the encoder writes: each section starts at the
 * first 8-aligned offset after the previous one (the table for the first), padding is zero, and
 * the last one ends where the CRC starts. So every byte is accounted for, no two sections overlap,
 * and any view made from an entry lies inside the shard.
 */
export function readSectionTable(b: Uint8Array, dv: DataView, sectionCount: number): SectionEntry[] {
  const body = b.length - CRC_BYTES;
  const tableEnd = HEADER_BYTES + SECTION_ENTRY_BYTES * sectionCount;
  if (tableEnd > body) {
    throw new ShardFormatError(
      'bad-header',
      `${sectionCount} sections need a ${tableEnd}-byte table, the shard has ${body}`,
    );
  }

  const raw: {
    kind: SectionKindCode;
    columnType: ColumnTypeSpec | null;
    width: number;
    nameOffset: number;
    nameLength: number;
    offset: number;
    length: number;
  }[] = [];
  let end = tableEnd;
  for (let i = 0; i < sectionCount; i++) {
    const e = HEADER_BYTES + SECTION_ENTRY_BYTES * i;
    const kind = dv.getUint8(e);
    const typeCode = dv.getUint8(e + 1);
    const width = dv.getUint16(e + 2, true);
    const nameOffset = dv.getUint16(e + 4, true);
    const nameLength = dv.getUint16(e + 6, true);
    const offset = dv.getUint32(e + 8, true);
    const length = dv.getUint32(e + 12, true);
    const at = `section ${i}`;
    if (!KNOWN_KINDS.has(kind)) throw new ShardFormatError('bad-section', `${at} has unknown kind ${kind}`);

    let columnType: ColumnTypeSpec | null = null;
    if (kind === SectionKind.column) {
      columnType = columnTypeByCode(typeCode) ?? null;
      if (!columnType) throw new ShardFormatError('bad-section', `${at} has unknown column type ${typeCode}`);
      if (width < 1) throw new ShardFormatError('bad-section', `${at} is a column of width 0`);
    } else if (typeCode !== 0 || width !== 0) {
      throw new ShardFormatError('bad-section', `${at} (kind ${kind}) has a type or width; only columns do`);
    }
    if (NAMED_KINDS.has(kind) ? nameLength === 0 : nameOffset !== 0 || nameLength !== 0) {
      throw new ShardFormatError('bad-section', `${at} (kind ${kind}) ${nameLength === 0 ? 'lacks' : 'has'} a name`);
    }

    const start = alignUp(end);
    if (offset !== start) throw new ShardFormatError('bad-section', `${at} starts at ${offset}, expected ${start}`);
    if (length > body - offset) {
      throw new ShardFormatError(
        'bad-section',
        `${at} runs to ${offset + length}, past the end of the data at ${body}`,
      );
    }
    for (let p = end; p < start; p++) {
      if (b[p] !== 0) throw new ShardFormatError('bad-section', `padding before ${at} is not zero`);
    }
    end = offset + length;
    raw.push({ kind: kind as SectionKindCode, columnType, width, nameOffset, nameLength, offset, length });
  }
  if (end !== body) throw new ShardFormatError('bad-section', `sections end at ${end}, the CRC starts at ${body}`);

  const namesSections = raw.filter((r) => r.kind === SectionKind.names);
  const named = raw.some((r) => NAMED_KINDS.has(r.kind));
  if (namesSections.length > 1 || named !== (namesSections.length === 1)) {
    throw new ShardFormatError('bad-section', 'expected one names section exactly when columns or meta fields exist');
  }
  const names = namesSections[0]
    ? b.subarray(namesSections[0].offset, namesSections[0].offset + namesSections[0].length)
    : null;
  if (names?.includes(0)) throw new ShardFormatError('bad-string', 'the names section contains a NUL byte');

  return raw.map(({ nameOffset, nameLength, ...r }, i): SectionEntry => {
    if (!names || nameLength === 0) return { ...r, name: '' };
    if (nameOffset + nameLength > names.length) {
      throw new ShardFormatError('bad-section', `section ${i}'s name lies outside the names section`);
    }
    const bytes = names.subarray(nameOffset, nameOffset + nameLength);
    if (!isWellFormedUtf8(bytes)) throw new ShardFormatError('bad-string', `section ${i}'s name is not valid UTF-8`);
    return { ...r, name: decodeUtf8(bytes) };
  });
}
