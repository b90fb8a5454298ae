import { poolCosine } from './pool.ts';
import type { Pool } from './pool.ts';

// Typed as number, not literals, so TypeScript does not narrow state[i] across the loop below.
const UNKNOWN: number = 0;
const KEPT: number = 1;
const DROPPED: number = 2;

/**
 * Step 2 of rerank(): near-duplicate removal, decided lazily.
 *
 * The rule is the eager one: walk the pool best score first and keep an item unless its cosine
 * with an item already kept exceeds the threshold. Written eagerly that costs every pair,
 * n²/2 × dim (8M multiply-adds for 500 × 64, several ms): more than the whole re-ranker may
 * spend. But whether item i is kept depends only on its better-ranked near neighbours, and the
 * feed asks about few items, the ones MMR and exploration are about to pick, mostly from the
 * top of the ranking. So an item is resolved on demand: one pass over the items above it, then
 * the same for those of them that are near it and still undecided. The result equals the eager
 * walk (test/unit/core/rerank-properties.test.ts compares them). The cost is O(rank × dim) per item
 * asked about, plus O(n × dim) per kept item that turned out to have copies; at worst, a pool
 * that is mostly copies, it approaches the eager n²/2 × dim.
 */
export class NearDuplicates {
  readonly #state: Uint8Array;
  /** Kept items whose copies below have all been dropped (dropCopiesOf). */
  readonly #swept: Uint8Array;
  /** Per item resolved so far: its near neighbours above it, best first. */
  readonly #nearAbove = new Map<number, number[]>();
  readonly #pool: Pool;
  readonly #threshold: number;

  constructor(
    pool: Pool,
    threshold: number,
  ) {
    this.#pool = pool;
    this.#threshold = threshold;
    this.#state = new Uint8Array(pool.size);
    this.#swept = new Uint8Array(pool.size);
  }

  /** Known to be a near-duplicate of a kept item; cheap, resolves nothing. */
  isKnownDropped(i: number): boolean {
    return this.#state[i] === DROPPED;
  }

  /** Whether item i survives deduplication, resolving what it depends on first. */
  isKept(i: number): boolean {
    const state = this.#state;
    if (state[i] !== UNKNOWN) return state[i] === KEPT;
    // An explicit stack, not recursion: a chain of near neighbours can be as long as the pool.
    // Every push goes to a strictly better rank, so this ends.
    const stack = [i];
    while (stack.length > 0) {
      const x = stack[stack.length - 1]!;
      // Decided meanwhile: a keeper found above it swept its copies (dropCopiesOf).
      if (state[x] !== UNKNOWN) {
        stack.pop();
        continue;
      }
      let pending = -1;
      let keeper = -1;
      // Best first, as the eager walk meets them: the first kept one decides; an undecided one
      // must be decided before anything after it can matter.
      for (const j of this.#above(x)) {
        if (state[j] === KEPT) {
          keeper = j;
          break;
        }
        if (state[j] === UNKNOWN) {
          pending = j;
          break;
        }
      }
      if (pending >= 0) {
        stack.push(pending);
        continue;
      }
      if (keeper >= 0) {
        state[x] = DROPPED;
        this.#dropCopiesOf(keeper);
      } else {
        state[x] = KEPT;
      }
      stack.pop();
    }
    return state[i] === KEPT;
  }

  /**
   * Where there is one copy there are often more (a re-upload series, a cluster of trailers):
   * once kept item j has been seen to drop one, one pass over the items below it drops all its
   * copies at once, instead of a scan of everything above each copy when it comes up.
   */
  #dropCopiesOf(j: number): void {
    if (this.#swept[j] === 1) return;
    this.#swept[j] = 1;
    for (let k = j + 1; k < this.#pool.size; k++) {
      if (this.#state[k] === UNKNOWN && poolCosine(this.#pool, j, k) > this.#threshold) this.#state[k] = DROPPED;
    }
  }

  #above(i: number): number[] {
    let near = this.#nearAbove.get(i);
    if (near === undefined) {
      near = [];
      // An item already known dropped can make nothing else a duplicate: skip its cosine.
      for (let j = 0; j < i; j++) {
        if (this.#state[j] !== DROPPED && poolCosine(this.#pool, i, j) > this.#threshold) near.push(j);
      }
      this.#nearAbove.set(i, near);
    }
    return near;
  }
}
