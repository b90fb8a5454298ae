/**
 * Where a feed keeps its data on the device, and how forget() removes it: the history database
 * (one per feed by default), the scope its events are recorded under, and the Cache Storage
 * caches that record which releases and shards were fetched.
 */
import type { FeedOptions } from '../../src/core/feed/index.ts';
import type { EventScope } from '../history/index.ts';
import { DEFAULT_DATABASE_NAME } from '../history/index.ts';
import { SYNC_DEFAULTS, resolveSyncOptions } from '../sync/index.ts';

/**
 * Cache Storage caches of ondeck start with this: the worker's release cache (`ondeck-release`)
 * and the demo service worker's runtime caches (`ondeck-sw-release`, `ondeck-sw-artifacts`).
 */
export const CACHE_PREFIX = 'ondeck';

/** The feed name its events are synced (and recorded) under. */
function feedName(options: FeedOptions): string {
  return options.sync?.feed ?? SYNC_DEFAULTS.feed;
}

/**
 * The feed's database: the app's choice, else 'ondeck' for the default feed and `ondeck:<feed>`
 * for a named one, so two feeds of an origin never share a history or an outbox by accident.
 */
export function feedDatabase(options: FeedOptions): string {
  if (options.database !== undefined) return options.database;
  const feed = feedName(options);
  return feed === SYNC_DEFAULTS.feed ? DEFAULT_DATABASE_NAME : `${DEFAULT_DATABASE_NAME}:${feed}`;
}

/** What the feed's events are recorded under: its sync mode ('off' without sync) and feed name. */
export function eventScope(options: FeedOptions): EventScope {
  if (!options.sync) return { mode: 'off', feed: feedName(options) };
  const { mode, feed } = resolveSyncOptions(options.sync, globalThis.location?.origin ?? null);
  return { mode, feed };
}

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
