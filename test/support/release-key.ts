// The release signing key of the test releases: a fixed Ed25519 key, checked in because it
// signs nothing but test fixtures (never use it for a real release). Every release the tests
// build is signed with it, and the browser tests pin its public key (`releaseKey`) as an app
// would; tests that forge manifests sign them with it too (its PKCS#8 bytes are provided to the
// page), so a forged manifest fails for the reason the test is about, not for its signature.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadSigningKey, signCurrentRelease, verifyManifestSignature, type ReleaseSigningKey } from '../../src/pipeline/release/index.ts';

export const TEST_SIGNING_KEY_FILE = resolve('test/fixtures/release-signing-key.pem');

export function testSigningKey(): ReleaseSigningKey {
  return loadSigningKey(TEST_SIGNING_KEY_FILE);
}

/** The test key's PKCS#8 DER in base64, for a page to sign forged manifests with WebCrypto. */
export function testSigningKeyPkcs8(): string {
  return testSigningKey().privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64');
}

/**
 * A cached test release written before manifests were signed (or with another key) is signed
 * again in place, instead of being rebuilt: the content is the same, only the publication changes.
 */
export async function ensureSignedBy(dir: string, key: ReleaseSigningKey): Promise<void> {
  const raw = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as unknown;
  if (!verifyManifestSignature(raw, key.publicKey)) await signCurrentRelease(dir, key);
}
