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
  /**
   * Catalog indices whose vector has a non-zero component. The item-item factors give vectors to
   * the modelled items only (BUILD_DEFAULTS.itemItemMaxItems, 3,000 of a 50,000-item catalogue):
   * every other item scores exactly +0 against any finite user vector, so scoreAll skips them.
   */
  readonly #nonZero: Uint32Array;

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
    const nonZero: number[] = [];
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < dim; k++) {
        if (itemVectors[i * dim + k] !== 0) {
          nonZero.push(i);
          break;
        }
      }
    }
    this.#nonZero = Uint32Array.from(nonZero);
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
    let finite = true;
    for (let k = 0; k < d; k++) if (!Number.isFinite(userVector[k]!)) finite = false;
    if (!finite || out.length !== this.#builder.catalog.length) {
      // NaN or ±Infinity times a zero component is NaN: every item is summed, as written.
      for (let i = 0; i < out.length; i++) out[i] = dot(userVector, v, i * d, d);
      return out;
    }
    // A zero vector sums finite × ±0 terms onto +0: exactly +0, what the full loop gives it.
    out.fill(0);
    const rows = this.#nonZero;
    for (let r = 0; r < rows.length; r++) {
      const i = rows[r]!;
      out[i] = dot(userVector, v, i * d, d);
    }
    return out;
  }
}

/** u · v[at .. at + d), summed in index order in a double (as every score here always was). */
function dot(u: Float32Array, v: Float32Array, at: number, d: number): number {
  let s = 0;
  for (let k = 0; k < d; k++) s += u[k]! * v[at + k]!;
  return s;
}
