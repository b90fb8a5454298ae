import type { Dataset, Feedback, Interaction, Item, User } from './types.ts';

export interface DatasetParts {
  name: string;
  interactions: Interaction[];
  items?: Map<string, Item>;
  users?: Map<string, User>;
  feedback: Feedback;
  /** The vocabulary in a meaningful order; when absent, the items' categories, sorted. */
  categories?: string[];
  warnings?: string[];
}

/** Placeholder for an item known only by id: its title is the id, nothing else is known. */
export function minimalItem(id: string): Item {
  return { id, title: id, categories: [] };
}

/**
 * Puts a dataset into the shape every consumer relies on: interactions sorted by time (stable,
 * so ties keep input order), and an entry in `users` and `items` for every id an interaction
 * names. Returns how many item entries had to be made up, so the loader can warn when it had a
 * catalogue that should have held them.
 */
export function assembleDataset(parts: DatasetParts): { dataset: Dataset; madeUpItems: string[] } {
  const interactions = isSortedByTime(parts.interactions)
    ? parts.interactions
    : parts.interactions.slice().sort((a, b) => a.at - b.at);
  const items = parts.items ?? new Map<string, Item>();
  const users = parts.users ?? new Map<string, User>();
  const madeUpItems: string[] = [];
  for (const x of interactions) {
    if (!users.has(x.user)) users.set(x.user, { id: x.user, features: {} });
    if (!items.has(x.item)) {
      items.set(x.item, minimalItem(x.item));
      madeUpItems.push(x.item);
    }
  }
  const categories = parts.categories ?? categoriesOf(items);
  const dataset: Dataset = {
    name: parts.name,
    interactions,
    items,
    users,
    feedback: parts.feedback,
    categories,
    warnings: parts.warnings ?? [],
  };
  return { dataset, madeUpItems };
}

export function isSortedByTime(xs: readonly Interaction[]): boolean {
  for (let i = 1; i < xs.length; i++) if (xs[i]!.at < xs[i - 1]!.at) return false;
  return true;
}

function categoriesOf(items: Map<string, Item>): string[] {
  const seen = new Set<string>();
  for (const item of items.values()) for (const c of item.categories) seen.add(c);
  return [...seen].sort();
}

/** "3 ids (e.g. a, b, c)" for warnings: a count and a few examples, never the whole list. */
export function describeIds(ids: readonly string[], examples = 3): string {
  const shown = ids.slice(0, examples).map((id) => JSON.stringify(id)).join(', ');
  return ids.length > examples ? `${shown}, …` : shown;
}
