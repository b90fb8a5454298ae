/**
 * The reference backend: src/core scoreShard over every shard into one score buffer, then
 * selectTopK. Plain JS runs everywhere, and every other backend is tested against it.
 */
import { scoreShard } from '../../../src/core/shard/index.ts';
import type { Shard } from '../../../src/core/shard/index.ts';
import { RetrievalError } from '../errors.ts';
import { checkSearchArgs, createShardSet } from '../shard-set.ts';
import { selectTopK } from '../select-top-k.ts';
import type { ExcludeFn, Retriever, SearchResult } from '../types.ts';

export async function createJsRetriever(shards: readonly Shard[]): Promise<Retriever> {
  const set = createShardSet(shards);
  // One buffer for all shards, reused by every search: scoring allocates nothing.
  let scores: Float32Array | null = new Float32Array(set.count);
  const retriever: Retriever = {
    backend: 'js',
    count: set.count,
    dim: set.dim,
    async search(query: Float32Array, k: number, exclude?: ExcludeFn): Promise<SearchResult> {
      if (scores === null) throw new RetrievalError('search() on a disposed js retriever');
      checkSearchArgs(set, query, k);
      set.shards.forEach((shard, s) => {
        scoreShard(query, shard, scores!.subarray(set.offsets[s]!, set.offsets[s + 1]!));
      });
      return selectTopK(set, scores, k, exclude);
    },
    dispose() {
      scores = null;
    },
  };
  return Object.freeze(retriever);
}
