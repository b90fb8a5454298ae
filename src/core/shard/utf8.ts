/**
 * UTF-8 for the shard string tables. Encoding is done here rather than with TextEncoder because
 * the encoder sizes the whole shard first and then writes each string straight into its final
 * place: one pass to measure, one to write, no per-string Uint8Array. Lone surrogates become
 * U+FFFD, exactly as TextEncoder does, so the measured and written lengths always agree.
 */

/** Bytes `s` takes in UTF-8. */
export function utf8Length(s: string): number {
  let len = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) {
      len += 1;
    } else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && isLowSurrogate(s.charCodeAt(i + 1))) {
      // A pair is 2 UTF-16 units and 4 UTF-8 bytes.
      len += 2;
      i++;
    } else {
      len += 2; // BMP char of 3 bytes, or a lone surrogate written as U+FFFD (3 bytes)
    }
  }
  return len;
}

/** Writes `s` at `out[pos]`, returns the position after it. `out` must have room (see utf8Length). */
export function writeUtf8(s: string, out: Uint8Array, pos: number): number {
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      out[pos++] = c;
      continue;
    }
    if (c < 0x800) {
      out[pos++] = 0xc0 | (c >> 6);
      out[pos++] = 0x80 | (c & 0x3f);
      continue;
    }
    if (c >= 0xd800 && c <= 0xdfff) {
      const next = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
      if (c <= 0xdbff && isLowSurrogate(next)) {
        const cp = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
        out[pos++] = 0xf0 | (cp >> 18);
        out[pos++] = 0x80 | ((cp >> 12) & 0x3f);
        out[pos++] = 0x80 | ((cp >> 6) & 0x3f);
        out[pos++] = 0x80 | (cp & 0x3f);
        i++;
        continue;
      }
      c = 0xfffd;
    }
    out[pos++] = 0xe0 | (c >> 12);
    out[pos++] = 0x80 | ((c >> 6) & 0x3f);
    out[pos++] = 0x80 | (c & 0x3f);
  }
  return pos;
}

function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}

/**
 * Whether `b` is well-formed UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF). Runs at
 * decode over every string table so a lazy `meta()` can never fail later; ASCII runs are skipped
 * four bytes at a time, which makes it ~2x faster than a fatal TextDecoder that builds the string.
 */
export function isWellFormedUtf8(b: Uint8Array): boolean {
  const n = b.length;
  let i = 0;
  while (i < n) {
    while (i + 4 <= n && ((b[i]! | b[i + 1]! | b[i + 2]! | b[i + 3]!) & 0x80) === 0) i += 4;
    if (i >= n) break;
    const c = b[i]!;
    if (c < 0x80) {
      i++;
    } else if (c < 0xc2) {
      return false; // continuation byte first, or an overlong 2-byte lead
    } else if (c < 0xe0) {
      if (i + 1 >= n || !isCont(b[i + 1]!)) return false;
      i += 2;
    } else if (c < 0xf0) {
      if (i + 2 >= n) return false;
      const c1 = b[i + 1]!;
      if (!isCont(c1) || !isCont(b[i + 2]!)) return false;
      if (c === 0xe0 && c1 < 0xa0) return false; // overlong
      if (c === 0xed && c1 >= 0xa0) return false; // UTF-16 surrogate
      i += 3;
    } else if (c < 0xf5) {
      if (i + 3 >= n) return false;
      const c1 = b[i + 1]!;
      if (!isCont(c1) || !isCont(b[i + 2]!) || !isCont(b[i + 3]!)) return false;
      if (c === 0xf0 && c1 < 0x90) return false; // overlong
      if (c === 0xf4 && c1 >= 0x90) return false; // above U+10FFFF
      i += 4;
    } else {
      return false;
    }
  }
  return true;
}

/** A continuation byte (10xxxxxx): a string that starts on one was cut inside a character. */
export function isCont(byte: number): boolean {
  return (byte & 0xc0) === 0x80;
}

// Typed structurally: under Node's types TextDecoder is a value, not a type name.
let decoder: { decode(input: Uint8Array): string } | null = null;

/** Decodes bytes already checked by isWellFormedUtf8; one shared decoder, made on first use. */
export function decodeUtf8(bytes: Uint8Array): string {
  if (bytes.length === 0) return '';
  decoder ??= new TextDecoder('utf-8', { ignoreBOM: true });
  return decoder.decode(bytes);
}
