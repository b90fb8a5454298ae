/**
 * Downloads: the manifest (always revalidated) and artifact bytes. Failures become
 * ReleaseFetchError or ReleaseManifestError, so the loader can report one stable name.
 */
import type { ReleaseManifest } from '../../src/core/release/index.ts';
import { MAX_MANIFEST_BYTES } from './defaults.ts';
import { ReleaseFetchError, ReleaseManifestError } from './errors.ts';

/** The part of `fetch` the loader uses; `globalThis.fetch` and test fakes both fit. */
export type ReleaseFetch = (url: string, init?: RequestInit) => Promise<Response>;

export interface FetchedManifest {
  manifest: ReleaseManifest;
  /** The JSON exactly as served: what the last good record keeps, re-verified when read back. */
  text: string;
}

/** A byte cap was passed while reading a body: reading stopped there. */
export class BodyTooLargeError extends Error {
  override name = 'BodyTooLargeError';
  constructor(readonly limit: number, readonly seen: number) {
    super(`the body is larger than ${limit} bytes (stopped reading at ${seen})`);
  }
}

/**
 * Fetches the manifest's JSON (parsed, not yet validated: the signature is checked first).
 * `no-cache` because the manifest is the one mutable file of a release: an HTTP cache must
 * revalidate it, or a device could sit on an old release.
 */
export async function fetchManifestJson(fetch: ReleaseFetch, url: string): Promise<{ json: unknown; text: string }> {
  let bytes: ArrayBuffer;
  try {
    bytes = await fetchOk(fetch, url, { cache: 'no-cache' }, (res) => readCapped(res, MAX_MANIFEST_BYTES));
  } catch (err) {
    if (err instanceof ReleaseFetchError && err.cause instanceof BodyTooLargeError) throw new ReleaseManifestError(url, err.cause.message, { cause: err.cause });
    throw err;
  }
  const text = new TextDecoder().decode(bytes);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ReleaseManifestError(url, 'not JSON', { cause: err });
  }
  return { json, text };
}

/**
 * Downloads an artifact's bytes, unverified: the caller verifies them. The HTTP cache may serve
 * them (artifacts are immutable), which is safe because of that verification. Reading stops
 * one byte past `maxBytes` (the size the manifest declares): a server cannot make the device
 * read, hold or hash more than that; the caller's size check then refuses the bytes.
 */
export function fetchBytes(fetch: ReleaseFetch, url: string, maxBytes: number): Promise<ArrayBuffer> {
  return fetchOk(fetch, url, undefined, (res) => readCapped(res, maxBytes, true));
}

/**
 * The body, read chunk by chunk with a byte counter. Past `limit` the stream is cancelled; then
 * it throws BodyTooLargeError, or with `keepOver` returns the first limit + 1 bytes (enough for
 * the caller to see the size is wrong).
 */
async function readCapped(res: Response, limit: number, keepOver = false): Promise<ArrayBuffer> {
  if (!res.body) return new ArrayBuffer(0);
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let seen = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    seen += value.byteLength;
    if (seen > limit) {
      await reader.cancel().catch(() => undefined);
      if (!keepOver) throw new BodyTooLargeError(limit, seen);
      chunks.push(value.subarray(0, value.byteLength - (seen - limit - 1)));
      seen = limit + 1;
      break;
    }
    chunks.push(value);
  }
  const out = new Uint8Array(seen);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out.buffer;
}

/**
 * Release requests carry no cookies and no referrer: a release is public, and cookies would tie
 * the device's fetches (which shards, when) to the user's session on the origin.
 */
const PRIVATE_REQUEST: RequestInit = Object.freeze({ credentials: 'omit', referrerPolicy: 'no-referrer' });

async function fetchOk<T>(
  fetch: ReleaseFetch,
  url: string,
  init: RequestInit | undefined,
  read: (res: Response) => Promise<T>,
): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, { ...init, ...PRIVATE_REQUEST });
  } catch (err) {
    throw new ReleaseFetchError(url, null, { cause: err });
  }
  if (!res.ok) {
    // Release the connection; the body of an error page is of no use here.
    await res.body?.cancel().catch(() => undefined);
    throw new ReleaseFetchError(url, res.status);
  }
  try {
    return await read(res);
  } catch (err) {
    // The connection dropped mid-body: as good as no response.
    throw new ReleaseFetchError(url, null, { cause: err });
  }
}
