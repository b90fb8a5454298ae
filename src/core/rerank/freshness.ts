export const DAY_MS = 86_400_000;

/**
 * Age in days at `now`, or undefined when the upload time is unknown. An upload "in the future"
 * (device clock behind the server's) counts as age 0, not as a negative age that would boost
 * it beyond a brand-new item.
 */
export function ageDays(created: number | undefined, now: number): number | undefined {
  if (created === undefined) return undefined;
  return Math.max(0, now - created) / DAY_MS;
}

/**
 * Freshness multiplier: 1 + boost × 2^(−ageDays / halfLifeDays). Multiplicative, so it moves
 * an item relative to its own score (a fresh bad item stays behind a good one) and decays
 * smoothly: 1 + boost at upload, 1 + boost/2 one half-life later, → 1. Unknown age: 1.
 */
export function freshnessMultiplier(
  created: number | undefined,
  now: number,
  halfLifeDays: number,
  boost: number,
): number {
  const age = ageDays(created, now);
  if (age === undefined || boost === 0) return 1;
  return 1 + boost * Math.pow(2, -age / halfLifeDays);
}
