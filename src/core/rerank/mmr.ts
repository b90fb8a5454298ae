import { CandidateHeap } from './candidate-heap.ts';
import type { CategoryCap } from './category-cap.ts';
import type { NearDuplicates } from './near-duplicates.ts';
import { poolCosine } from './pool.ts';
import type { Pool } from './pool.ts';

/**
 * Step 4 of rerank(): greedy maximal marginal relevance (Carbonell & Goldstein, 1998) under the
 * category cap. Each step picks the item maximising
 *
 *   λ · rel(i) − (1 − λ) · max_{j picked} cos(i, j)       (the second term is 0 for the first pick)
 *
 * where rel(i) = boosted score / best boosted score in the pool (near-duplicates included: it
 * is only a scale, and this way it needs no deduplication of the whole pool). Normalising puts
 * relevance on the scale of cosine: raw scores (pClick × watch fraction, often ~0.05) would
 * otherwise be swamped by similarities near 1 and λ would mean nothing. Ties go to the better
 * rank.
 *
 * Items over the category cap are skipped while any item within it remains; when none does,
 * the cap gives way rather than leave the page short (a short feed is worse than a one-sided
 * one). Near-duplicates are resolved only for the item about to be picked.
 *
 * Lazy evaluation (Minoux's lazy greedy): from the first pick on, an item's MMR value can only
 * fall as picks are added, so a value computed a few picks ago is an upper bound. The items
 * wait in a heap by that bound; the top one is brought up to date (its cosines with the picks
 * made since) and picked if it is still on top. Past the one row of cosines with the first
 * pick, most items are never compared again, so a page costs far fewer than the count × n
 * cosines of the plain loop, with exactly its result. O(count × n × dim) at worst.
 */
export function selectMmr(pool: Pool, dups: NearDuplicates, cap: CategoryCap, lambda: number, want: number): number[] {
  const n = pool.size;
  let best = 0;
  for (let i = 0; i < n; i++) if (pool.boosted[i]! > best) best = pool.boosted[i]!;
  const relevance = new Float64Array(n);
  if (best > 0) for (let i = 0; i < n; i++) relevance[i] = (lambda * pool.boosted[i]!) / best;
  const diversity = 1 - lambda;

  // Per item: the highest cosine with the picks it has been compared with (picks[0..compared[i]])
  // and its MMR value from that, which is the heap's key.
  const maxCos = new Float64Array(n).fill(-1);
  const compared = new Int32Array(n);
  const value = relevance.slice();
  const taken = new Uint8Array(n);
  const overCap = new Uint8Array(n);
  const picked: number[] = [];
  const update = (i: number): void => {
    let m = maxCos[i]!;
    for (let p = compared[i]!; p < picked.length; p++) {
      const c = poolCosine(pool, i, picked[p]!);
      if (c > m) m = c;
    }
    maxCos[i] = m;
    compared[i] = picked.length;
    value[i] = relevance[i]! - diversity * m;
  };
  let heap = new CandidateHeap(value);
  for (let i = 0; i < n; i++) heap.push(i);
  let capped = true;

  while (picked.length < want) {
    if (heap.size === 0) {
      if (!capped) break;
      // Nothing within the cap is left: the cap gives way for the rest of the page.
      capped = false;
      for (let i = 0; i < n; i++) if (overCap[i] === 1 && !dups.isKnownDropped(i)) heap.push(i);
      if (heap.size === 0) break;
      continue;
    }
    const top = heap.pop();
    if (dups.isKnownDropped(top)) continue;
    // Counts only grow, so an item over the cap stays over it until the cap gives way.
    if (capped && !cap.fits(top)) {
      overCap[top] = 1;
      continue;
    }
    if (compared[top]! < picked.length) {
      update(top);
      heap.push(top);
      continue;
    }
    // Up to date and on top: the true maximum. A near-duplicate is dropped instead.
    if (!dups.isKept(top)) continue;
    taken[top] = 1;
    picked.push(top);
    cap.add(top);
    if (picked.length === 1) {
      // The first pick turns "no penalty" into −(1 − λ) · cos(i, first), and that cosine may be
      // negative: a value can rise this once. So every value is brought up to date now (one
      // row of cosines); from here on values only fall and a stale one is an upper bound.
      heap = new CandidateHeap(value);
      for (let i = 0; i < n; i++) {
        if (taken[i] === 1 || dups.isKnownDropped(i)) continue;
        update(i);
        if (overCap[i] === 0) heap.push(i);
      }
    }
  }
  return picked;
}
