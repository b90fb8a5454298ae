// Signs a manifest in the page, with WebCrypto, as the pipeline signs it in Node
// (src/pipeline/release/signing.ts): for tests that serve an edited manifest and mean to test
// what comes after the signature check (an edited hash, a missing artifact), or a validly signed
// but older release. The key is the test releases' own (release-key.ts), provided as PKCS#8.
import { signedManifestBytes, toBase64 } from '../../src/core/release/index.ts';

/** WebCrypto's key type, named without the DOM lib (this folder is also type-checked for Node). */
type SigningKey = Parameters<typeof crypto.subtle.sign>[1];

const keys = new Map<string, Promise<SigningKey>>();

function importKey(pkcs8Base64: string): Promise<SigningKey> {
  let key = keys.get(pkcs8Base64);
  if (!key) {
    const der = Uint8Array.from(atob(pkcs8Base64), (c) => c.charCodeAt(0));
    key = crypto.subtle.importKey('pkcs8', der, { name: 'Ed25519' }, false, ['sign']);
    keys.set(pkcs8Base64, key);
  }
  return key;
}

/** `manifest` (parsed JSON) with a fresh signature over its current content; its signature.key is kept. */
export async function resignManifest<T extends object>(manifest: T, pkcs8Base64: string): Promise<T> {
  const sig = new Uint8Array(await crypto.subtle.sign({ name: 'Ed25519' }, await importKey(pkcs8Base64), signedManifestBytes(manifest)));
  const old = (manifest as { signature?: { key?: string } }).signature;
  return { ...manifest, signature: { alg: 'Ed25519', key: old?.key ?? '', value: toBase64(sig) } };
}
