/**
 * The loader's view of Cache Storage: artifact bytes keyed by their absolute URL (content
 * addressed, so a key never changes meaning), one last good release record per manifest URL,
 * and pruning. Nothing here verifies bytes; the caller does, every time it reads.
 *
 * `caches` is opened lazily, never at module load, and may be missing altogether (insecure
 * contexts, some sandboxed webviews): reads then miss and writes throw ReleaseStorageError, so
 * the loader still works online.
 */
import { OWNER_HEADER, RECORD_PARAM } from './defaults.ts';
import { ReleaseStorageError } from './errors.ts';

export interface ReleaseCache {
  /** The stored bytes of `url` (unverified), or null when absent or unreadable. */
  readArtifact(url: string): Promise<ArrayBuffer | null>;
  /** Stores bytes under `url`, marked as owned by this manifest URL. Throws ReleaseStorageError. */
  writeArtifact(url: string, bytes: ArrayBuffer): Promise<void>;
  /** The last good record's JSON text, or null. */
  readRecord(): Promise<string | null>;
  /** Replaces the last good record (one entry, so the swap is atomic). Throws ReleaseStorageError. */
  writeRecord(text: string): Promise<void>;
  /** Deletes this owner's artifacts whose URL is not in `keep`; returns the URLs deleted. */
  prune(keep: ReadonlySet<string>): Promise<string[]>;
}

/** `owner` is the absolute manifest URL: it scopes the record and what pruning may delete. */
export function openReleaseCache(cacheName: string, owner: string): ReleaseCache {
  const recordKey = recordUrl(owner);
  let opened: Promise<Cache> | null = null;

  function open(): Promise<Cache> {
    if (!('caches' in globalThis) || !globalThis.caches) {
      return Promise.reject(
        new ReleaseStorageError('Cache Storage is not available here (insecure context or sandboxed frame); releases work online only'),
      );
    }
    // A failed open is not memoised: the next call tries again.
    opened ??= globalThis.caches.open(cacheName).catch((err: unknown) => {
      opened = null;
      throw new ReleaseStorageError(`could not open the cache "${cacheName}"`, { cause: err });
    });
    return opened;
  }

  async function read(key: string): Promise<Response | null> {
    try {
      return (await (await open()).match(key)) ?? null;
    } catch {
      // An unreadable cache is a miss: the network may still serve the release.
      return null;
    }
  }

  async function write(request: Request, response: Response, what: string): Promise<void> {
    const cache = await open();
    try {
      await cache.put(request, response);
    } catch (err) {
      throw new ReleaseStorageError(`could not store ${what} in the cache "${cacheName}"`, { cause: err });
    }
  }

  return {
    async readArtifact(url) {
      const res = await read(url);
      try {
        return res ? await res.arrayBuffer() : null;
      } catch {
        return null;
      }
    },
    writeArtifact(url, bytes) {
      // The owner mark goes on the request: cache.keys() returns requests with their headers, and
      // matching ignores request headers (the stored response has no Vary), so match(url) still hits.
      const request = new Request(url, { headers: { [OWNER_HEADER]: owner } });
      return write(request, new Response(bytes, { headers: { 'content-type': 'application/octet-stream' } }), url);
    },
    async readRecord() {
      const res = await read(recordKey);
      try {
        return res ? await res.text() : null;
      } catch {
        return null;
      }
    },
    writeRecord(text) {
      return write(new Request(recordKey), new Response(text, { headers: { 'content-type': 'application/json' } }), 'the last good release');
    },
    async prune(keep) {
      const cache = await open();
      const deleted: string[] = [];
      for (const request of await cache.keys()) {
        if (request.headers.get(OWNER_HEADER) !== owner || keep.has(request.url)) continue;
        if (await cache.delete(request)) deleted.push(request.url);
      }
      return deleted;
    },
  };
}

/** The cache key of the last good record of a manifest URL (never fetched). */
export function recordUrl(manifestUrl: string): string {
  const url = new URL(manifestUrl);
  url.searchParams.set(RECORD_PARAM, '1');
  return url.href;
}
