/**
 * CRC-32 (IEEE 802.3 polynomial, reflected, as zlib/PNG/gzip), slice-by-8.
 *
 * Slice-by-8 folds eight bytes per step with eight 256-entry tables. Measured on Node 20 over
 * 8 MB (2-core x86 VM): bytewise ~400 MB/s, slice-by-4 ~990, slice-by-8 with byte reads ~1060,
 * slice-by-8 reading Int32 words two steps per iteration ~1250. So words it is, where the host is
 * little-endian (Int32Array reads host order); byte reads cover unaligned ends and other hosts.
 */

let tables: Uint32Array | null = null;

/** 8 x 256 entries, built on first use (8 KiB), not at module load. */
function crcTables(): Uint32Array {
  if (tables) return tables;
  const t = new Uint32Array(256 * 8);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  // t[k*256 + n] is the CRC of byte n followed by k zero bytes.
  for (let n = 0; n < 256; n++) {
    let c = t[n]!;
    for (let k = 1; k < 8; k++) {
      c = t[c & 0xff]! ^ (c >>> 8);
      t[k * 256 + n] = c;
    }
  }
  tables = t;
  return t;
}

/** CRC-32 of `bytes`; pass a previous result as `crc` to continue over several chunks. */
export function crc32(bytes: Uint8Array, crc = 0): number {
  const t = crcTables();
  let c = ~crc;
  let i = 0;
  const n = bytes.length;
  if (n >= 32 && littleEndian()) {
    // Bytes up to a 4-byte boundary, then 16 bytes per step read as four Int32 words.
    for (; (bytes.byteOffset + i) % 4 !== 0; i++) c = t[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
    const words = new Int32Array(bytes.buffer, bytes.byteOffset + i, ((n - i) >>> 4) * 4);
    for (let w = 0; w < words.length; w += 4) {
      c = fold8(t, c ^ words[w]!, words[w + 1]!);
      c = fold8(t, c ^ words[w + 2]!, words[w + 3]!);
    }
    i += words.length * 4;
  }
  const end8 = n - ((n - i) & 7);
  for (; i < end8; i += 8) {
    const a = c ^ (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24));
    c = fold8(t, a, bytes[i + 4]! | (bytes[i + 5]! << 8) | (bytes[i + 6]! << 16) | (bytes[i + 7]! << 24));
  }
  for (; i < n; i++) c = t[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

/** One slice-by-8 step: `a` is the CRC state xor-ed with bytes 0-3, `b` bytes 4-7 (little-endian). */
function fold8(t: Uint32Array, a: number, b: number): number {
  return (
    t[1792 + (a & 0xff)]! ^
    t[1536 + ((a >>> 8) & 0xff)]! ^
    t[1280 + ((a >>> 16) & 0xff)]! ^
    t[1024 + (a >>> 24)]! ^
    t[768 + (b & 0xff)]! ^
    t[512 + ((b >>> 8) & 0xff)]! ^
    t[256 + ((b >>> 16) & 0xff)]! ^
    t[b >>> 24]!
  );
}

let le: boolean | null = null;

function littleEndian(): boolean {
  le ??= new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;
  return le;
}
