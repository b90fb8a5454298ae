/**
 * The feature rows of one ranking call: every candidate with the same `user` scope object.
 * Sharing the object is what lets buildFeatureTensors encode the history once per feed, not
 * once per candidate.
 */
import type { FeatureRow } from '../../src/core/features/index.ts';
import type { ShardItemRecord } from '../../src/core/feed/index.ts';

export function rankerRows(
  user: Readonly<Record<string, unknown>>,
  items: readonly ShardItemRecord[],
  context?: Readonly<Record<string, unknown>>,
): FeatureRow[] {
  return items.map((item) => (context ? { user, item, context } : { user, item }));
}
