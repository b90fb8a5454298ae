/**
 * Downloads: the manifest (always revalidated) and artifact bytes. Failures become
 * ReleaseFetchError or ReleaseManifestError, so the loader can report one stable name.
 */
import { parseManifest, type ReleaseManifest } from '../../src/core/release/index.ts';
import { ReleaseFetchError, ReleaseManifestError } from './errors.ts';

/** The part of `fetch` the loader uses; `globalThis.fetch` and test fakes both fit. */
export type ReleaseFetch = (url: string, init?: RequestInit) => Promise<Response>;

export interface FetchedManifest {
  manifest: ReleaseManifest;
  /** The JSON exactly as served: what the last good record keeps, re-parsed when read back. */
  text: string;
}

/**
 * Fetches and validates the manifest. `no-cache` because the manifest is the one mutable file
 * of a release: an HTTP cache must revalidate it, or a device could sit on an old release.
 */
export async function fetchManifest(fetch: ReleaseFetch, url: string): Promise<FetchedManifest> {
  const text = await fetchOk(fetch, url, { cache: 'no-cache' }, (res) => res.text());
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ReleaseManifestError(url, 'not JSON', { cause: err });
  }
  return { manifest: parseManifestAt(url, json), text };
}

/** parseManifest, with its ValidationError wrapped so a caller sees which URL was wrong. */
export function parseManifestAt(url: string, json: unknown): ReleaseManifest {
  try {
    return parseManifest(json);
  } catch (err) {
    throw new ReleaseManifestError(url, err instanceof Error ? err.message : String(err), { cause: err });
  }
}

/**
 * Downloads an artifact's bytes, unverified: the caller verifies them. The HTTP cache may serve
 * them (artifacts are immutable), which is safe because of that verification.
 */
export function fetchBytes(fetch: ReleaseFetch, url: string): Promise<ArrayBuffer> {
  return fetchOk(fetch, url, undefined, (res) => res.arrayBuffer());
}

async function fetchOk<T>(
  fetch: ReleaseFetch,
  url: string,
  init: RequestInit | undefined,
  read: (res: Response) => Promise<T>,
): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, init);
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
