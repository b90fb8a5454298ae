/**
 * Size and SHA-256 checks of artifact bytes against the manifest. Every byte string that reaches
 * a caller passes through verifyArtifact, whether it was downloaded or read back from Cache
 * Storage: the cache lives on the device and can be tampered with or damaged too.
 */
import type { ArtifactRef } from '../../src/core/release/index.ts';
import { ReleaseIntegrityError } from '../../src/core/release/errors.ts';

/** Lowercase hex SHA-256 (WebCrypto: native, off the JS heap; works in windows and workers). */
export async function sha256Hex(bytes: ArrayBuffer): Promise<string> {
  const digest = new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', bytes));
  let hex = '';
  for (const b of digest) hex += b.toString(16).padStart(2, '0');
  return hex;
}

/**
 * Resolves when `bytes` are exactly the artifact `ref` names, else throws ReleaseIntegrityError.
 * The size is checked first: it is free, and a truncated download is the common failure.
 */
export async function verifyArtifact(
  ref: ArtifactRef,
  url: string,
  bytes: ArrayBuffer,
  source: 'network' | 'cache',
): Promise<void> {
  const expected = { bytes: ref.bytes, sha256: ref.sha256 };
  if (bytes.byteLength !== ref.bytes) {
    throw ReleaseIntegrityError.ofBytes({ artifact: ref.name, url, expected, actual: { bytes: bytes.byteLength, sha256: null }, source });
  }
  const sha256 = await sha256Hex(bytes);
  if (sha256 !== ref.sha256) {
    throw ReleaseIntegrityError.ofBytes({ artifact: ref.name, url, expected, actual: { bytes: bytes.byteLength, sha256 }, source });
  }
}
