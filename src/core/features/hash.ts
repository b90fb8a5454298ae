/**
 * The id hash of the feature spec: FNV-1a over the UTF-8 bytes of the value's string form,
 * finished with murmur3's fmix32 so that nearby ids spread over all buckets. Numbers hash as
 * their decimal string (42 and "42" are the same id, as they are in a CSV). Written out here,
 * not taken from a library, because a model trained elsewhere must be able to reproduce it:
 * the whole definition is this file.
 */
export function hashString(value: string, seed = 0): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < value.length; i++) {
    let c = value.charCodeAt(i);
    // UTF-8 encode on the fly (no TextEncoder in src/core, and no allocation).
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < value.length) {
      const lo = value.charCodeAt(i + 1);
      if (lo >= 0xdc00 && lo <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
        i++;
      }
    }
    if (c < 0x80) {
      h = fnvStep(h, c);
    } else if (c < 0x800) {
      h = fnvStep(fnvStep(h, 0xc0 | (c >> 6)), 0x80 | (c & 63));
    } else if (c < 0x10000) {
      // A lone surrogate encodes as U+FFFD, as TextEncoder does.
      if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
      h = fnvStep(fnvStep(fnvStep(h, 0xe0 | (c >> 12)), 0x80 | ((c >> 6) & 63)), 0x80 | (c & 63));
    } else {
      h = fnvStep(h, 0xf0 | (c >> 18));
      h = fnvStep(fnvStep(fnvStep(h, 0x80 | ((c >> 12) & 63)), 0x80 | ((c >> 6) & 63)), 0x80 | (c & 63));
    }
  }
  return fmix32(h);
}

function fnvStep(h: number, byte: number): number {
  return Math.imul(h ^ byte, 0x01000193) >>> 0;
}

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The bucket of an id in 1..buckets (0 is reserved for missing). */
export function hashBucket(value: string | number, buckets: number, seed = 0): number {
  return 1 + (hashString(String(value), seed) % buckets);
}
