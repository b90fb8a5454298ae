import { RELEASE_DEFAULTS } from './defaults.ts';
import { ReleaseInputError } from './errors.ts';

/**
 * The default number of IVF clusters for n items: round(sqrt(n / 2)), clamped so the average
 * cluster holds between minClusterItems and maxClusterItems, and never below 1 or above n. See
 * RELEASE_DEFAULTS for the sizes this gives.
 */
export function chooseClusterCount(n: number, o: Partial<typeof RELEASE_DEFAULTS> = {}): number {
  if (!Number.isInteger(n) || n < 1) throw new ReleaseInputError('items', `need at least one item, got ${String(n)}`);
  const divisor = o.clusterCountDivisor ?? RELEASE_DEFAULTS.clusterCountDivisor;
  const minItems = o.minClusterItems ?? RELEASE_DEFAULTS.minClusterItems;
  const maxItems = o.maxClusterItems ?? RELEASE_DEFAULTS.maxClusterItems;
  const k = Math.round(Math.sqrt(n / divisor));
  const atMost = Math.max(1, Math.floor(n / minItems));
  const atLeast = Math.ceil(n / maxItems);
  return Math.max(1, Math.min(n, Math.max(atLeast, Math.min(atMost, k))));
}
