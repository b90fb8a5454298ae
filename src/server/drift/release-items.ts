/**
 * Each item of a release as drift sees it (categories, duration), read back from the release's
 * cluster shards with the device's own decoder (shardItemRecord), so the server bins exactly the
 * values the device ranks with. Releases are immutable, so a release's table is built once.
 */
import { readFile } from 'node:fs/promises';
import { isAbsolute, join, normalize, sep } from 'node:path';
import { categoryVocab, shardItemRecord } from '../../core/feed/index.ts';
import { parseManifest, shardArtifacts } from '../../core/release/index.ts';
import { decodeShard } from '../../core/shard/index.ts';
import type { DriftItem } from '../../core/sync/index.ts';
import { DRIFT_DEFAULTS } from './defaults.ts';
import { DriftBaselineError } from './errors.ts';

const cache = new Map<string, Promise<Map<string, DriftItem>>>();

/** The items of `releases/<releaseId>.json`'s shards, by id; cached per release. */
export function releaseItems(releaseDir: string, releaseId: string): Promise<Map<string, DriftItem>> {
  const key = `${releaseDir}\u0000${releaseId}`;
  let items = cache.get(key);
  if (!items) {
    items = loadItems(releaseDir, releaseId);
    // A failed read is not kept: the next refresh tries again (the release may be mid-publish).
    items.catch(() => cache.delete(key));
    cache.set(key, items);
    while (cache.size > DRIFT_DEFAULTS.cachedReleases) cache.delete(cache.keys().next().value!);
  }
  return items;
}

async function loadItems(releaseDir: string, releaseId: string): Promise<Map<string, DriftItem>> {
  const file = join(releaseDir, 'releases', `${releaseId}.json`);
  let manifest;
  try {
    manifest = parseManifest(JSON.parse(await readFile(file, 'utf8')));
  } catch (cause) {
    throw new DriftBaselineError(file, `cannot read the release manifest: ${(cause as Error).message}`, { cause });
  }
  const vocab = categoryVocab(manifest.featureSpec);
  const items = new Map<string, DriftItem>();
  // The cluster shards partition the catalogue; the head only repeats some of their items.
  for (const ref of shardArtifacts(manifest).clusters) {
    const path = localPath(releaseDir, ref.url);
    // Artifacts on a CDN (absolute URLs) are not read from here; their items stay unknown.
    if (path === null) continue;
    const shard = decodeShard(new Uint8Array(await readFile(path)));
    for (let i = 0; i < shard.count; i++) {
      const r = shardItemRecord(shard, i, vocab);
      items.set(r.id, r.durationSeconds === undefined ? { categories: r.categories } : { categories: r.categories, durationSeconds: r.durationSeconds });
    }
  }
  return items;
}

function localPath(releaseDir: string, url: string): string | null {
  if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(url) || isAbsolute(url)) return null;
  const root = normalize(releaseDir);
  const path = normalize(join(root, url));
  return path.startsWith(root + sep) ? path : null;
}
