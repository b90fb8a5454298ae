/**
 * The one interface every retrieval backend implements. A retriever owns one set of loaded
 * shards (the head plus the user's nearest clusters) in whatever form its backend wants (a
 * WASM memory, a GPU tensor), built once; search() is then one query against all of them.
 */
import type { RetrievalBackend } from '../../src/core/feed/index.ts';

/**
 * Decides, per candidate, whether to leave it out (seen, blocked). Called lazily, only for a
 * candidate that would enter the top k, so it must be pure and should be cheap.
 */
export type ExcludeFn = (shardIndex: number, itemIndex: number) => boolean;

/** The top k, best first: parallel arrays, transferable across the worker boundary. */
export interface SearchResult {
  /** Index of the item's shard in the array given to createRetriever. */
  shard: Uint16Array;
  /** Index of the item inside its shard. */
  item: Uint32Array;
  /** query · item, as scoreShard defines it (residual centroid included). */
  score: Float32Array;
}

export interface Retriever {
  readonly backend: RetrievalBackend;
  /** Items searched: all items of all shards, duplicates included. */
  readonly count: number;
  readonly dim: number;
  /**
   * The k best items by score, descending; ties go to the lower (shard, item) position, as
   * src/core topK breaks them. An item id present in several shards appears once, as its first
   * occurrence in shard order; `exclude` is asked about that occurrence.
   */
  search(query: Float32Array, k: number, exclude?: ExcludeFn): Promise<SearchResult>;
  /** Frees what the backend holds (GPU memory, WASM memory); search() afterwards throws RetrievalError. */
  dispose(): void;
}
