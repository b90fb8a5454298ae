/**
 * Random batch and install ids: 128 random bits in base64url, which BATCH_ID_PATTERN and the
 * id length limit accept. crypto.getRandomValues, not randomUUID: the latter exists only in
 * secure contexts, and an app served over plain http on a LAN still syncs.
 */
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

function randomToken(bytes: number): string {
  const data = crypto.getRandomValues(new Uint8Array(bytes));
  let out = '';
  // 6 bits per character; 16 bytes give 21 full characters and 2 bits, dropped (126 bits).
  for (let bit = 0; bit + 6 <= bytes * 8; bit += 6) {
    const byte = bit >> 3;
    const shift = bit & 7;
    const word = (data[byte]! << 8) | (data[byte + 1] ?? 0);
    out += ALPHABET[(word >> (10 - shift)) & 63];
  }
  return out;
}

/** `b_` and 21 base64url characters. */
export function newBatchId(): string {
  return `b_${randomToken(16)}`;
}

/** `i_` and 21 base64url characters. */
export function newInstallId(): string {
  return `i_${randomToken(16)}`;
}

/** Uniform in [0, 1) from the platform's CSPRNG: the privacy noise must not be predictable. */
export function secureRandom(): number {
  const [hi, lo] = crypto.getRandomValues(new Uint32Array(2));
  // 53 bits: as fine as a double allows.
  return ((hi! >>> 5) * 67108864 + (lo! >>> 6)) / 9007199254740992;
}
