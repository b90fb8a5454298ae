/**
 * The release signing key and manifest signatures (Node side). The operator keeps the private
 * key (a PKCS#8 PEM file, mode 0600) outside the folder the server publishes; the app pins the
 * public key (raw 32 bytes, base64) and the device verifies every manifest with it
 * (workers/release). What is signed is defined once, in src/core/release/signature.ts.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { OndeckError } from '../../core/errors.ts';
import { MANIFEST_VERSION, SIGNATURE_ALGORITHM, fromBase64, signedManifestBytes, toBase64 } from '../../core/release/index.ts';

/** Environment variable `ondeck build` reads the key file's path from when --signing-key is absent. */
export const SIGNING_KEY_ENV = 'ONDECK_SIGNING_KEY';

export interface ReleaseSigningKey {
  privateKey: KeyObject;
  /** Raw 32-byte Ed25519 public key, base64: what the app pins (`createFeed({ releaseKey })`). */
  publicKey: string;
}

/** The signing key file is missing, unreadable or not an Ed25519 private key. */
export class SigningKeyError extends OndeckError {
  override name = 'SigningKeyError';
}

/**
 * Where `ondeck build --out DIR` keeps its key when none is given: beside the release folder,
 * never in it (the folder is what the server publishes), e.g. models -> models.signing-key.pem.
 */
export function defaultSigningKeyFile(outDir: string): string {
  const out = resolve(outDir);
  return join(dirname(out), `${basename(out)}.signing-key.pem`);
}

/** The public half of a signing key file, as the app pins it: `<file>.pub` holds the same text. */
export function publicKeyFile(keyFile: string): string {
  return `${keyFile}.pub`;
}

export function signingKeyFromPem(pem: string | Buffer, source = 'the signing key'): ReleaseSigningKey {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(pem);
  } catch (err) {
    throw new SigningKeyError(`${source} is not a PEM private key: ${(err as Error).message}`, { cause: err });
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new SigningKeyError(`${source} is a ${privateKey.asymmetricKeyType ?? 'symmetric'} key; release signing keys are Ed25519`);
  }
  return { privateKey, publicKey: rawPublicKey(createPublicKey(privateKey)) };
}

export function loadSigningKey(file: string): ReleaseSigningKey {
  let pem: Buffer;
  try {
    pem = readFileSync(file);
  } catch (err) {
    throw new SigningKeyError(`cannot read the signing key ${file}: ${(err as Error).message}`, { cause: err });
  }
  return signingKeyFromPem(pem, file);
}

/**
 * Loads the key in `file`, or makes a new one there (0600, and the public key in `<file>.pub`)
 * when there is none. `created` says which, so the caller can tell the operator.
 */
export function loadOrCreateSigningKey(file: string): { key: ReleaseSigningKey; created: boolean; file: string } {
  const path = resolve(file);
  if (existsSync(path)) return { key: loadSigningKey(path), created: false, file: path };
  const { privateKey } = generateKeyPairSync('ed25519');
  const pem = privateKey.export({ format: 'pem', type: 'pkcs8' });
  mkdirSync(dirname(path), { recursive: true });
  // `wx`: never overwrite a key another process made meanwhile (devices pin it).
  try {
    writeFileSync(path, pem, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return { key: loadSigningKey(path), created: false, file: path };
    throw new SigningKeyError(`cannot write the signing key ${path}: ${(err as Error).message}`, { cause: err });
  }
  chmodSync(path, 0o600);
  const key = signingKeyFromPem(pem, path);
  writeFileSync(publicKeyFile(path), `${key.publicKey}\n`);
  return { key, created: true, file: path };
}

/** The text to print when a key was generated: where it is, and what to pin. */
export function signingKeyNotice(file: string, publicKey: string, created: boolean): string {
  return created
    ? `generated a release signing key in ${file} (keep it secret and out of the published folder; ` +
        `apps pin its public key: createFeed({ releaseKey: '${publicKey}' }), also in ${publicKeyFile(file)})`
    : `manifest signed with ${file} (public key ${publicKey})`;
}

/**
 * The manifest (parsed JSON) signed: formatVersion 2, `sequence`, and `signature` over
 * signedManifestBytes of the rest. Any old signature is replaced.
 */
export function signManifest<T extends object>(raw: T, key: ReleaseSigningKey, sequence: number): T & { sequence: number; signature: object } {
  if (!Number.isSafeInteger(sequence) || sequence < 1) throw new SigningKeyError(`sequence must be a positive integer, got ${sequence}`);
  const { signature: _old, ...rest } = raw as T & { signature?: unknown };
  const unsigned = { ...rest, formatVersion: Math.max(MANIFEST_VERSION, (raw as { formatVersion?: number }).formatVersion ?? 0), sequence };
  const value = sign(null, signedManifestBytes(unsigned), key.privateKey);
  return { ...unsigned, signature: { alg: SIGNATURE_ALGORITHM, key: key.publicKey, value: value.toString('base64') } } as unknown as T & {
    sequence: number;
    signature: object;
  };
}

/** True when `raw` carries a valid signature by `publicKey` (raw base64): the device's check, in Node. */
export function verifyManifestSignature(raw: unknown, publicKey: string): boolean {
  const sig = (raw as { signature?: { alg?: unknown; value?: unknown } } | null)?.signature;
  if (!sig || sig.alg !== SIGNATURE_ALGORITHM || typeof sig.value !== 'string') return false;
  const spki = Buffer.concat([ED25519_SPKI_PREFIX, fromBase64(publicKey, 'publicKey')]);
  const key = createPublicKey({ key: spki, format: 'der', type: 'spki' });
  return verify(null, signedManifestBytes(raw), key, fromBase64(sig.value, 'signature.value'));
}

/** The next sequence after `previous` (the manifest a publication replaces): the time in ms, or one more. */
export function nextSequence(previous: number | undefined, now = Date.now()): number {
  return Math.max(Math.floor(now), (previous ?? 0) + 1);
}

/** DER prefix of an Ed25519 SubjectPublicKeyInfo; the raw 32-byte key follows it. */
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

function rawPublicKey(key: KeyObject): string {
  const der = key.export({ format: 'der', type: 'spki' });
  return toBase64(new Uint8Array(der.subarray(der.length - 32)));
}
