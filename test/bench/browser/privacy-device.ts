/**
 * The device side of the privacy bench (test/bench/privacy.ts), typed with the DOM like the
 * worker code it drives: the release store with an in-memory Cache Storage per simulated device,
 * Catalog, the history's item snapshots, the user tower on the worker's plain-JS runtime, and
 * the cluster choice. Loaded by path from Node (tsx), so the Node project never type-checks it.
 */
import { buildFeatureTensors, tensorLayout, type HistoryEntry } from '../../../src/core/features/index.ts';
import type { EventType } from '../../../src/core/events.ts';
import { Catalog } from '../../../workers/feed/catalog.ts';
import { clusterProbe } from '../../../workers/feed/cluster-probe.ts';
import { FEED_DEFAULTS } from '../../../workers/feed/defaults.ts';
import { makeSnapshot, unknownSnapshot } from '../../../workers/history/snapshot.ts';
import { bindTensors } from '../../../workers/ranking/model-inputs.ts';
import { createJsSession } from '../../../workers/ranking/js/index.ts';
import { createReleaseStore } from '../../../workers/release/index.ts';

export const ORIGIN = 'http://release.bench.invalid';
/** A gap this long between ratings starts a new session (a new page load: the release is loaded again). */
const SESSION_GAP_MS = 30 * 60_000;

/** One thing a user did with an item (a MovieLens rating, a synthetic impression), as the events the feed records. */
export interface Act {
  item: string;
  at: number;
  events: { type: EventType; at: number; watchFraction?: number }[];
}

/** Cache Storage in memory, as much of it as release-cache.ts uses; one per simulated device. */
function memoryCaches(): CacheStorage {
  const stores = new Map<string, Map<string, { request: Request; body: ArrayBuffer; type: string }>>();
  const cache = (name: string) => {
    let entries = stores.get(name);
    if (!entries) stores.set(name, (entries = new Map()));
    const map = entries;
    return {
      async match(key: RequestInfo) {
        const e = map.get(typeof key === 'string' ? key : key.url);
        return e ? new Response(e.body.slice(0), { headers: { 'content-type': e.type } }) : undefined;
      },
      async put(key: RequestInfo, res: Response) {
        const request = typeof key === 'string' ? new Request(key) : key;
        map.set(request.url, { request, body: await res.arrayBuffer(), type: res.headers.get('content-type') ?? '' });
      },
      async keys() {
        return [...map.values()].map((e) => e.request);
      },
      async delete(key: RequestInfo) {
        return map.delete(typeof key === 'string' ? key : key.url);
      },
    } as unknown as Cache;
  };
  return {
    open: async (name: string) => cache(name),
    keys: async () => [...stores.keys()],
    delete: async (name: string) => stores.delete(name),
    has: async (name: string) => stores.has(name),
    match: async () => undefined,
  } as unknown as CacheStorage;
}

export type FetchPolicy = 'today' | 'nearest' | 'bundles' | 'whole';

interface Device {
  /** Per session, the shard artifacts fetched (new ones only: the rest come from Cache Storage). */
  fetches: string[][];
  /** Per session, the user vector the cluster choice used. */
  vectors: Float32Array[];
}

/** Which shards each session fetches under a cluster policy, through the real release store and Catalog. */
export async function simulateFetches(ratings: readonly Act[], policy: FetchPolicy, files: Map<string, Uint8Array>, tower: Tower): Promise<Device> {
  const device: Device = { fetches: [], vectors: [] };
  const caches = memoryCaches();
  (globalThis as { caches?: CacheStorage }).caches = caches;
  let log: string[] = [];
  const fetch = async (url: string) => {
    const name = url.slice(ORIGIN.length + 1).replace(/\?.*$/, '');
    const bytes = files.get(name);
    if (!bytes) return new Response('not found', { status: 404 });
    if (name !== 'manifest.json') log.push(name);
    return new Response(bytes.slice());
  };
  const history: HistoryEntry[] = [];
  let i = 0;
  while (i < ratings.length) {
    // One session: the page loads the feed with the history so far, then the user rates on.
    let j = i + 1;
    while (j < ratings.length && ratings[j]!.at - ratings[j - 1]!.at < SESSION_GAP_MS) j++;
    log = [];
    const release = await createReleaseStore({ manifestUrl: `${ORIGIN}/manifest.json`, allowUnsigned: true, fetch }).load();
    const catalog = await Catalog.open(release);
    const now = ratings[i]!.at;
    const vector = tower(catalog, history.slice(-FEED_DEFAULTS.historyEvents), now);
    device.vectors.push(vector);
    const all = catalog.clusterCount();
    if (policy === 'whole') await catalog.nearestClusters(vector, all);
    else if (policy === 'today') await catalog.nearestClusters(vector, clusterProbe(catalog));
    else if (policy === 'nearest') await catalog.nearestClusters(vector, FEED_DEFAULTS.clusters);
    else {
      // Fixed bundles of FEED_DEFAULTS.clusters clusters (by id): a device fetches whole bundles.
      const size = FEED_DEFAULTS.clusters;
      const near = await catalog.nearestClusters(vector, size);
      const bundles = new Set(near.map((s) => Math.floor(Number(s.cluster) / size)));
      await Promise.all([...bundles].flatMap((b) => Array.from({ length: Math.min(size, all - b * size) }, (_, k) => catalog.cluster(b * size + k))));
    }
    if (log.length > 0) device.fetches.push([...new Set(log)].sort());
    for (const r of ratings.slice(i, j)) {
      const ref = catalog.find(r.item);
      const item = ref ? makeSnapshot(r.item, { record: catalog.record(ref), embedding: catalog.vector(ref) }, release.manifest.releaseId) : unknownSnapshot(r.item);
      for (const e of r.events) history.push({ item, type: e.type, at: e.at, ...(e.watchFraction === undefined ? {} : { watchFraction: e.watchFraction }) });
    }
    i = j;
  }
  return device;
}

export type Tower = (catalog: Catalog, history: HistoryEntry[], now: number) => Float32Array;

/** The user tower on the worker's plain-JS runtime, fed as the worker feeds it. */
export function userTower(files: Map<string, Uint8Array>, manifest: Catalog['manifest']): Tower {
  const ref = manifest.models.userTower!;
  const session = createJsSession(files.get(manifest.artifacts.find((a) => a.name === ref.artifact)!.url.replace(/^.*\//, ''))!);
  const layout = tensorLayout(manifest.featureSpec);
  const only = [...new Set(ref.inputs.map((b) => layout.find((t) => t.tensor === b.tensor)!.feature))];
  return (catalog, history, now) => {
    const tensors = buildFeatureTensors(catalog.manifest.featureSpec, [{ user: { history } }], { now, only });
    const { bound } = bindTensors(ref, null, tensors);
    const out = session.run(Object.fromEntries(bound.map(([name, t]) => [name, { dims: [...t.dims], data: t.data }])));
    return out[ref.outputs.userVector!]!.data as Float32Array;
  };
}


/** The release as a device sees it: cluster count and bytes, each item's release popularity and vector. */
export async function releaseFacts(
  files: Map<string, Uint8Array>,
): Promise<{ clusters: number; clusterBytes: number; popularity: Map<string, number>; vectors: Map<string, Float32Array>; tower: Tower }> {
  (globalThis as { caches?: CacheStorage }).caches = memoryCaches();
  const fetch = async (url: string) => {
    const bytes = files.get(url.slice(ORIGIN.length + 1).replace(/\?.*$/, ''));
    return bytes ? new Response(bytes.slice()) : new Response('not found', { status: 404 });
  };
  const release = await createReleaseStore({ manifestUrl: `${ORIGIN}/manifest.json`, allowUnsigned: true, fetch }).load();
  const catalog = await Catalog.open(release);
  const shards = [catalog.head, ...(await Promise.all(Array.from({ length: catalog.clusterCount() }, (_, c) => catalog.cluster(c))))];
  const popularity = new Map<string, number>();
  const vectors = new Map<string, Float32Array>();
  for (const shard of shards) for (let i = 0; i < shard.count; i++) {
    const id = String(shard.id(i));
    const ref = catalog.find(id)!;
    popularity.set(id, catalog.record(ref).popularity ?? 0);
    vectors.set(id, catalog.vector(ref));
  }
  return { clusters: catalog.clusterCount(), clusterBytes: catalog.clusterBytes(), popularity, vectors, tower: userTower(files, catalog.manifest) };
}
