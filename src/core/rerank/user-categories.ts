import type { ResolvedRerankOptions } from './options.ts';

/**
 * The user's history share of `category` when it is one they usually watch (share > 0 and at
 * least usualCategoryShare), else 0. Exploration (new ground = no usual category) and the
 * "Because you watch X" reason use this one definition, so an exploration pick can never be
 * explained by a category the user usually watches.
 */
export function usualShare(o: ResolvedRerankOptions, category: string): number {
  const share = o.userCategories.get(category);
  return share !== undefined && share > 0 && share >= o.usualCategoryShare ? share : 0;
}
