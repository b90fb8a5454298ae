/**
 * How many IVF clusters a feed loads around the user vector. Which shards a device fetches is
 * visible to the server and any CDN, so it is a privacy decision as much as a recall one: a
 * small catalogue is loaded whole (every device fetches the same shards, whatever its history;
 * the privacy bench measures the anonymity sets), a large one by the nearest clusters.
 */
import { FEED_DEFAULTS } from './defaults.ts';

export function clusterProbe(catalog: { clusterBytes(): number; clusterCount(): number }): number {
  return catalog.clusterBytes() <= FEED_DEFAULTS.wholeCatalogBytes ? catalog.clusterCount() : FEED_DEFAULTS.clusters;
}
