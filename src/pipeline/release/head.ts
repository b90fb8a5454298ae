/**
 * The head shard: what every device loads first, before it has a user vector or picks clusters.
 * It holds the most popular items (the cold-start feed and the safe fallback) and the newest ones
 * (fresh uploads have no popularity yet and no history pointing at them, so retrieval alone would
 * rarely surface them). Every head item is also in its cluster shard; the head is a cache of the
 * catalogue, not a partition of it.
 */
import { RELEASE_DEFAULTS } from './defaults.ts';

/** headShare of n, at most headMaxItems, at least 1. */
export function headSize(n: number, o: Partial<typeof RELEASE_DEFAULTS> = {}): number {
  const share = o.headShare ?? RELEASE_DEFAULTS.headShare;
  const max = o.headMaxItems ?? RELEASE_DEFAULTS.headMaxItems;
  return Math.max(1, Math.min(n, max, Math.round(n * share)));
}

/**
 * Item indices of the head, in order: the round(size × popularShare) most popular, then the
 * newest not already in, then (when too few items have a known creation time) the next most
 * popular. Ties go to the lower index, so the head is deterministic.
 */
export function selectHead(
  popularity: Float32Array,
  created: ArrayLike<number | undefined>,
  size: number,
  popularShare: number = RELEASE_DEFAULTS.headPopularShare,
): Uint32Array {
  const n = popularity.length;
  const target = Math.min(n, size);
  const byPopularity = indices(n).sort((a, b) => popularity[b]! - popularity[a]! || a - b);
  const known = indices(n).filter((i) => isTime(created[i]));
  const byFreshness = known.sort((a, b) => (created[b] as number) - (created[a] as number) || a - b);

  const chosen = new Set<number>();
  const popular = Math.min(target, Math.round(target * popularShare));
  for (let r = 0; chosen.size < popular; r++) chosen.add(byPopularity[r]!);
  for (let r = 0; r < byFreshness.length && chosen.size < target; r++) chosen.add(byFreshness[r]!);
  for (let r = 0; chosen.size < target; r++) chosen.add(byPopularity[r]!);
  return Uint32Array.from(chosen);
}

function indices(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

function isTime(t: number | undefined): t is number {
  return typeof t === 'number' && Number.isFinite(t);
}
