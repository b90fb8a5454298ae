export interface MeanOver {
  /** Mean of the defined (non-NaN) values; NaN when there are none. */
  mean: number;
  /** Values that took part. */
  counted: number;
  /** NaN values left out: users for whom the metric is undefined (e.g. nothing relevant). */
  skipped: number;
}

/**
 * Averages a per-user metric over users, skipping NaN (the per-user metrics return NaN where
 * they are undefined). The skipped count is returned, not dropped, so a report can say
 * "over 9,120 users (880 without test items)" instead of hiding the denominator.
 */
export function meanOver(values: Iterable<number>): MeanOver {
  let sum = 0;
  let counted = 0;
  let skipped = 0;
  for (const v of values) {
    if (Number.isNaN(v)) skipped++;
    else {
      sum += v;
      counted++;
    }
  }
  return { mean: counted === 0 ? NaN : sum / counted, counted, skipped };
}
