import { ValidationError } from '../errors.ts';
import { cosine } from '../vectors/index.ts';
import type { Id } from './retrieval.ts';

/**
 * Catalog coverage: distinct items recommended across all `lists` / `catalogSize`. Shows
 * whether the system reaches the long tail or shows everyone the same head. Throws when more
 * distinct items were recommended than the catalog holds (ids from another catalog).
 */
export function catalogCoverage<T extends Id>(lists: readonly (readonly T[])[], catalogSize: number): number {
  if (!Number.isInteger(catalogSize) || catalogSize < 1) {
    throw new ValidationError('catalogSize', `must be an integer >= 1, got ${catalogSize}`);
  }
  const distinct = new Set<T>();
  for (const list of lists) for (const id of list) distinct.add(id);
  if (distinct.size > catalogSize) {
    throw new ValidationError('lists', `hold ${distinct.size} distinct items, more than catalogSize ${catalogSize}`);
  }
  return distinct.size / catalogSize;
}

/**
 * Intra-list diversity: mean of distance(a, b) over the n(n − 1)/2 unordered pairs of
 * positions in `list`. NaN for a list of fewer than two items (no pair: undefined, and
 * `meanOver` skips it). Duplicates are pairs like any other (distance 0 with a sane distance),
 * so a list that repeats an item is less diverse. O(n²) calls: fine for a feed page.
 */
export function intraListDiversity<T>(list: readonly T[], distance: (a: T, b: T) => number): number {
  const n = list.length;
  if (n < 2) return NaN;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) sum += distance(list[i]!, list[j]!);
  }
  return sum / ((n * (n - 1)) / 2);
}

/**
 * Distance between items given as row indices of a row-major embedding matrix:
 * 1 − cosine, in [0, 2]. A zero row has cosine 0 with everything, so distance 1.
 */
export function embeddingDistance(embeddings: Float32Array, dim: number): (a: number, b: number) => number {
  if (!Number.isInteger(dim) || dim <= 0) throw new ValidationError('dim', `must be a positive integer, got ${dim}`);
  if (embeddings.length % dim !== 0) {
    throw new ValidationError('embeddings.length', `${embeddings.length} is not a multiple of dim ${dim}`);
  }
  const rows = embeddings.length / dim;
  const checkRow = (r: number): void => {
    if (!Number.isInteger(r) || r < 0 || r >= rows) throw new ValidationError('item', `is not a row index in [0, ${rows}): ${r}`);
  };
  return (a, b) => {
    checkRow(a);
    checkRow(b);
    return 1 - cosine(embeddings, embeddings, a * dim, b * dim, dim);
  };
}

/** 0 when two items share their category, 1 otherwise. */
export function categoryDistance<T, C>(categoryOf: (item: T) => C): (a: T, b: T) => number {
  return (a, b) => (Object.is(categoryOf(a), categoryOf(b)) ? 0 : 1);
}

/**
 * For items with several categories (tags): Jaccard distance 1 − |A ∩ B| / |A ∪ B|.
 * Two items with no categories at all are taken as identical (distance 0), not 0/0.
 */
export function categorySetDistance<T, C>(
  categoriesOf: (item: T) => ReadonlySet<C> | readonly C[],
): (a: T, b: T) => number {
  return (a, b) => {
    const A = toSet(categoriesOf(a));
    const B = toSet(categoriesOf(b));
    let inter = 0;
    for (const c of A) if (B.has(c)) inter++;
    const union = A.size + B.size - inter;
    return union === 0 ? 0 : 1 - inter / union;
  };
}

function toSet<C>(c: ReadonlySet<C> | readonly C[]): ReadonlySet<C> {
  return Array.isArray(c) ? new Set<C>(c as readonly C[]) : (c as ReadonlySet<C>);
}
