/**
 * The device's candidate mix, in the pipeline: the head shard's items in the order a feed takes
 * them (src/core/feed interleaveHead over the release's own head selection), then the user's
 * nearest items by retrieval score. The ranker trains on these rows and the evaluation ranks
 * them, so both see what a device ranks.
 */
import { FEED_COMPOSITION, headSlotsFor, interleaveHead } from '../../core/feed/index.ts';
import { topK } from '../../core/vectors/index.ts';
import type { ExampleBuilder } from '../features/index.ts';
import { headSize, selectHead } from '../release/index.ts';

export interface FeedCandidateList {
  /** Catalog indices: head items first, then retrieved ones. */
  items: number[];
  /** Retrieval score (user vector · item vector) of each, 0 without a user vector. */
  retrievalScores: Float32Array;
  sources: ('head' | 'retrieval')[];
}

export class FeedCandidates {
  readonly #builder: ExampleBuilder;
  readonly #vectors: Float32Array;
  /** Length of the item vectors. */
  readonly dim: number;
  /** Head items (catalog indices) in feed order. */
  readonly headOrder: Uint32Array;
  readonly #scores: Float32Array;

  constructor(builder: ExampleBuilder, itemVectors: Float32Array, dim: number) {
    this.#builder = builder;
    this.#vectors = itemVectors;
    this.dim = dim;
    const n = builder.catalog.length;
    const popularity = Float32Array.from(builder.catalog, (_, i) => builder.item(i).popularity);
    const created = builder.catalog.map((_, i) => builder.item(i).created);
    const head = selectHead(popularity, created, headSize(n));
    const order = interleaveHead(Array.from(head, (i) => popularity[i]!), Array.from(head, (i) => created[i]));
    this.headOrder = Uint32Array.from(order, (k) => head[k]!);
    this.#scores = new Float32Array(n);
  }

  /**
   * The candidates of one feed: `budget` in all, head first (all of it without a user vector),
   * never an item `excluded` (seen, hidden, or not yet published at that moment).
   */
  list(userVector: Float32Array | null, excluded: (i: number) => boolean, budget: number = FEED_COMPOSITION.candidates): FeedCandidateList {
    const items: number[] = [];
    const sources: ('head' | 'retrieval')[] = [];
    const headSlots = headSlotsFor(userVector !== null, budget);
    const taken = new Set<number>();
    for (const i of this.headOrder) {
      if (items.length >= headSlots) break;
      if (excluded(i)) continue;
      items.push(i);
      sources.push('head');
      taken.add(i);
    }
    const scores = this.#scores;
    if (userVector !== null) {
      this.scoreAll(userVector, scores);
      const need = budget - items.length;
      const top = topK(scores, need, { exclude: (i) => taken.has(i) || excluded(i) });
      for (const i of top.indices) {
        items.push(i);
        sources.push('retrieval');
      }
    }
    const retrievalScores = Float32Array.from(items, (i) => (userVector === null ? 0 : scores[i]!));
    return { items, retrievalScores, sources };
  }

  /** The item vector of catalog item i (a view). */
  vector(i: number): Float32Array {
    return this.#vectors.subarray(i * this.dim, (i + 1) * this.dim);
  }

  /** user vector · item vector of every catalog item, into `out`. */
  scoreAll(userVector: Float32Array, out: Float32Array = new Float32Array(this.#builder.catalog.length)): Float32Array {
    const d = this.dim;
    const v = this.#vectors;
    for (let i = 0; i < out.length; i++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += userVector[k]! * v[i * d + k]!;
      out[i] = s;
    }
    return out;
  }
}
