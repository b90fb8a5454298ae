import { crc32 as zlibCrc32 } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OndeckError } from '../../../src/core/errors.ts';
import { decodeShard, encodeShard, itemVector, scoreShard, type ColumnType, type Shard } from '../../../src/core/shard/index.ts';
import { crc32 } from '../../../src/core/shard/crc32.ts';
import { ShardFormatError, ShardInputError, ShardLookupError, ShardVersionError } from '../../../src/core/shard/errors.ts';
import type { ShardInput } from '../../../src/core/shard/input.ts';
import { H, HEADER_BYTES, MAX_SECTIONS, SECTION_ENTRY_BYTES, SectionKind } from '../../../src/core/shard/format.ts';
import { isWellFormedUtf8, utf8Length, writeUtf8 } from '../../../src/core/shard/utf8.ts';
import { quantizeRowsInt8 } from '../../../src/core/vectors/quantize.ts';
import { scoreRowsF32, topK } from '../../../src/core/vectors/index.ts';
import { clusteredData, mulberry32 as rng } from '../../support/vector-data.ts';

// ---------- helpers -------------------------------------------------------------------------

const DECODE_ERRORS = new Set(['ShardFormatError', 'ShardVersionError']);

/** Decoding must throw one of the named shard errors, never return, never a RangeError/TypeError. */
function decodeError(bytes: Uint8Array): OndeckError {
  let result: Shard | undefined;
  try {
    result = decodeShard(bytes);
  } catch (err) {
    expect(err).toBeInstanceOf(OndeckError);
    expect(DECODE_ERRORS.has((err as Error).name)).toBe(true);
    return err as OndeckError;
  }
  throw new Error(`decodeShard returned a shard of ${result.count} items instead of throwing`);
}

function formatError(bytes: Uint8Array): ShardFormatError {
  const err = decodeError(bytes);
  expect(err).toBeInstanceOf(ShardFormatError);
  return err as ShardFormatError;
}

function inputError(input: ShardInput): ShardInputError {
  try {
    encodeShard(input);
  } catch (err) {
    expect(err).toBeInstanceOf(ShardInputError);
    expect(err).toBeInstanceOf(OndeckError);
    expect((err as Error).name).toBe('ShardInputError');
    return err as ShardInputError;
  }
  throw new Error('encodeShard accepted bad input');
}

/** A copy of `bytes` changed by `edit`, with the trailing CRC recomputed (a crafted shard). */
function craft(bytes: Uint8Array, edit: (dv: DataView, b: Uint8Array) => void): Uint8Array {
  const b = bytes.slice();
  const dv = new DataView(b.buffer);
  edit(dv, b);
  dv.setUint32(b.length - 4, crc32(b.subarray(0, b.length - 4)), true);
  return b;
}

interface Entry {
  index: number;
  at: number;
  kind: number;
  type: number;
  width: number;
  offset: number;
  length: number;
}

/** Reads the section table as format.ts documents it (so this also checks the documentation). */
function sectionTable(bytes: Uint8Array): Entry[] {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const s = dv.getUint16(H.sectionCount, true);
  return Array.from({ length: s }, (_, index) => {
    const at = HEADER_BYTES + SECTION_ENTRY_BYTES * index;
    return {
      index,
      at,
      kind: dv.getUint8(at),
      type: dv.getUint8(at + 1),
      width: dv.getUint16(at + 2, true),
      offset: dv.getUint32(at + 8, true),
      length: dv.getUint32(at + 12, true),
    };
  });
}

function section(bytes: Uint8Array, kind: number, nth = 0): Entry {
  const e = sectionTable(bytes).filter((x) => x.kind === kind)[nth];
  if (!e) throw new Error(`no section of kind ${kind}`);
  return e;
}

/** Everything a caller can reach works and stays inside the shard: what a successful decode promises. */
function expectConsistent(shard: Shard, bytes: Uint8Array): void {
  expect(shard.byteLength).toBe(bytes.length);
  const inside = (a: ArrayBufferView) => {
    if (a.buffer !== bytes.buffer) return; // copied (unaligned input)
    expect(a.byteOffset).toBeGreaterThanOrEqual(bytes.byteOffset);
    expect(a.byteOffset + a.byteLength).toBeLessThanOrEqual(bytes.byteOffset + bytes.length);
  };
  expect(shard.embeddings.length).toBe(shard.count * shard.dim);
  expect(shard.scales.length).toBe(shard.count);
  inside(shard.embeddings);
  inside(shard.scales);
  for (const s of shard.scales) expect(Number.isFinite(s) && s >= 0).toBe(true);
  if (shard.ids) {
    expect(shard.ids.length).toBe(shard.count);
    inside(shard.ids);
  }
  if (shard.centroid) expect(shard.centroid.length).toBe(shard.dim);
  for (let i = 0; i < shard.count; i++) expect(['number', 'string']).toContain(typeof shard.id(i));
  for (const c of shard.columns) {
    const v = shard.column(c.name);
    expect(v.length).toBe(shard.count * c.width);
    inside(v);
  }
  for (const f of shard.metaFields)
    for (let i = 0; i < shard.count; i++) expect(typeof shard.meta(f, i)).toBe('string');
}

/** decode(encode(input)) against the input, value by value. */
function expectRoundTrip(input: ShardInput, shard: Shard): void {
  const n = input.ids.length;
  expect(shard.version).toBe(1);
  expect(shard.count).toBe(n);
  expect(shard.dim).toBe(input.dim);
  expect(shard.cluster).toBe(input.info?.cluster ?? -1);
  expect(shard.shardId).toBe(input.info?.shardId ?? null);
  expect(shard.centroid ? Array.from(shard.centroid) : null).toEqual(
    input.info?.centroid ? Array.from(input.info.centroid) : null,
  );
  expect(Array.from({ length: n }, (_, i) => shard.id(i))).toEqual(input.ids);
  expect(shard.ids === null).toBe(typeof input.ids[0] === 'string');

  const q = quantizeRowsInt8(input.embeddings, input.dim);
  expect(Array.from(shard.scales)).toEqual(Array.from(q.scales));
  expect(Array.from(shard.embeddings)).toEqual(Array.from(q.values));
  for (let i = 0; i < n; i++) {
    const s = shard.scales[i]!;
    for (let j = 0; j < input.dim; j++) {
      const k = i * input.dim + j;
      expect(Math.abs(input.embeddings[k]! - shard.embeddings[k]! * s)).toBeLessThanOrEqual((s / 2) * (1 + 1e-6));
    }
  }

  const cols = input.columns ?? [];
  expect(shard.columns).toEqual(cols.map((c) => ({ name: c.name, type: c.type, width: c.width ?? 1 })));
  for (const c of cols) {
    const v = shard.column(c.name);
    expect(v.constructor.name).toBe(
      { u8: 'Uint8Array', u16: 'Uint16Array', u32: 'Uint32Array', i32: 'Int32Array', f32: 'Float32Array' }[c.type],
    );
    expect(Array.from(v)).toEqual(Array.from(c.data));
  }
  const meta = input.meta ?? {};
  expect(shard.metaFields).toEqual(Object.keys(meta));
  for (const [f, values] of Object.entries(meta)) {
    expect(Array.from({ length: n }, (_, i) => shard.meta(f, i))).toEqual(values);
  }
}

// ---------- fixtures ------------------------------------------------------------------------

function normals(n: number, rand: () => number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  return out;
}

/** n items, d=64, the typical 8-byte feature set (4 x u16), optional short titles. */
function typicalInput(n: number, withTitles: boolean): ShardInput {
  const rand = rng(7);
  const u16 = () => Uint16Array.from({ length: n }, () => Math.floor(rand() * 65536));
  return {
    ids: Array.from({ length: n }, (_, i) => 1_000_000 + i),
    dim: 64,
    embeddings: normals(n * 64, rand),
    columns: [
      { name: 'category', type: 'u16', data: u16() },
      { name: 'duration', type: 'u16', data: u16() },
      { name: 'age_days', type: 'u16', data: u16() },
      { name: 'popularity', type: 'u16', data: u16() },
    ],
    ...(withTitles ? { meta: { title: Array.from({ length: n }, (_, i) => `Video ${i}: a short title`) } } : {}),
  };
}

const SMALL: ShardInput = {
  ids: [10, 20, 30, 4294967295],
  dim: 3,
  embeddings: Float32Array.from([0.5, -1, 0.25, 0, 0, 0, 3, 2, -1, 1e-3, -2e-3, 5e-4]),
  columns: [
    { name: 'u8', type: 'u8', data: [0, 1, 254, 255] },
    { name: 'u16', type: 'u16', data: [0, 65535, 7, 300] },
    { name: 'u32', type: 'u32', data: [0, 4294967295, 1, 123456789] },
    { name: 'i32', type: 'i32', width: 2, data: [-2147483648, 2147483647, -1, 0, 5, -5, 9, 9] },
    {
      name: 'f32',
      type: 'f32',
      width: 3,
      data: Float32Array.from([0.5, -1.25, 3e38, -0, 1e-30, 7, 8, 9, 10, 11, 12, 13]),
    },
    { name: 'catégorie', type: 'u8', width: 2, data: Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]) },
  ],
  meta: {
    title: ['Cats', 'Ünïcödé 日本語 😀', '', '\uFEFFstarts with a BOM'],
    image: ['', '', 'https://x/y.jpg', 'a\u0000b'],
  },
  info: { shardId: 'ivf-64/c17', cluster: 17, centroid: Float32Array.from([0.1, -0.2, 0.3]) },
};

// ---------- property arbitraries ------------------------------------------------------------

const TYPES: ColumnType[] = ['u8', 'u16', 'u32', 'i32', 'f32'];
const valueArb: Record<ColumnType, fc.Arbitrary<number>> = {
  u8: fc.integer({ min: 0, max: 0xff }),
  u16: fc.integer({ min: 0, max: 0xffff }),
  u32: fc.integer({ min: 0, max: 0xffffffff }),
  i32: fc.integer({ min: -0x80000000, max: 0x7fffffff }),
  f32: fc.float({ noNaN: true, noDefaultInfinity: true }),
};
const nameArb = fc.string({ minLength: 1, maxLength: 6, unit: 'grapheme' }).filter((s) => !s.includes('\0'));
const textArb = fc.string({ maxLength: 10, unit: 'grapheme' });
const floatsArb = (length: number) =>
  fc
    .array(fc.integer({ min: -30000, max: 30000 }), { minLength: length, maxLength: length })
    .map((a) => Float32Array.from(a, (v) => v / 977));

function shardInputArb(minItems = 0): fc.Arbitrary<ShardInput> {
  const plan = fc.record({
    n: fc.integer({ min: minItems, max: 10 }),
    dim: fc.integer({ min: 1, max: 9 }),
    stringIds: fc.boolean(),
    columns: fc.uniqueArray(
      fc.record({ name: nameArb, type: fc.constantFrom(...TYPES), width: fc.integer({ min: 1, max: 3 }) }),
      { maxLength: 4, selector: (c) => c.name },
    ),
    metaFields: fc.uniqueArray(nameArb, { maxLength: 3 }),
    hasCentroid: fc.boolean(),
    shardId: fc.option(nameArb, { nil: undefined }),
    cluster: fc.integer({ min: -1, max: 5000 }),
  });
  return plan.chain((p) =>
    fc
      .record({
        ids: p.stringIds
          ? fc.uniqueArray(textArb, { minLength: p.n, maxLength: p.n })
          : fc.uniqueArray(fc.integer({ min: 0, max: 0xffffffff }), { minLength: p.n, maxLength: p.n }),
        embeddings: floatsArb(p.n * p.dim),
        columns: fc.tuple(
          ...p.columns.map((c) =>
            fc
              .array(valueArb[c.type], { minLength: p.n * c.width, maxLength: p.n * c.width })
              .map((data) => ({ ...c, data })),
          ),
        ),
        meta: fc.tuple(
          ...p.metaFields.map((f) =>
            fc.array(textArb, { minLength: p.n, maxLength: p.n }).map((v): [string, string[]] => [f, v]),
          ),
        ),
        centroid: p.hasCentroid ? floatsArb(p.dim) : fc.constant(undefined),
      })
      .map((r): ShardInput => ({
        ids: r.ids,
        dim: p.dim,
        embeddings: r.embeddings,
        columns: r.columns,
        meta: Object.fromEntries(r.meta),
        info: { shardId: p.shardId, cluster: p.cluster, centroid: r.centroid },
      })),
  );
}

const shardBytesArb = (minItems = 0) => shardInputArb(minItems).map((input) => encodeShard(input));

// ---------- tests ---------------------------------------------------------------------------

describe('crc32', () => {
  it('matches the standard check values and zlib', () => {
    expect(crc32(new Uint8Array(0))).toBe(0);
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(), (b, cut) => {
        const whole = crc32(b);
        expect(whole).toBe(zlibCrc32(b));
        const k = b.length ? cut % b.length : 0;
        expect(crc32(b.subarray(k), crc32(b.subarray(0, k)))).toBe(whole);
      }),
    );
  });
});

describe('utf8', () => {
  it('encodes exactly like TextEncoder, lone surrogates included', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (s) => {
        const expected = new TextEncoder().encode(s);
        expect(utf8Length(s)).toBe(expected.length);
        const out = new Uint8Array(expected.length);
        expect(writeUtf8(s, out, 0)).toBe(expected.length);
        expect(out).toEqual(expected);
      }),
    );
  });

  it('validates exactly like a fatal TextDecoder', () => {
    const fatal = new TextDecoder('utf-8', { fatal: true });
    const valid = (b: Uint8Array) => {
      try {
        fatal.decode(b);
        return true;
      } catch {
        return false;
      }
    };
    const bytesArb = fc.oneof(
      fc.uint8Array({ maxLength: 24 }),
      fc
        .array(
          fc.constantFrom(0x41, 0x80, 0xbf, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0x9f, 0xa0, 0x8f, 0x90),
          { maxLength: 12 },
        )
        .map((a) => Uint8Array.from(a)),
    );
    fc.assert(
      fc.property(bytesArb, (b) => {
        expect(isWellFormedUtf8(b)).toBe(valid(b));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('encodeShard / decodeShard round trip', () => {
  it('keeps ids, quantised embeddings, columns of every type and width, meta, centroid and cluster', () => {
    const bytes = encodeShard(SMALL);
    const shard = decodeShard(bytes);
    expectRoundTrip(SMALL, shard);
    expect(shard.meta('title', 1)).toBe('Ünïcödé 日本語 😀');
    expect(shard.meta('title', 2)).toBe('');
    expect(shard.meta('title', 3)).toBe('\uFEFFstarts with a BOM'); // not eaten as a byte-order mark
    expect(shard.meta('image', 3)).toBe('a\u0000b');
    expect(shard.id(3)).toBe(4294967295);
    expect(Array.from(shard.column('f32'))).toEqual([
      0.5,
      -1.25,
      Math.fround(3e38),
      -0,
      Math.fround(1e-30),
      7,
      8,
      9,
      10,
      11,
      12,
      13,
    ]);
    expect(shard.scales[1]).toBe(0); // an all-zero row
    expectConsistent(shard, bytes);
  });

  it('stores string ids in the string table', () => {
    const input: ShardInput = {
      ids: ['vid:α', '', 'vid:😀', 'x'.repeat(300)],
      dim: 2,
      embeddings: Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8]),
    };
    const shard = decodeShard(encodeShard(input));
    expect(shard.ids).toBeNull();
    expectRoundTrip(input, shard);
  });

  it('handles an empty shard', () => {
    const input: ShardInput = {
      ids: [],
      dim: 8,
      embeddings: new Float32Array(0),
      columns: [{ name: 'c', type: 'u16', data: [] }],
      meta: { title: [] },
    };
    const shard = decodeShard(encodeShard(input));
    expectRoundTrip(input, shard);
    expect(shard.cluster).toBe(-1);
    expect(shard.centroid).toBeNull();
  });

  it('round-trips random shards', () => {
    fc.assert(
      fc.property(shardInputArb(), (input) => {
        const bytes = encodeShard(input);
        expect(bytes.buffer.byteLength).toBe(bytes.length); // the buffer is exactly the shard, transferable as is
        const shard = decodeShard(bytes);
        expectRoundTrip(input, shard);
        expectConsistent(shard, bytes);
      }),
      { numRuns: 200 },
    );
  });

  it('replaces a lone surrogate with U+FFFD, as TextEncoder does', () => {
    const shard = decodeShard(
      encodeShard({ ids: [1], dim: 1, embeddings: Float32Array.of(1), meta: { t: ['a\uD800b'] } }),
    );
    expect(shard.meta('t', 0)).toBe('a\uFFFDb');
  });
});

describe('zero copy', () => {
  it('returns views on the input buffer for ids, scales, embeddings and columns', () => {
    const bytes = encodeShard(SMALL);
    const shard = decodeShard(bytes);
    for (const view of [
      shard.embeddings,
      shard.scales,
      shard.ids!,
      ...shard.columns.map((c) => shard.column(c.name)),
    ]) {
      expect(view.buffer).toBe(bytes.buffer);
    }
    // A write through the bytes shows up in the view: the same memory, not a copy.
    const e = section(bytes, SectionKind.embeddings);
    expect(shard.embeddings.byteOffset).toBe(e.offset);
    bytes[e.offset] = 99;
    expect(shard.embeddings[0]).toBe(99);
  });

  it('views a shard that sits at an 8-aligned offset inside a bigger buffer', () => {
    const bytes = encodeShard(SMALL);
    const host = new Uint8Array(bytes.length + 24);
    host.set(bytes, 16);
    const inner = host.subarray(16, 16 + bytes.length);
    const shard = decodeShard(inner);
    expect(shard.embeddings.buffer).toBe(host.buffer);
    expect(shard.embeddings.byteOffset).toBe(16 + section(bytes, SectionKind.embeddings).offset);
    expectRoundTrip(SMALL, shard);
  });

  it('copies once when the input is not 8-aligned (a pooled Node Buffer), and decodes the same', () => {
    const bytes = encodeShard(SMALL);
    for (const shift of [1, 2, 3, 4, 5, 6, 7]) {
      const host = new Uint8Array(bytes.length + 8);
      host.set(bytes, shift);
      const shard = decodeShard(host.subarray(shift, shift + bytes.length));
      expect(shard.embeddings.buffer).not.toBe(host.buffer);
      expect(shard.embeddings.byteOffset % 8).toBe(0);
      expectRoundTrip(SMALL, shard);
    }
    expectRoundTrip(SMALL, decodeShard(Buffer.from(bytes)));
  });
});

describe('size', () => {
  it('costs at most 80 bytes per item for d=64 with u32 ids and 8 bytes of features (no metadata)', () => {
    const n = 100_000;
    const bytes = encodeShard(typicalInput(n, false));
    const empty = encodeShard(typicalInput(0, false));
    const perItem = (bytes.length - empty.length) / n;
    expect(perItem).toBeLessThanOrEqual(80);
    // The fixed part (header, 6-entry table, names, CRC) stays small: 80.002 bytes/item overall.
    expect(empty.length).toBeLessThanOrEqual(256);
    expect(bytes.length / n).toBeLessThan(80.01);
    expect(decodeShard(bytes).count).toBe(n);
  });
});

describe('corrupted shards', () => {
  it('names each basic failure', () => {
    const bytes = encodeShard(SMALL);
    expect(formatError(new Uint8Array(0)).reason).toBe('truncated');
    expect(formatError(Uint8Array.from([0x50, 0x4b, 3, 4, 0, 0, 0, 0, 0, 0, 0, 0])).reason).toBe('bad-magic');
    expect(formatError(bytes.subarray(0, bytes.length - 1)).reason).toBe('truncated');
    const longer = new Uint8Array(bytes.length + 1);
    longer.set(bytes);
    expect(formatError(longer).reason).toBe('length-mismatch');
    const flipped = bytes.slice();
    flipped[flipped.length - 10]! ^= 1;
    expect(formatError(flipped).reason).toBe('checksum-mismatch');
  });

  it('says which versions are supported', () => {
    const b = encodeShard(SMALL).slice();
    new DataView(b.buffer).setUint16(H.version, 2, true);
    const err = decodeError(b);
    expect(err).toBeInstanceOf(ShardVersionError);
    expect(err.name).toBe('ShardVersionError');
    expect(err.message).toMatch(/version 2 is not supported.*supports 1/);
    expect((err as ShardVersionError).supported).toEqual([1]);
  });

  it('throws a named error for random bit flips anywhere', () => {
    fc.assert(
      fc.property(shardBytesArb(), fc.uniqueArray(fc.nat(), { minLength: 1, maxLength: 8 }), (bytes, bits) => {
        const b = bytes.slice();
        for (const bit of new Set(bits.map((x) => x % (b.length * 8)))) b[bit >> 3]! ^= 1 << (bit & 7);
        decodeError(b);
      }),
      { numRuns: 300 },
    );
  });

  it('throws "truncated" for a truncation at any length', () => {
    fc.assert(
      fc.property(shardBytesArb(), fc.nat(), (bytes, cut) => {
        expect(formatError(bytes.subarray(0, cut % bytes.length)).reason).toBe('truncated');
      }),
    );
  });

  it('throws "length-mismatch" for appended bytes', () => {
    fc.assert(
      fc.property(shardBytesArb(), fc.uint8Array({ minLength: 1, maxLength: 16 }), (bytes, extra) => {
        const b = new Uint8Array(bytes.length + extra.length);
        b.set(bytes);
        b.set(extra, bytes.length);
        expect(formatError(b).reason).toBe('length-mismatch');
      }),
    );
  });

  it('throws a named error when a random byte range is overwritten (and decodes when nothing changed)', () => {
    fc.assert(
      fc.property(shardBytesArb(), fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 12 }), (bytes, start, patch) => {
        const b = bytes.slice();
        b.set(patch.subarray(0, b.length - (start % b.length)), start % b.length);
        if (b.every((x, i) => x === bytes[i])) expectConsistent(decodeShard(b), b);
        else decodeError(b);
      }),
      { numRuns: 300 },
    );
  });

  it('throws ShardVersionError for any other version', () => {
    fc.assert(
      fc.property(
        shardBytesArb(),
        fc.integer({ min: 0, max: 0xffff }).filter((v) => v !== 1),
        (bytes, version) => {
          const b = bytes.slice();
          new DataView(b.buffer).setUint16(H.version, version, true);
          const err = decodeError(b);
          expect(err).toBeInstanceOf(ShardVersionError);
          expect((err as ShardVersionError).version).toBe(version);
        },
      ),
    );
  });
});

describe('crafted shards (CRC recomputed after the damage)', () => {
  // What "harmless" means: a changed structural field (length, count, dim, id kind, section
  // count, reserved bytes, a column's width, any section's offset or length) can never describe
  // another valid shard, so it must always throw ShardFormatError. Other bytes (cluster, the
  // quantisation kind of a shard with a centroid, kind or type codes, name references, data) may
  // happen to describe a valid shard; then the
  // decode must be internally consistent: every accessor works and every view lies in the bytes.
  const structuralFields = (bytes: Uint8Array) => {
    const fields: { at: number; size: 1 | 2 | 4 }[] = [
      { at: H.reserved0, size: 2 },
      { at: H.byteLength, size: 4 },
      { at: H.count, size: 4 },
      { at: H.dim, size: 4 },
      { at: H.idKind, size: 1 },
      { at: H.sectionCount, size: 2 },
      { at: H.reserved1, size: 4 },
    ];
    for (const e of sectionTable(bytes)) {
      fields.push({ at: e.at + 8, size: 4 }, { at: e.at + 12, size: 4 });
      if (e.kind === SectionKind.column) fields.push({ at: e.at + 2, size: 2 });
    }
    return fields;
  };

  it('always rejects a changed structural field', () => {
    fc.assert(
      fc.property(
        shardBytesArb(1),
        fc.nat(),
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.boolean(),
        (bytes, pick, raw, small) => {
          const fields = structuralFields(bytes);
          const f = fields[pick % fields.length]!;
          const b = craft(bytes, (dv) => {
            const get = () =>
              f.size === 1 ? dv.getUint8(f.at) : f.size === 2 ? dv.getUint16(f.at, true) : dv.getUint32(f.at, true);
            const old = get();
            const mask = f.size === 4 ? 0xffffffff : (1 << (8 * f.size)) - 1;
            // Half the time a near miss (off by a little), which is the hard case.
            let v = (small ? old + ((raw % 17) - 8) : raw) & mask;
            if (v >>> 0 === old) v = (old ^ 1) & mask;
            if (f.size === 1) dv.setUint8(f.at, v);
            else if (f.size === 2) dv.setUint16(f.at, v, true);
            else dv.setUint32(f.at, v >>> 0, true);
          });
          formatError(b);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('throws a named error or decodes consistently when header and table bytes are overwritten', () => {
    fc.assert(
      fc.property(
        shardBytesArb(),
        fc.array(fc.tuple(fc.nat(), fc.nat({ max: 255 })), { minLength: 1, maxLength: 4 }),
        (bytes, edits) => {
          const tableEnd = HEADER_BYTES + SECTION_ENTRY_BYTES * sectionTable(bytes).length;
          const b = craft(bytes, (_, u) => {
            for (const [at, v] of edits) u[at % tableEnd] = v;
          });
          let shard: Shard | null = null;
          try {
            shard = decodeShard(b);
          } catch (err) {
            expect(err).toBeInstanceOf(OndeckError);
            expect(DECODE_ERRORS.has((err as Error).name)).toBe(true);
          }
          if (shard) expectConsistent(shard, b);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('throws a named error or decodes consistently when any byte before the CRC is overwritten', () => {
    fc.assert(
      fc.property(
        shardBytesArb(),
        fc.array(fc.tuple(fc.nat(), fc.nat({ max: 255 })), { minLength: 1, maxLength: 6 }),
        (bytes, edits) => {
          const b = craft(bytes, (_, u) => {
            for (const [at, v] of edits) u[at % (u.length - 4)] = v;
          });
          let shard: Shard | null = null;
          try {
            shard = decodeShard(b);
          } catch (err) {
            expect(err).toBeInstanceOf(OndeckError);
            expect(DECODE_ERRORS.has((err as Error).name)).toBe(true);
          }
          if (shard) expectConsistent(shard, b);
        },
      ),
      { numRuns: 500 },
    );
  });

  const bytes = encodeShard(SMALL);
  const reason = (edit: (dv: DataView, b: Uint8Array) => void) => formatError(craft(bytes, edit)).reason;

  it('rejects a section offset out of bounds, misaligned or overlapping', () => {
    const emb = section(bytes, SectionKind.embeddings);
    const scales = section(bytes, SectionKind.scales);
    expect(reason((dv) => dv.setUint32(emb.at + 8, bytes.length + 64, true))).toBe('bad-section');
    expect(reason((dv) => dv.setUint32(emb.at + 8, 0xfffffff8, true))).toBe('bad-section');
    expect(reason((dv) => dv.setUint32(emb.at + 8, emb.offset + 1, true))).toBe('bad-section');
    expect(reason((dv) => dv.setUint32(emb.at + 8, scales.offset, true))).toBe('bad-section');
    expect(reason((dv) => dv.setUint32(emb.at + 12, 0xffffffff, true))).toBe('bad-section');
    expect(reason((dv) => dv.setUint32(emb.at + 12, emb.length - 1, true))).toBe('bad-section');
  });

  it('rejects counts and types that do not match the section sizes', () => {
    expect(reason((dv) => dv.setUint32(H.count, 5, true))).toBe('bad-section');
    expect(reason((dv) => dv.setUint32(H.count, 0xffffffff, true))).toBe('bad-section');
    expect(reason((dv) => dv.setUint32(H.dim, 4, true))).toBe('bad-section');
    expect(reason((dv) => dv.setUint32(H.dim, 0, true))).toBe('bad-header');
    expect(reason((dv) => dv.setUint8(H.quant, 3))).toBe('bad-header');
    expect(reason((dv) => dv.setUint8(H.idKind, 2))).toBe('bad-section');
    expect(reason((dv) => dv.setUint32(H.reserved1, 1, true))).toBe('bad-header');
    expect(reason((dv) => dv.setUint16(H.sectionCount, 0xffff, true))).toBe('bad-header');
    const col = section(bytes, SectionKind.column);
    expect(reason((dv) => dv.setUint8(col.at + 1, 9))).toBe('bad-section'); // unknown type
    expect(reason((dv) => dv.setUint8(col.at + 1, 2))).toBe('bad-section'); // u8 -> u16: size differs
    expect(reason((dv) => dv.setUint16(col.at + 2, 0, true))).toBe('bad-section');
    expect(reason((dv) => dv.setUint8(col.at, 42))).toBe('bad-section'); // unknown kind
    expect(reason((dv) => dv.setUint16(col.at + 6, 0, true))).toBe('bad-section'); // nameless column
    expect(reason((dv) => dv.setUint16(col.at + 6, 999, true))).toBe('bad-section'); // name out of the names section
  });

  it('rejects non-finite scales and f32 values, and broken string tables', () => {
    const scales = section(bytes, SectionKind.scales);
    expect(reason((dv) => dv.setFloat32(scales.offset, NaN, true))).toBe('bad-value');
    expect(reason((dv) => dv.setFloat32(scales.offset, -1, true))).toBe('bad-value');
    const f32 = sectionTable(bytes).find((e) => e.kind === SectionKind.column && e.type === 5)!;
    expect(reason((dv) => dv.setFloat32(f32.offset + 4, Infinity, true))).toBe('bad-value');
    const centroid = section(bytes, SectionKind.centroid);
    expect(reason((dv) => dv.setFloat32(centroid.offset, NaN, true))).toBe('bad-value');

    const offs = section(bytes, SectionKind.metaOffsets);
    const text = section(bytes, SectionKind.metaBytes);
    expect(reason((dv) => dv.setUint32(offs.offset + 4, 0xffff, true))).toBe('bad-string'); // decreasing after
    expect(reason((dv) => dv.setUint32(offs.offset, 1, true))).toBe('bad-string'); // first is not 0
    expect(reason((dv) => dv.setUint32(offs.offset + 16, text.length - 1, true))).toBe('bad-string'); // last != length
    // 'Ünïcödé...' is item 1: start it one byte later, inside 'Ü'.
    expect(reason((dv) => dv.setUint32(offs.offset + 4, dv.getUint32(offs.offset + 4, true) + 1, true))).toBe(
      'bad-string',
    );
    expect(reason((_, b) => (b[text.offset] = 0xff))).toBe('bad-string');
    expect(reason((_, b) => (b[section(bytes, SectionKind.names).offset] = 0))).toBe('bad-string');
    expect(reason((_, b) => (b[section(bytes, SectionKind.shardId).offset] = 0xc0))).toBe('bad-string');
  });

  it('rejects non-zero padding', () => {
    const e = sectionTable(bytes);
    const gap = e.findIndex((x, i) => i > 0 && x.offset > e[i - 1]!.offset + e[i - 1]!.length);
    expect(gap).toBeGreaterThan(0);
    expect(reason((_, b) => (b[e[gap]!.offset - 1] = 1))).toBe('bad-section');
  });
});

describe('errors for bad input and bad lookups', () => {
  const base = (): ShardInput => ({
    ids: [1, 2, 3],
    dim: 2,
    embeddings: new Float32Array(6).fill(0.5),
    columns: [
      { name: 'category', type: 'u16', data: [1, 2, 3] },
      { name: 'tags', type: 'u8', width: 2, data: [1, 2, 3, 4, 5, 6] },
    ],
    meta: { title: ['a', 'b', 'c'] },
  });
  const withColumn = (i: number, patch: object): ShardInput => {
    const input = base();
    const columns = [...input.columns!];
    columns[i] = { ...columns[i]!, ...patch };
    return { ...input, columns };
  };

  it.each([
    ['columns[1].data', 'length 5, expected 6 (count*width)', withColumn(1, { data: [1, 2, 3, 4, 5] })],
    ['columns[1].data[3]', '256 is not a valid u8 ([0, 255]); item 1', withColumn(1, { data: [1, 2, 3, 256, 5, 6] })],
    ['columns[0].data[1]', 'not a valid u16', withColumn(0, { data: [1, 1.5, 3] })],
    ['columns[0].data[2]', 'not a valid f32', withColumn(0, { type: 'f32', data: [1, 2, Infinity] })],
    ['columns[0].data[0]', 'not a valid i32', withColumn(0, { type: 'i32', data: [2 ** 31, 2, 3] })],
    ['columns[1].name', 'duplicate column name "category" (also columns[0])', withColumn(1, { name: 'category' })],
    ['columns[1].name', 'non-empty', withColumn(1, { name: '' })],
    ['columns[1].name', 'U+0000', withColumn(1, { name: 'a\0b' })],
    ['columns[0].type', 'unknown type "u64"; allowed: u8, u16, u32, i32, f32', withColumn(0, { type: 'u64' })],
    ['columns[0].width', 'integer in [1, 65535]', withColumn(0, { width: 0 })],
    ['ids[2]', 'out of range', { ...base(), ids: [1, 2, -1] }],
    ['ids[1]', 'out of range', { ...base(), ids: [1, 2 ** 32, 3] }],
    ['ids[0]', 'out of range', { ...base(), ids: [0.5, 1, 2] }],
    ['ids[1]', 'all numbers or all strings', { ...base(), ids: [1, 'b', 3] }],
    ['ids[2]', 'duplicate of ids[0]', { ...base(), ids: ['a', 'b', 'a'] }],
    [
      'embeddings[3]',
      'NaN is not finite (item 1, component 1)',
      { ...base(), embeddings: Float32Array.from([1, 2, 3, NaN, 5, 6]) },
    ],
    ['embeddings', 'length 5, expected 6 (count*dim)', { ...base(), embeddings: new Float32Array(5) }],
    ['dim', 'positive integer', { ...base(), dim: 0 }],
    ['meta.title', 'length 2, expected 3 (count)', { ...base(), meta: { title: ['a', 'b'] } }],
    ['meta.title[1]', 'expected a string', { ...base(), meta: { title: ['a', 7, 'c'] as unknown as string[] } }],
    ['info.centroid', 'length 3, expected 2 (dim)', { ...base(), info: { centroid: new Float32Array(3) } }],
    ['info.centroid[1]', 'not finite', { ...base(), info: { centroid: Float32Array.from([0, -Infinity]) } }],
    ['info.cluster', 'expected -1 (head)', { ...base(), info: { cluster: -2 } }],
    ['info.shardId', 'U+0000', { ...base(), info: { shardId: 'a\0' } }],
  ])('%s: %s', (field, message, input) => {
    const err = inputError(input as ShardInput);
    expect(err.field).toBe(field);
    expect(err.message).toContain(`${field}: `);
    expect(err.message).toContain(message);
  });

  it('names the known columns and fields on a bad lookup', () => {
    const shard = decodeShard(encodeShard(base()));
    const lookup = (fn: () => unknown) => {
      try {
        fn();
      } catch (err) {
        expect(err).toBeInstanceOf(ShardLookupError);
        expect((err as Error).name).toBe('ShardLookupError');
        return (err as Error).message;
      }
      throw new Error('lookup did not throw');
    };
    expect(lookup(() => shard.column('duration'))).toBe('unknown column "duration"; this shard has: category, tags');
    expect(lookup(() => shard.meta('image', 0))).toBe('unknown meta field "image"; this shard has: title');
    expect(lookup(() => shard.meta('title', 3))).toContain('item index 3 is out of range [0, 3)');
    expect(lookup(() => shard.id(-1))).toContain('out of range');
    expect(lookup(() => shard.id(0.5))).toContain('out of range');
  });

  it('refuses more sections than the header\'s u16 count holds, instead of wrapping it', () => {
    // Distinct one-character names within the 64 KiB names budget; each name is a column (one
    // section) and a meta field (two), so about 22,000 names make more than 65,535 sections.
    const names: string[] = [];
    let namesBytes = 0;
    for (let cp = 0x21; namesBytes + utf8Length(String.fromCodePoint(cp)) <= 0xffff; cp++) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      const name = String.fromCodePoint(cp);
      names.push(name);
      namesBytes += utf8Length(name);
    }
    const input: ShardInput = {
      ids: [1],
      dim: 1,
      embeddings: new Float32Array([1]),
      columns: names.map((name) => ({ name, type: 'u8' as const, data: [1] })),
      meta: Object.fromEntries(names.map((name) => [name, ['x']])),
    };
    expect(3 * names.length).toBeGreaterThan(MAX_SECTIONS);
    const err = inputError(input);
    expect(err.field).toBe('columns');
    expect(err.message).toContain(`at most ${MAX_SECTIONS}`);
    // Just under the limit the shard encodes, and its header counts every section (names, ids,
    // scales, embeddings, then the columns and meta fields). Not decoded here: the decoder's
    // section lookups are quadratic in the count, minutes at this size.
    const fit = Math.floor((MAX_SECTIONS - 4) / 3);
    const bytes = encodeShard({ ...input, columns: input.columns!.slice(0, fit), meta: Object.fromEntries(names.slice(0, fit).map((n) => [n, ['x']])) });
    expect(new DataView(bytes.buffer, bytes.byteOffset).getUint16(H.sectionCount, true)).toBe(4 + 3 * fit);
  });
});

describe('residual quantisation (IVF cluster shards)', () => {
  const dim = 64;
  const data = clusteredData({ rows: 8_000, dim, clusters: 8, spread: 0.05, queries: 30, seed: 11 });
  // One cluster's items, as a cluster shard would hold them.
  const members = Array.from(data.cluster.keys()).filter((i) => data.cluster[i] === 3);
  const items = new Float32Array(members.length * dim);
  members.forEach((row, k) => items.set(data.data.subarray(row * dim, (row + 1) * dim), k * dim));
  const centroid = data.centres.slice(3 * dim, 4 * dim);
  const input = (quantization: 'int8' | 'int8-residual'): ShardInput => ({
    ids: members,
    dim,
    embeddings: items,
    quantization,
    info: { cluster: 3, centroid },
  });
  const residual = decodeShard(encodeShard(input('int8-residual')));
  const plain = decodeShard(encodeShard(input('int8')));

  it('stores item - centroid and reads items back within half a step', () => {
    expect(residual.quantization).toBe('int8-residual');
    expect(plain.quantization).toBe('int8');
    const v = new Float32Array(dim);
    let worstResidual = 0;
    let worstPlain = 0;
    for (let i = 0; i < residual.count; i++) {
      itemVector(residual, i, v);
      for (let j = 0; j < dim; j++) {
        const err = Math.abs(v[j]! - items[i * dim + j]!);
        expect(err).toBeLessThanOrEqual((residual.scales[i]! / 2) * (1 + 1e-5) + 1e-6);
        worstResidual = Math.max(worstResidual, err);
      }
      itemVector(plain, i, v);
      for (let j = 0; j < dim; j++) worstPlain = Math.max(worstPlain, Math.abs(v[j]! - items[i * dim + j]!));
    }
    // The spread is 0.05 against centres ~N(0,1): the residual step is ~20x finer.
    expect(worstResidual * 5).toBeLessThan(worstPlain);
  });

  it('scores like the dequantised items, and ranks tight clusters far better than plain int8', () => {
    const exact = scoreRowsF32(data.queries[0]!, items, dim);
    const scores = scoreShard(data.queries[0]!, residual);
    const v = new Float32Array(dim);
    for (let i = 0; i < residual.count; i += 97) {
      const direct = Array.from(itemVector(residual, i, v)).reduce((s, x, j) => s + x * data.queries[0]![j]!, 0);
      expect(scores[i]).toBeCloseTo(direct, 4);
    }
    const recall = (s: Shard) => {
      let hits = 0;
      for (const q of data.queries) {
        const truth = new Set(topK(scoreRowsF32(q, items, dim), 50).indices);
        for (const i of topK(scoreShard(q, s), 50).indices) if (truth.has(i)) hits++;
      }
      return hits / (50 * data.queries.length);
    };
    const rResidual = recall(residual);
    const rPlain = recall(plain);
    console.log(`recall@50 inside one tight cluster: residual ${rResidual.toFixed(3)}, plain ${rPlain.toFixed(3)}`);
    expect(rResidual).toBeGreaterThanOrEqual(0.98);
    expect(rResidual).toBeGreaterThan(rPlain);
    expect(exact.length).toBe(residual.count);
  });

  it('needs a centroid, on both sides of the codec', () => {
    const err = inputError({ ids: [1], dim: 2, embeddings: new Float32Array(2), quantization: 'int8-residual' });
    expect(err.field).toBe('quantization');
    expect(err.message).toMatch(/give info\.centroid/);
    expect(inputError({ ...input('int8'), quantization: 'int4' as 'int8' }).field).toBe('quantization');
    // A crafted plain shard that claims residual quantisation but has no centroid section.
    const noCentroid = encodeShard({ ids: [1, 2], dim: 2, embeddings: new Float32Array([1, 2, 3, 4]) });
    const crafted = craft(noCentroid, (dv) => dv.setUint8(H.quant, 2));
    expect(formatError(crafted).message).toMatch(/residual quantisation without a centroid/);
    expect(() => itemVector(residual, residual.count)).toThrow(/out of range/);
  });
});
