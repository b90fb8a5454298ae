import {
  catalogCoverage,
  categorySetDistance,
  intraListDiversity,
  mapAtK,
  meanOver,
  ndcgAtK,
  precisionAtK,
} from '../../core/metrics/index.ts';
import type { Interaction, Item } from '../data/index.ts';
import { EVALUATE_DEFAULTS } from './defaults.ts';
import { EvaluationInputError } from './errors.ts';
import { checkKs } from './checks.ts';
import { prepareProtocol, type Catalog, type EvalSplit, type ProtocolCounts } from './protocol.ts';

/**
 * A whole feed (retrieval, ranking, re-ranking) as the harness sees it: the item ids shown to
 * a user, best first, at least k of them (fewer only when fewer than k catalog items are not
 * in `exclude`). `exclude` holds the user's seen items; returning one is a protocol breach.
 * `k` is passed so an adapter need not guess the page length.
 */
export type RankFeed = (user: string, history: readonly Interaction[], exclude: ReadonlySet<string>, k: number) => readonly string[];

export type FeedKey = `ndcg@${number}` | `precision@${number}` | `map@${number}`;

export interface FeedReport extends ProtocolCounts {
  /** Mean NDCG@k, Precision@k and MAP@k over test users. */
  [metric: FeedKey]: number;
  /** Distinct items over all users' top-k lists / catalog size. */
  coverage: number;
  /**
   * Mean over test users of the intra-list diversity of their top k, with the Jaccard distance
   * between category sets. NaN when no `items` were given (no categories to compare).
   */
  diversity: number;
  k: number;
}

/**
 * NDCG@k, Precision@k and MAP@k of a feed under the protocol of protocol.ts, plus catalog
 * coverage and category diversity of the lists shown. Only the first k ids of each list count.
 *
 * Throws EvaluationInputError when a list names an item outside the catalog or a seen item,
 * or is shorter than k while enough unseen items exist: each would bend the metrics quietly
 * (a seen item is an easy miss, a short list a free pass on diversity).
 */
export function evaluateFeed(
  split: EvalSplit,
  catalog: Catalog,
  rank: RankFeed,
  k: number = EVALUATE_DEFAULTS.feedK,
  items?: ReadonlyMap<string, Pick<Item, 'categories'>>,
): FeedReport {
  checkKs([k], 'k');
  const p = prepareProtocol(split, catalog);
  const ndcg = new Float64Array(p.users.length);
  const precision = new Float64Array(p.users.length);
  const map = new Float64Array(p.users.length);
  const diversity = new Float64Array(p.users.length).fill(NaN);
  const lists: string[][] = [];
  const distance = items === undefined ? undefined : categorySetDistance(categoriesOf(items));

  // The relevant items of the user being scored, marked by index: a synthetic world's truth
  // holds ~1,500 per user at 50,000 items, and a Set of their ids per user and feed cost more
  // than the feed itself. `stamp` changes per user, so the marks are never cleared.
  const mark = new Uint32Array(catalog.length);
  p.users.forEach((u, ui) => {
    const exclude = new Set<string>();
    for (const i of u.seen) exclude.add(catalog[i]!);
    const field = `rank(user "${u.user}")`;
    const ranked = rank(u.user, u.history, exclude, k);
    const list = ranked.slice(0, k);
    const available = catalog.length - exclude.size;
    if (list.length < Math.min(k, available)) {
      throw new EvaluationInputError(field, `returned ${ranked.length} items; a page needs ${k} and ${available} unseen items exist`);
    }
    for (const id of list) {
      if (!p.indexOf.has(id)) throw new EvaluationInputError(field, `returned "${id}", which is not in the catalog`);
      if (exclude.has(id)) throw new EvaluationInputError(field, `returned "${id}", which the user has already seen (in train)`);
    }
    const stamp = ui + 1;
    let size = 0;
    for (const i of u.relevant) {
      if (mark[i] !== stamp) size++;
      mark[i] = stamp;
    }
    const relevant = { size, has: (id: string) => mark[p.indexOf.get(id) ?? -1] === stamp };
    ndcg[ui] = ndcgAtK(list, relevant, k);
    precision[ui] = precisionAtK(list, relevant, k);
    map[ui] = mapAtK(list, relevant, k);
    if (distance !== undefined) diversity[ui] = intraListDiversity(list, distance);
    lists.push(list);
  });

  const report = {
    ...p.counts,
    coverage: catalogCoverage(lists, catalog.length),
    // With no items at all, meanOver of all-NaN is NaN: "not measured", not 0.
    diversity: meanOver(diversity).mean,
    k,
  } as FeedReport;
  report[`ndcg@${k}`] = meanOver(ndcg).mean;
  report[`precision@${k}`] = meanOver(precision).mean;
  report[`map@${k}`] = meanOver(map).mean;
  return report;
}

/** Category sets built once per item (a feed compares each pair of its k items). */
function categoriesOf(items: ReadonlyMap<string, Pick<Item, 'categories'>>): (id: string) => ReadonlySet<string> {
  const cache = new Map<string, ReadonlySet<string>>();
  return (id) => {
    let set = cache.get(id);
    if (set === undefined) {
      const item = items.get(id);
      if (item === undefined) throw new EvaluationInputError('items', `has no entry for "${id}"; pass the dataset's items`);
      set = new Set(item.categories);
      cache.set(id, set);
    }
    return set;
  };
}
