import { ageDays } from './freshness.ts';
import type { ResolvedRerankOptions } from './options.ts';
import type { Pool } from './pool.ts';
import { usualShare } from './user-categories.ts';

/** The fixed reason texts; a category reason is built by becauseYouWatch(). */
export const REASONS = Object.freeze({
  exploration: 'Something different',
  popular: 'Popular now',
  fresh: 'New',
  fallback: 'Recommended for you',
  /** The fallback for a user without history (newUser). */
  everyone: 'Popular with everyone',
});

export function becauseYouWatch(category: string): string {
  return `Because you watch ${category}`;
}

/**
 * Step 6 of rerank(): the reason shown under an item. The first that holds, in this order:
 *
 * 1. an exploration pick: "Something different" (it was chosen for being unlike the history,
 *    so any other reason would mislead);
 * 2. it shares a category the user usually watches: "Because you watch X", X the one with the
 *    largest history share (the first listed on a tie);
 * 3. a head-shard item at or above the popularity quantile of the pool (and above 0):
 *    "Popular now";
 * 4. uploaded within newWithinDays: "New";
 * 5. "Recommended for you" ("Popular with everyone" for a new user, whose feed is nobody's in
 *    particular).
 */
export class Reasons {
  readonly #popularFrom: number;
  readonly #pool: Pool;
  readonly #o: ResolvedRerankOptions;

  constructor(
    pool: Pool,
    o: ResolvedRerankOptions,
  ) {
    this.#pool = pool;
    this.#o = o;
    const popularity = new Float64Array(pool.size);
    for (let i = 0; i < pool.size; i++) popularity[i] = pool.items[i]!.popularity;
    this.#popularFrom = quantile(popularity, o.popularQuantile);
  }

  of(i: number, explored: boolean): string {
    if (explored) return REASONS.exploration;
    const c = this.#pool.items[i]!;
    let top: string | undefined;
    let topShare = 0;
    for (const category of c.categories) {
      const share = usualShare(this.#o, category);
      if (share > topShare) {
        top = category;
        topShare = share;
      }
    }
    if (top !== undefined) return becauseYouWatch(top);
    if (c.source === 'head' && c.popularity > 0 && c.popularity >= this.#popularFrom) return REASONS.popular;
    const age = ageDays(c.created, this.#o.now);
    if (age !== undefined && age <= this.#o.newWithinDays) return REASONS.fresh;
    return this.#o.newUser ? REASONS.everyone : REASONS.fallback;
  }
}

/** Nearest-rank quantile: the ceil(q · n)-th smallest value (the smallest for q = 0). */
function quantile(values: Float64Array, q: number): number {
  if (values.length === 0) return Infinity;
  // A typed array sorts numerically, in place, without a comparator call per step.
  values.sort();
  return values[Math.max(0, Math.ceil(q * values.length) - 1)]!;
}
