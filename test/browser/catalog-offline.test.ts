// Offline, the user's nearest clusters may never have been downloaded: the catalog passes over
// the ones it cannot load for the next nearest it can, and the feed runs on what it has.
import { describe, expect, inject, it } from 'vitest';
import { createReleaseStore } from '../../workers/release/index.ts';
import { Catalog } from '../../workers/feed/catalog.ts';
import { decodeShard, scoreShard } from '../../src/core/shard/index.ts';
import { topK } from '../../src/core/vectors/index.ts';

const manifestUrl = new URL(inject('clusterRelease'), location.href).href;

async function openCatalog(unavailable: (cluster: number) => boolean) {
  const release = await createReleaseStore({ manifestUrl, releaseKey: inject('releaseKey'), cacheName: `catalog-${crypto.randomUUID()}` }).load();
  const failing = {
    manifest: release.manifest,
    signed: release.signed,
    source: release.source,
    problem: release.problem,
    artifact: (name: string) => release.artifact(name),
    shard: (cluster: number) =>
      unavailable(cluster) ? Promise.reject(new TypeError(`cluster ${cluster}: offline, never cached`)) : release.shard(cluster),
  };
  return { catalog: await Catalog.open(failing), release };
}

describe('Catalog.nearestClusters', () => {
  it('passes over clusters it cannot load for the next nearest ones', async () => {
    const { catalog, release } = await openCatalog(() => false);
    const centroids = decodeShard(new Uint8Array(await release.artifact(release.manifest.artifacts.find((a) => a.kind === 'centroids')!.name)));
    expect(centroids.count).toBeGreaterThan(4);
    const user = new Float32Array(release.manifest.embeddingDim).fill(0);
    user[0] = 1;
    user[3] = -0.5;
    const order = Array.from(topK(scoreShard(user, centroids), centroids.count).indices, (i) => Number(centroids.id(i)));
    const all = await catalog.nearestClusters(user, 2);
    expect(all.map((s) => s.cluster)).toEqual(order.slice(0, 2));

    // The two nearest are unavailable: the next two nearest are used instead.
    const blocked = new Set(order.slice(0, 2));
    const offline = (await openCatalog((c) => blocked.has(c))).catalog;
    const fallback = await offline.nearestClusters(user, 2);
    expect(fallback.map((s) => s.cluster)).toEqual(order.slice(2, 4));

    // Nothing loadable: no clusters, no error (the feed runs on the head).
    const none = (await openCatalog((c) => c >= 0)).catalog;
    expect(await none.nearestClusters(user, 2)).toEqual([]);
  });
});
