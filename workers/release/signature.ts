/**
 * Manifest signatures on the device: a manifest is checked against the release key the app
 * pins (raw Ed25519 public key, base64) with WebCrypto, before anything in it is used; the same
 * check runs on the copy kept in Cache Storage, which can be tampered with too. What is signed is
 * defined in src/core/release/signature.ts, shared with the pipeline that signs.
 */
import { ValidationError } from '../../src/core/errors.ts';
import { releaseKeyBytes, signedManifestBytes, fromBase64, type ReleaseManifest } from '../../src/core/release/index.ts';
import { ReleaseManifestError, ReleaseSignatureError } from './errors.ts';
import { parseManifestAt } from './parse-manifest.ts';

export interface VerifiedManifest {
  manifest: ReleaseManifest;
  /** Signed by the pinned key; false only for a release the app accepts unsigned. */
  signed: boolean;
}

export interface ManifestVerifier {
  /** Parses and checks a manifest's JSON text; throws ReleaseManifestError or ReleaseSignatureError. */
  verify(url: string, json: unknown): Promise<VerifiedManifest>;
}

export interface VerifierOptions {
  releaseKey?: string | undefined;
  allowUnsigned?: boolean | undefined;
  /** Origins (e.g. `https://cdn.example.com`) artifacts may come from besides the manifest's own; any when absent. */
  artifactHosts?: readonly string[] | undefined;
}

/** WebCrypto's key type, named without the DOM lib (Node's unit tests run this check too). */
type VerifyKey = Parameters<typeof crypto.subtle.verify>[1];

export function createManifestVerifier(options: VerifierOptions): ManifestVerifier {
  const allowUnsigned = options.allowUnsigned === true;
  if (options.releaseKey === undefined && !allowUnsigned) {
    throw new ValidationError(
      'releaseKey',
      'is required: the base64 Ed25519 public key the releases are signed with (ondeck build prints it); ' +
        'pass allowUnsigned: true to use releases nobody signed',
    );
  }
  const raw = options.releaseKey === undefined ? null : releaseKeyBytes(options.releaseKey);
  const pinned = options.releaseKey?.trim() ?? null;
  const hosts = options.artifactHosts === undefined ? null : new Set(options.artifactHosts.map((h) => originOf(h)));
  let key: Promise<VerifyKey> | null = null;

  function importKey(): Promise<VerifyKey> {
    key ??= globalThis.crypto.subtle.importKey('raw', raw!, { name: 'Ed25519' }, false, ['verify']).catch((err: unknown) => {
      key = null;
      throw new ReleaseSignatureError('', 'invalid', `cannot be verified: this browser's WebCrypto has no Ed25519 (${String(err)})`, { cause: err });
    });
    return key;
  }

  return {
    async verify(url, json) {
      const signature = (json as { signature?: unknown } | null)?.signature;
      let signed = false;
      if (raw === null) {
        // No key pinned (allowUnsigned): nothing can be verified, so nothing counts as signed.
      } else if (signature === undefined) {
        if (!allowUnsigned) throw new ReleaseSignatureError(url, 'unsigned', 'is not signed, and this app accepts signed releases only');
      } else {
        const s = signature as { key?: unknown; value?: unknown };
        let sig: Uint8Array<ArrayBuffer>;
        try {
          sig = fromBase64(typeof s.value === 'string' ? s.value : '', 'signature.value');
        } catch (err) {
          throw new ReleaseSignatureError(url, 'invalid', 'has a malformed signature', { cause: err });
        }
        let message: Uint8Array<ArrayBuffer>;
        try {
          message = signedManifestBytes(json);
        } catch (err) {
          throw new ReleaseManifestError(url, err instanceof Error ? err.message : String(err), { cause: err });
        }
        const ok = sig.length === 64 && (await globalThis.crypto.subtle.verify({ name: 'Ed25519' }, await importKey(), sig, message));
        if (!ok) {
          if (typeof s.key === 'string' && s.key !== pinned) {
            throw new ReleaseSignatureError(url, 'wrong-key', `is signed by key ${s.key.slice(0, 12)}…, not by the release key this app pins (${pinned!.slice(0, 12)}…)`);
          }
          throw new ReleaseSignatureError(url, 'invalid', 'has a signature that does not match its content (altered after signing)');
        }
        signed = true;
      }
      const manifest = parseManifestAt(url, json);
      if (hosts) {
        const own = new URL(url).origin;
        for (const a of manifest.artifacts) {
          const origin = new URL(a.url, url).origin;
          if (origin !== own && !hosts.has(origin)) {
            throw new ReleaseManifestError(url, `artifact "${a.name}" is on ${origin}, which is neither the manifest's origin nor one of artifactHosts (${[...hosts].join(', ') || 'none'})`);
          }
        }
      }
      return { manifest, signed };
    },
  };
}

function originOf(host: string): string {
  try {
    return new URL(host).origin;
  } catch (err) {
    throw new ValidationError('artifactHosts', `"${host}" is not an origin such as https://cdn.example.com`, { cause: err });
  }
}
