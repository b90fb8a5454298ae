/**
 * What a release signature covers. The publisher signs the manifest with Ed25519 (the pipeline,
 * src/pipeline/release/signing.ts); the device verifies it with WebCrypto against the key the app
 * pins (workers/release). Both build the signed bytes here, from the same code, so they cannot
 * disagree on them.
 *
 * The signed bytes are a context line followed by the manifest in canonical JSON (RFC 8785:
 * keys sorted by UTF-16 code units, numbers and strings as ECMAScript's JSON.stringify writes
 * them), without its `signature` member. Canonical, not as served: a server may re-serialise
 * the manifest. A relative artifact URL is covered by its last path segment only (its
 * content-addressed file name), because a server may re-root it (`artifacts/<sha>.bin` ->
 * `/v1/artifacts/<sha>.bin`); a relative URL always stays on the manifest's own origin, and the
 * bytes are checked against the signed size and SHA-256 anyway. An absolute URL (a CDN) is
 * covered in full.
 */
import * as v from 'valibot';
import { ValidationError } from '../errors.ts';
import { utf8Length, writeUtf8 } from '../shard/utf8.ts';

export const SIGNATURE_ALGORITHM = 'Ed25519';
/** Domain separation: these bytes can never be mistaken for another message signed by the same key. */
export const SIGNATURE_CONTEXT = 'ondeck-release-manifest\n';

const base64 = v.pipe(v.string(), v.regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64'));

export const signatureSchema = v.object({
  alg: v.literal(SIGNATURE_ALGORITHM, `must be "${SIGNATURE_ALGORITHM}"`),
  /** The signer's public key, raw 32 bytes in base64: for messages only, never trusted. */
  key: v.pipe(base64, v.length(44, 'must be a 32-byte Ed25519 public key in base64')),
  /** The 64-byte signature in base64. */
  value: v.pipe(base64, v.length(88, 'must be a 64-byte Ed25519 signature in base64')),
});

export type ManifestSignature = v.InferOutput<typeof signatureSchema>;

/** RFC 8785 canonical JSON of a JSON value (plain objects, arrays, strings, finite numbers, booleans, null). */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new ValidationError('', `${value} is not a JSON number`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((x) => canonicalJson(x === undefined ? null : x)).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, x]) => x !== undefined);
    // Default sort compares UTF-16 code units, which is what RFC 8785 asks for.
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonicalJson(x)}`).join(',')}}`;
  }
  throw new ValidationError('', `a ${typeof value} is not a JSON value`);
}

/** True for a URL that resolves against the manifest's own origin (no scheme, no `//host`). */
export function isRelativeUrl(url: string): boolean {
  return !/^[A-Za-z][A-Za-z0-9+.-]*:/.test(url) && !/^[\\/]{2}/.test(url) && !url.startsWith('\\');
}

/**
 * The bytes a manifest's signature covers: SIGNATURE_CONTEXT + canonical JSON of the manifest
 * (parsed JSON, not yet validated) without `signature`, relative artifact URLs reduced to their
 * file name.
 */
export function signedManifestBytes(raw: unknown): Uint8Array<ArrayBuffer> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ValidationError('', 'a manifest must be a JSON object');
  const { signature: _signature, ...rest } = raw as Record<string, unknown>;
  const artifacts = rest.artifacts;
  const covered = Array.isArray(artifacts)
    ? {
        ...rest,
        artifacts: artifacts.map((a: unknown) => {
          if (typeof a !== 'object' || a === null) return a;
          const url = (a as { url?: unknown }).url;
          if (typeof url !== 'string' || !isRelativeUrl(url)) return a;
          return { ...a, url: `./${url.slice(url.lastIndexOf('/') + 1)}` };
        }),
      }
    : rest;
  const text = SIGNATURE_CONTEXT + canonicalJson(covered);
  const out = new Uint8Array(utf8Length(text));
  writeUtf8(text, out, 0);
  return out;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Standard base64 with padding (here, not btoa: src/core runs where no DOM is). */
export function toBase64(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    out += B64[(n >> 18) & 63]! + B64[(n >> 12) & 63]!;
    out += i + 1 < bytes.length ? B64[(n >> 6) & 63]! : '=';
    out += i + 2 < bytes.length ? B64[n & 63]! : '=';
  }
  return out;
}

/** Decodes standard base64 (padding optional); throws ValidationError naming `field` otherwise. */
export function fromBase64(text: string, field: string): Uint8Array<ArrayBuffer> {
  const s = text.replace(/=+$/, '');
  if (!/^[A-Za-z0-9+/]*$/.test(s) || s.length % 4 === 1) throw new ValidationError(field, 'must be base64');
  const out = new Uint8Array(Math.floor((s.length * 3) / 4));
  let bits = 0;
  let acc = 0;
  let j = 0;
  for (const c of s) {
    acc = (acc << 6) | B64.indexOf(c);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[j++] = (acc >> bits) & 0xff;
    }
  }
  return out;
}

/** A pinned release key (raw Ed25519 public key, base64) as bytes; ValidationError naming `field` when it is not one. */
export function releaseKeyBytes(key: string, field = 'releaseKey'): Uint8Array<ArrayBuffer> {
  const bytes = typeof key === 'string' ? fromBase64(key.trim(), field) : null;
  if (!bytes || bytes.length !== 32) throw new ValidationError(field, 'must be a raw 32-byte Ed25519 public key in base64 (44 characters)');
  return bytes;
}
