import type { Pool } from './pool.ts';

/**
 * Per-category item counts of the feed so far, against the cap `maxPerCategory`. An item with
 * several categories fits only while every one of them is under the cap; an item without
 * categories always fits (there is nothing to over-represent).
 */
export class CategoryCap {
  readonly #counts: Int32Array;
  readonly #pool: Pool;
  readonly #max: number;

  constructor(
    pool: Pool,
    max: number,
  ) {
    this.#pool = pool;
    this.#max = max;
    this.#counts = new Int32Array(pool.categoryNames.length);
  }

  fits(i: number): boolean {
    const own = this.#pool.categories[i]!;
    for (let k = 0; k < own.length; k++) if (this.#counts[own[k]!]! >= this.#max) return false;
    return true;
  }

  add(i: number): void {
    const own = this.#pool.categories[i]!;
    for (let k = 0; k < own.length; k++) this.#counts[own[k]!]!++;
  }
}
