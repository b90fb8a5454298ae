import type { CategoryCap } from './category-cap.ts';
import type { NearDuplicates } from './near-duplicates.ts';
import type { Pool } from './pool.ts';

/**
 * 0-based feed positions of the exploration slots: slot i sits at floor((2i + 1) · count / 2k),
 * the middle of the i-th of k equal stretches of the page (5 and 15 for 2 of 20; 10 for 1 of
 * 20). Never position 0 unless every slot is exploration: the first item is the best bet.
 */
export function explorationPositions(count: number, slots: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < slots; i++) out.push(Math.floor(((2 * i + 1) * count) / (2 * slots)));
  return out;
}

/**
 * Step 5 of rerank(): up to `want` exploration items from the pool items not yet `taken`.
 * Preference, first non-empty tier wins: items with no category the user usually watches
 * (`novel`) within the category cap; any item within the cap; any item. Inside a tier the
 * seeded PRNG draws an item with probability proportional to its boosted score, so exploring
 * stays plausible (a weak item rarely wins) yet varies with the seed; uniform if all scores are
 * 0. A drawn near-duplicate is dropped and the draw repeated. O(want × n) plus the
 * near-duplicate checks of the drawn items (near-duplicates.ts).
 */
export function pickExploration(
  pool: Pool,
  dups: NearDuplicates,
  cap: CategoryCap,
  taken: Uint8Array,
  novel: (i: number) => boolean,
  rand: () => number,
  want: number,
): number[] {
  const picked: number[] = [];
  const tiers: ((i: number) => boolean)[] = [(i) => novel(i) && cap.fits(i), (i) => cap.fits(i), () => true];
  while (picked.length < want) {
    const pick = drawFromTiers(pool, dups, taken, tiers, rand);
    if (pick < 0) break;
    taken[pick] = 1;
    picked.push(pick);
    cap.add(pick);
  }
  return picked;
}

function drawFromTiers(
  pool: Pool,
  dups: NearDuplicates,
  taken: Uint8Array,
  tiers: readonly ((i: number) => boolean)[],
  rand: () => number,
): number {
  for (const inTier of tiers) {
    const members: number[] = [];
    for (let i = 0; i < pool.size; i++) if (taken[i] === 0 && !dups.isKnownDropped(i) && inTier(i)) members.push(i);
    while (members.length > 0) {
      const at = drawWeighted(members, pool.boosted, rand);
      const i = members[at]!;
      if (dups.isKept(i)) return i;
      members.splice(at, 1);
    }
  }
  return -1;
}

/** Index into `members`, drawn with probability proportional to its weight. */
function drawWeighted(members: readonly number[], weights: Float64Array, rand: () => number): number {
  let total = 0;
  for (const i of members) total += weights[i]!;
  const u = rand();
  if (!(total > 0)) return Math.min(members.length - 1, Math.floor(u * members.length));
  let left = u * total;
  for (let k = 0; k < members.length; k++) {
    left -= weights[members[k]!]!;
    if (left < 0) return k;
  }
  // Rounding left a sliver past the last weight: the last member with a weight takes it.
  for (let k = members.length - 1; k > 0; k--) if (weights[members[k]!]! > 0) return k;
  return 0;
}
