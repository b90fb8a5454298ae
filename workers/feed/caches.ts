/**
 * The Cache Storage caches that record which releases and shards a feed fetched, and how
 * forget() removes them. (The feed's database and event scope are resolved in options.ts.)
 */

/**
 * Cache Storage caches of ondeck start with this: the worker's release cache (`ondeck-release`)
 * and the demo service worker's runtime caches (`ondeck-sw-release`, `ondeck-sw-artifacts`).
 */
export const CACHE_PREFIX = 'ondeck';

/**
 * Deletes every ondeck cache of the origin: release artifacts and records, and the service
 * worker's runtime caches. Which shards were fetched is a coarse interest profile, so forget()
 * must not leave it behind. Nothing to do where Cache Storage does not exist.
 */
export async function deleteOndeckCaches(): Promise<string[]> {
  const storage = (globalThis as { caches?: CacheStorage }).caches;
  if (!storage) return [];
  const names = (await storage.keys()).filter((n) => n.startsWith(CACHE_PREFIX));
  await Promise.all(names.map((n) => storage.delete(n)));
  return names;
}
