/**
 * The shards a worker holds: the head (always), the centroids (to pick clusters) and the cluster
 * shards near the user, fetched lazily through the release store (verified, cached). Items are
 * found by id across them, for tracking and re-embedding.
 */
import { HEAD_CLUSTER, type ReleaseManifest } from '../../src/core/release/index.ts';
import { decodeShard, itemVector, scoreShard, type Shard } from '../../src/core/shard/index.ts';
import { categoryVocab, interleaveHead, shardItemRecord, type ShardItemRecord } from '../../src/core/feed/index.ts';
import { topK } from '../../src/core/vectors/index.ts';
import type { LoadedRelease } from '../release/index.ts';

export interface ItemRef {
  shard: Shard;
  index: number;
}

export class Catalog {
  readonly head: Shard;
  readonly vocab: readonly string[];
  readonly #release: LoadedRelease;
  readonly #centroids: Shard | null;
  readonly #clusters = new Map<number, Promise<Shard>>();
  readonly #byId = new Map<string, ItemRef>();
  #headOrder: Uint32Array | null = null;
  readonly #perShard = new WeakMap<Shard, { records: (ShardItemRecord | undefined)[]; vectors: (Float32Array | undefined)[] }>();

  private constructor(release: LoadedRelease, head: Shard, centroids: Shard | null) {
    this.#release = release;
    this.head = head;
    this.#centroids = centroids;
    this.vocab = categoryVocab(release.manifest.featureSpec);
    this.#index(head);
  }

  static async open(release: LoadedRelease): Promise<Catalog> {
    const head = decodeShard(await release.shard(HEAD_CLUSTER));
    const ref = release.manifest.artifacts.find((a) => a.kind === 'centroids');
    const centroids = ref ? decodeShard(new Uint8Array(await release.artifact(ref.name))) : null;
    return new Catalog(release, head, centroids);
  }

  /**
   * Head items in the order the feed offers them beside retrieval: the most popular and the
   * newest, alternating (the head holds both kinds; a fixed share of each keeps fresh uploads,
   * which no history points at yet, in every feed). Computed once; shards are immutable.
   */
  headOrder(): Uint32Array {
    if (this.#headOrder) return this.#headOrder;
    const rec = Array.from({ length: this.head.count }, (_, i) => this.record({ shard: this.head, index: i }));
    return (this.#headOrder = interleaveHead(
      rec.map((r) => r.popularity ?? 0),
      rec.map((r) => r.created),
    ));
  }

  /** Bytes of all cluster shards together (the manifest's sizes; nothing is fetched). */
  clusterBytes(): number {
    return this.manifest.artifacts.reduce((sum, a) => sum + (a.kind === 'shard' && a.cluster !== HEAD_CLUSTER ? a.bytes : 0), 0);
  }

  /** Number of IVF clusters (centroids) of the release. */
  clusterCount(): number {
    return this.#centroids?.count ?? 0;
  }

  get manifest(): ReleaseManifest {
    return this.#release.manifest;
  }

  /**
   * The `n` clusters whose centroids score highest against the user vector, loaded. A cluster
   * that cannot be loaded (offline and never cached, a bad hash) is passed over for the next
   * nearest, up to `spare` of them: offline, the feed runs on the clusters it has rather than
   * failing; what failed is fetched again on the next feed.
   */
  async nearestClusters(user: Float32Array, n: number, spare = 8): Promise<Shard[]> {
    if (!this.#centroids || this.#centroids.count === 0 || n <= 0) return [];
    const order = topK(scoreShard(user, this.#centroids), Math.min(this.#centroids.count, n + spare)).indices;
    const ids = Array.from(order, (i) => Number(this.#centroids!.id(i)));
    const loaded: Shard[] = [];
    let next = 0;
    while (loaded.length < n && next < ids.length) {
      const batch = ids.slice(next, next + (n - loaded.length));
      next += batch.length;
      const results = await Promise.allSettled(batch.map((id) => this.cluster(id)));
      for (const r of results) if (r.status === 'fulfilled') loaded.push(r.value);
    }
    return loaded;
  }

  cluster(id: number): Promise<Shard> {
    let shard = this.#clusters.get(id);
    if (!shard) {
      shard = this.#release.shard(id).then((bytes) => {
        const s = decodeShard(bytes);
        this.#index(s);
        return s;
      });
      // A failed fetch (offline, bad hash) must not stick: the next feed tries again.
      shard.catch(() => this.#clusters.delete(id));
      this.#clusters.set(id, shard);
    }
    return shard;
  }

  find(id: string): ItemRef | undefined {
    return this.#byId.get(id);
  }

  /** The item's feature record; built once per item (shards are immutable), then reused. */
  record(ref: ItemRef): ShardItemRecord {
    const cache = this.#cache(ref.shard);
    return (cache.records[ref.index] ??= shardItemRecord(ref.shard, ref.index, this.vocab));
  }

  /** The item's dequantised vector, cached like the record. */
  vector(ref: ItemRef): Float32Array {
    const cache = this.#cache(ref.shard);
    return (cache.vectors[ref.index] ??= itemVector(ref.shard, ref.index));
  }

  #cache(shard: Shard): { records: (ShardItemRecord | undefined)[]; vectors: (Float32Array | undefined)[] } {
    let c = this.#perShard.get(shard);
    if (!c) this.#perShard.set(shard, (c = { records: [], vectors: [] }));
    return c;
  }

  #index(shard: Shard): void {
    for (let i = 0; i < shard.count; i++) {
      const id = String(shard.id(i));
      if (!this.#byId.has(id)) this.#byId.set(id, { shard, index: i });
    }
  }
}
