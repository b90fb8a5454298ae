/** Tunables and fixed names of the release loader, in one place. */

/** Cache Storage cache that holds verified artifacts and the last good release record. */
export const DEFAULT_CACHE_NAME = 'ondeck-release';

/**
 * Request header that marks a cache entry as an artifact stored for one manifest URL. Pruning
 * deletes only entries carrying the store's own manifest URL, so other users of the same cache
 * (a service worker, a second store) are left alone. It is a request header, not a response
 * header, because `cache.keys()` returns requests: pruning then needs no read per entry.
 */
export const OWNER_HEADER = 'x-ondeck-release-owner';

/**
 * Search parameter added to the manifest URL to key the last good release record. A separate
 * key, so a service worker caching the manifest URL itself cannot be confused with it; it is a
 * cache key only and never fetched.
 */
export const RECORD_PARAM = 'ondeck-last-good';

/** Version of the record's JSON; a record of another version is ignored, not misread. */
export const RECORD_VERSION = 1;

/**
 * Largest manifest read, in bytes: reading stops (and the manifest is refused) past it. The
 * manifest's size is declared nowhere else; golden vectors make it tens of KB, a feature spec
 * with a large vocabulary a few MB.
 */
export const MAX_MANIFEST_BYTES = 32 * 1024 * 1024;
