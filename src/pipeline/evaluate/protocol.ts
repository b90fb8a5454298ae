/**
 * The offline evaluation protocol, written down once; every evaluator in this folder reads its
 * users, histories, exclusions and relevant items from `prepareProtocol`, so retrieval, feed
 * and baseline numbers are computed over the same users in the same way.
 *
 * Given a split { train, test } (any protocol: per-user or global temporal) and the catalog
 * (every item id of the dataset, in a fixed order; an item's position is its catalog index):
 *
 * - Test user: a user with at least one positive (label 1) test interaction. Users whose test
 *   interactions are all negatives are skipped, and counted (`usersWithoutPositives`): with
 *   nothing relevant, recall and NDCG are 0/0, and a 0 would reward no model.
 * - Relevant items: the user's distinct positive test items. Negative test interactions (on
 *   MovieLens, ratings 1-3) are not relevant.
 * - History: all of the user's train interactions (positives and negatives), in time order.
 *   A cold-start user (global split) has an empty history.
 * - Seen items: the items of the user's train interactions, whatever their label. They are
 *   excluded from every ranked list: never retrieved, never shown. A relevant item the user
 *   already had in train (a re-watch in an implicit log) stays relevant, so it caps recall
 *   below 1; such pairs are counted (`relevantSeenByUser`), not dropped. MovieLens has none.
 * - Items no train interaction names are still candidates: a model scores them however it
 *   can (popularity gives them 0). Relevant pairs on such items are counted
 *   (`relevantUnseenInTrain`), not dropped.
 * - Per-user metrics (core/metrics: recallAtK, ndcgAtK, precisionAtK, mapAtK, binary
 *   relevance, NDCG's ideal list holds min(|relevant|, k) hits, AP@k divides by
 *   min(|relevant|, k)) are averaged over test users with `meanOver`.
 *
 * Pinned against a previous measurement on MovieLens-100K (perUserTemporalSplit defaults:
 * each user's latest 20% in test; reference: most-popular recall@100 ≈ 0.37, NDCG@10 ≈ 0.094).
 * With this protocol, over the 907 test users (36 of 943 have no 4+ rating in test):
 *
 *   relevant    popularity counts      recall@100  NDCG@10
 *   positives   positive train rows    0.3750      0.1025   <- the default
 *   positives   all train rows         0.3818      0.0991
 *   all test    positive train rows    0.3030      0.1168   (943 users)
 *   all test    all train rows         0.3301      0.1214   (943 users)
 *
 * Relevant = positives only is pinned (every-test-row relevance misses recall by 0.04-0.07).
 * The popularity count is not: both variants fall within 0.02 of both numbers; positives is
 * the default because it is the signal a feed optimises. See baselines-popularity.test.ts.
 */
import type { Interaction } from '../data/index.ts';
import { EvaluationInputError } from './errors.ts';

/** Every item id of the dataset, each once; index i is the item's catalog index. */
export type Catalog = readonly string[];

/** What the evaluators read from a split; the split's stats are not needed. */
export interface EvalSplit {
  /** In time order (as the splits return them). */
  train: readonly Interaction[];
  test: readonly Interaction[];
}

export interface TestUser {
  user: string;
  /** The user's train interactions, in time order; the same array every evaluator passes on. */
  history: readonly Interaction[];
  /** Catalog indices of the user's train items (any label), distinct. */
  seen: Uint32Array;
  /** Catalog indices of the user's distinct positive test items, in order of first appearance. */
  relevant: Uint32Array;
}

export interface ProtocolCounts {
  /** Test users: the denominator of every mean. */
  users: number;
  /** Users with test interactions, none of them positive: skipped. */
  usersWithoutPositives: number;
  /** Σ over test users of |relevant|. */
  relevant: number;
  /** Relevant (user, item) pairs whose item no train interaction names (new in test). */
  relevantUnseenInTrain: number;
  /** Relevant pairs whose item the user already had in train: excluded, so never a hit. */
  relevantSeenByUser: number;
}

export interface ProtocolIndex {
  catalog: Catalog;
  indexOf: ReadonlyMap<string, number>;
  /** Test users, in order of their first test interaction. */
  users: TestUser[];
  /** 1 at the catalog index of every item some train interaction names. */
  inTrain: Uint8Array;
  counts: ProtocolCounts;
}

/** item id -> catalog index; throws on a duplicate id (two indices for one item). */
export function catalogIndex(catalog: Catalog): Map<string, number> {
  const indexOf = new Map<string, number>();
  for (let i = 0; i < catalog.length; i++) {
    const id = catalog[i]!;
    if (indexOf.has(id)) throw new EvaluationInputError(`catalog[${i}]`, `duplicate item id "${id}" (also at ${indexOf.get(id)})`);
    indexOf.set(id, i);
  }
  return indexOf;
}

/**
 * Indexes a split for evaluation in one pass over train and one over test. Throws
 * EvaluationInputError when an interaction names an item outside the catalog: such an item
 * could never be retrieved, so the catalog given is not the dataset's.
 */
export function prepareProtocol(split: EvalSplit, catalog: Catalog): ProtocolIndex {
  // A build asks again for the same split and catalog (every feed, retrieval K and validation
  // setting): one pass over train each time was ~85 passes a build, linear but large at 10M.
  // Splits and catalogs are not mutated after they are made, so the index is reused while both live.
  let byCatalog = prepared.get(split);
  if (byCatalog === undefined) prepared.set(split, (byCatalog = new WeakMap()));
  let p = byCatalog.get(catalog);
  if (p === undefined || p.trainLength !== split.train.length || p.testLength !== split.test.length) {
    p = { index: indexProtocol(split, catalog), trainLength: split.train.length, testLength: split.test.length };
    byCatalog.set(catalog, p);
  }
  return p.index;
}

const prepared = new WeakMap<EvalSplit, WeakMap<Catalog, { index: ProtocolIndex; trainLength: number; testLength: number }>>();

function indexProtocol(split: EvalSplit, catalog: Catalog): ProtocolIndex {
  const indexOf = catalogIndex(catalog);
  const inTrain = new Uint8Array(catalog.length);
  const histories = new Map<string, Interaction[]>();
  const { train, test } = split;
  for (let i = 0; i < train.length; i++) {
    const x = train[i]!;
    inTrain[lookup(indexOf, x.item, 'train', i)] = 1;
    const h = histories.get(x.user);
    if (h === undefined) histories.set(x.user, [x]);
    else h.push(x);
  }

  // Test users in order of first appearance; relevant items deduplicated as they come.
  const order: string[] = [];
  const positives = new Map<string, Set<number>>();
  for (let i = 0; i < test.length; i++) {
    const x = test[i]!;
    const index = lookup(indexOf, x.item, 'test', i);
    let set = positives.get(x.user);
    if (set === undefined) {
      set = new Set();
      positives.set(x.user, set);
      order.push(x.user);
    }
    if (x.label === 1) set.add(index);
  }

  const users: TestUser[] = [];
  const counts: ProtocolCounts = { users: 0, usersWithoutPositives: 0, relevant: 0, relevantUnseenInTrain: 0, relevantSeenByUser: 0 };
  for (const user of order) {
    const set = positives.get(user)!;
    if (set.size === 0) {
      counts.usersWithoutPositives++;
      continue;
    }
    const history = histories.get(user) ?? [];
    const seenSet = new Set<number>();
    for (const x of history) seenSet.add(indexOf.get(x.item)!);
    const relevant = Uint32Array.from(set);
    for (const r of relevant) {
      if (inTrain[r] === 0) counts.relevantUnseenInTrain++;
      if (seenSet.has(r)) counts.relevantSeenByUser++;
    }
    counts.relevant += relevant.length;
    users.push({ user, history, seen: Uint32Array.from(seenSet), relevant });
  }
  counts.users = users.length;
  return { catalog, indexOf, users, inTrain, counts };
}

function lookup(indexOf: ReadonlyMap<string, number>, item: string, part: 'train' | 'test', i: number): number {
  const index = indexOf.get(item);
  if (index === undefined) {
    throw new EvaluationInputError(`split.${part}[${i}].item`, `"${item}" is not in the catalog; pass every item id of the dataset`);
  }
  return index;
}
