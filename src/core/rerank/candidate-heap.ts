/**
 * A binary max-heap of pool indices keyed by a caller-owned array of values: the largest value
 * on top, the lower index first among equal values (so the heap breaks ties as a linear scan
 * for the first maximum would). Keys may only be changed while an index is out of the heap.
 */
export class CandidateHeap {
  readonly #items: number[] = [];
  readonly #keys: Float64Array;

  constructor(keys: Float64Array) {
    this.#keys = keys;
  }

  get size(): number {
    return this.#items.length;
  }

  peek(): number {
    return this.#items[0]!;
  }

  push(i: number): void {
    const items = this.#items;
    let at = items.length;
    items.push(i);
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if (!this.#above(i, items[parent]!)) break;
      items[at] = items[parent]!;
      at = parent;
    }
    items[at] = i;
  }

  pop(): number {
    const items = this.#items;
    const top = items[0]!;
    const last = items.pop()!;
    const n = items.length;
    if (n > 0) {
      let at = 0;
      for (;;) {
        const left = 2 * at + 1;
        if (left >= n) break;
        const right = left + 1;
        const child = right < n && this.#above(items[right]!, items[left]!) ? right : left;
        if (!this.#above(items[child]!, last)) break;
        items[at] = items[child]!;
        at = child;
      }
      items[at] = last;
    }
    return top;
  }

  /** Whether a belongs above b. */
  #above(a: number, b: number): boolean {
    const ka = this.#keys[a]!;
    const kb = this.#keys[b]!;
    return ka > kb || (ka === kb && a < b);
  }
}
