import { ValidationError } from '../errors.ts';

export interface TopKOptions {
  /**
   * Indices to leave out (already seen, blocked). Called lazily, only for an index whose score
   * would enter the current top k, so it must be pure; that keeps a costly predicate (a Set
   * lookup) off the common path where a score loses to the heap's minimum anyway.
   */
  exclude?: (index: number) => boolean;
}

export interface TopKResult {
  /** Indices into `scores`, best first. */
  indices: Uint32Array;
  /** Their scores, rounded to float32. */
  scores: Float32Array;
}

/**
 * The k best scores, sorted by score descending, ties broken by the lower index, so the result
 * is deterministic whatever the backend. O(n log k) time and O(k) memory: one pass keeps a
 * binary min-heap of the k best so far, whose root is the worst of them; most scores lose to
 * the root in one comparison. No full sort of n.
 *
 * - k > n (after exclusions and NaN) returns what there is; k <= 0 returns empty.
 * - NaN scores are never selected (NaN is unordered: it would make the heap inconsistent).
 *   -Infinity is an ordinary, lowest score and can be selected.
 * - Scores are compared at full precision; the returned scores are float32, so two distinct
 *   float64 inputs may print equal.
 */
export function topK(scores: ArrayLike<number>, k: number, opts?: TopKOptions): TopKResult {
  if (Number.isNaN(k) || (!Number.isInteger(k) && k !== Infinity && k !== -Infinity)) {
    throw new ValidationError('k', `must be an integer, got ${k}`);
  }
  const n = scores.length;
  const cap = k <= 0 ? 0 : Math.min(k, n);
  if (cap === 0) return { indices: new Uint32Array(0), scores: new Float32Array(0) };
  const exclude = opts?.exclude;

  // Heap of (score, index) pairs in two parallel typed arrays: no objects per candidate.
  // Order: a is "worse" than b when a.score < b.score, or equal scores and a.index > b.index.
  const hs = new Float64Array(cap);
  const hi = new Uint32Array(cap);
  let size = 0;

  for (let i = 0; i < n; i++) {
    const s = scores[i]!;
    if (s !== s) continue; // NaN
    if (size === cap) {
      // Indices arrive in increasing order, so a tie with the root never beats it (the root
      // has the lower index): strictly greater is the whole test.
      if (!(s > hs[0]!)) continue;
      if (exclude !== undefined && exclude(i)) continue;
      siftDown(hs, hi, size, 0, s, i);
    } else {
      if (exclude !== undefined && exclude(i)) continue;
      // Sift up the new element from the end.
      let pos = size++;
      while (pos > 0) {
        const parent = (pos - 1) >> 1;
        const ps = hs[parent]!;
        // The new index is larger than every index in the heap, so on a tie it is the worse one.
        if (!(s <= ps)) break;
        hs[pos] = ps;
        hi[pos] = hi[parent]!;
        pos = parent;
      }
      hs[pos] = s;
      hi[pos] = i;
    }
  }

  // Pop the worst repeatedly into the back of the result: best ends up first. O(k log k).
  const outIdx = new Uint32Array(size);
  const outScore = new Float32Array(size);
  for (let end = size - 1; end >= 0; end--) {
    outIdx[end] = hi[0]!;
    outScore[end] = hs[0]!;
    if (end > 0) siftDown(hs, hi, end, 0, hs[end]!, hi[end]!);
  }
  return { indices: outIdx, scores: outScore };
}

/** Places (s, idx) at `pos` of a heap of `size` and sifts it down to where it belongs. */
function siftDown(hs: Float64Array, hi: Uint32Array, size: number, pos: number, s: number, idx: number): void {
  for (;;) {
    let child = 2 * pos + 1;
    if (child >= size) break;
    let cs = hs[child]!;
    let ci = hi[child]!;
    const right = child + 1;
    if (right < size) {
      const rs = hs[right]!;
      const ri = hi[right]!;
      // Pick the worse child: lower score, or the higher index on a tie.
      if (rs < cs || (rs === cs && ri > ci)) {
        child = right;
        cs = rs;
        ci = ri;
      }
    }
    // Worse than the worse child: the heap property holds here.
    if (s < cs || (s === cs && idx > ci)) break;
    hs[pos] = cs;
    hi[pos] = ci;
    pos = child;
  }
  hs[pos] = s;
  hi[pos] = idx;
}
