/**
 * A second judgement of a feed, against what users truly like rather than what they happened
 * to be shown.
 *
 * The logged test set of the synthetic platform holds only impressions the previous-generation
 * feed chose (mostly popular and recent items): an item the user would love but was never
 * shown can never count as a hit, so offline metrics reward copying the old feed (exposure
 * bias). The simulator knows better. Here a user *truly likes* an item when the world's own
 * click model (clickLogit in synthetic-world.ts, the formula that generated the clicks) gives
 * a probability of at least TRUTH_DEFAULTS.minClickProbability that they click it shown in the
 * first feed slot. No sampling: the same dataset gives the same truth.
 *
 * Why the click probability: label 1 in the log means "clicked", so the truth and the log use
 * the same notion of relevance and their numbers can be set side by side. The first slot
 * removes the position effect, which belongs to the feed, not to the user's taste.
 */
import { DatasetOptionError } from './errors.ts';
import { SYNTHETIC_MODEL, TRUTH_DEFAULTS } from './defaults.ts';
import { clickLogit, clickLogitOf, sigmoid, tasteOf, type World, type WorldItem, type WorldUser } from './synthetic-world.ts';
import type { Dataset, GroundTruth, Interaction } from './types.ts';

/** The ground truth of a generated world; generateSynthetic stores it as `dataset.truth`. */
export function syntheticTruth(world: World): GroundTruth {
  const users = new Map<string, WorldUser>(world.users.map((u) => [u.id, u]));
  const items = new Map<string, WorldItem>(world.items.map((it) => [it.id, it]));
  const ids = world.items.map((it) => it.id);
  // For clickProbabilities: the items' latent vectors in one block (50,000 small arrays apart
  // cost a cache miss or more per item) and their qualities; the same numbers, in the same
  // order of operations as clickLogit, so the same probabilities to the last bit.
  const dim = SYNTHETIC_MODEL.latentDim;
  const latents = new Float64Array(world.items.length * dim);
  world.items.forEach((it, i) => latents.set(it.latent, i * dim));
  const qualities = Float64Array.from(world.items, (it) => it.quality);
  const categories = Int32Array.from(world.items, (it) => it.category);
  const userOf = (user: string): WorldUser => {
    const u = users.get(user);
    if (u === undefined) throw new DatasetOptionError('user', `"${user}" is not a user of this synthetic world`);
    return u;
  };
  return {
    definition:
      'the simulated probability that the user clicks the item shown in the first feed slot ' +
      '(the generator\'s own click model: category taste, item quality, latent affinity)',
    clickProbability(user: string, item: string): number {
      const u = userOf(user);
      const it = items.get(item);
      if (it === undefined) throw new DatasetOptionError('item', `"${item}" is not an item of this synthetic world`);
      return sigmoid(clickLogit(world, u, it, 0));
    },
    clickProbabilities(user: string): { items: readonly string[]; probabilities: Float64Array } {
      const u = userOf(user);
      const probabilities = new Float64Array(world.items.length);
      // tasteOf reads only the item's category.
      const taste = world.categoryNames.map((_, c) => tasteOf(world, u, { category: c } as WorldItem));
      const a = u.latent;
      for (let i = 0; i < probabilities.length; i++) {
        let affinity = 0;
        for (let k = 0, at = i * dim; k < dim; k++) affinity += a[k]! * latents[at + k]!;
        probabilities[i] = sigmoid(clickLogitOf(taste[categories[i]!]!, qualities[i]!, affinity, 0));
      }
      return { items: ids, probabilities };
    },
  };
}

export interface TrulyLikedOptions {
  /** Only items online (created at or before) this moment, ms since the epoch; default: all. */
  at?: number;
  /** Items not to return, e.g. those the user already interacted with. */
  exclude?: ReadonlySet<string>;
  /** Default TRUTH_DEFAULTS.minClickProbability. */
  minClickProbability?: number;
}

export interface TrulyLiked {
  item: string;
  clickProbability: number;
}

/**
 * The items `user` truly likes (click probability in the first slot >= the threshold), most
 * likely first, ties in the order of `dataset.items`. Throws DatasetOptionError when the dataset
 * has no ground truth (anything but generateSynthetic) or the threshold is not in (0, 1).
 */
export function trulyLikedItems(dataset: Dataset, user: string, options: TrulyLikedOptions = {}): TrulyLiked[] {
  const truth = requireTruth(dataset);
  const min = threshold(options.minClickProbability);
  const liked: TrulyLiked[] = [];
  // Every item's probability in one call where the truth offers it (the same values), read by
  // position while its ids run in the catalogue's order.
  const all = truth.clickProbabilities?.(user);
  let i = 0;
  for (const item of dataset.items.values()) {
    const at = i++;
    if (options.exclude?.has(item.id)) continue;
    // An item uploaded later could not have been shown or liked at that moment.
    if (options.at !== undefined && item.created !== undefined && item.created > options.at) continue;
    const p = all !== undefined && all.items[at] === item.id ? all.probabilities[at]! : truth.clickProbability(user, item.id);
    if (p >= min) liked.push({ item: item.id, clickProbability: p });
  }
  // Stable sort: equal probabilities keep catalogue order.
  return liked.sort((a, b) => b.clickProbability - a.clickProbability);
}

export interface TruthSplitOptions {
  /** Default TRUTH_DEFAULTS.minClickProbability. */
  minClickProbability?: number;
}

export interface TruthSplitCounts {
  /** Users with at least one test interaction (any label). */
  testUsers: number;
  /** Of those, users with a truly liked item they had not met in train: the evaluated users. */
  users: number;
  /** Test users whose every truly liked item was in their train, or who like nothing: no row. */
  usersWithoutLiked: number;
  /** Rows of the truth test: Σ over users of their truly liked, unseen items. */
  liked: number;
  /** Truly liked items left out because the user already interacted with them in train. */
  likedSeenInTrain: number;
}

export interface TruthSplit {
  /** The split's train, unchanged (the same array). */
  train: readonly Interaction[];
  /**
   * Per test user, one label-1 `click` row per truly liked item online at the user's first test
   * moment and absent from their train (any label), all dated at that moment. Users in order of
   * their first test interaction, items most likely first: time order holds, and
   * prepareProtocol sees the same users in the same order as on the logged test.
   */
  test: Interaction[];
  counts: TruthSplitCounts;
}

/**
 * Turns an evaluation split into its "true preference" twin, so that
 * `evaluateFeed(truthSplit(dataset, split), catalog, rank, k, items)` measures how many of the
 * items a user would have liked, shown or not, a feed puts in its top k. Same users (those with
 * test interactions), same histories and exclusions as the logged split; only the relevant
 * items differ. Throws DatasetOptionError when the dataset has no ground truth.
 */
export function truthSplit(
  dataset: Dataset,
  split: { train: readonly Interaction[]; test: readonly Interaction[] },
  options: TruthSplitOptions = {},
): TruthSplit {
  requireTruth(dataset);
  const minClickProbability = threshold(options.minClickProbability);
  // First appearance order and the earliest moment (the same thing when test is in time order).
  const firstAt = new Map<string, number>();
  for (const x of split.test) {
    const t = firstAt.get(x.user);
    if (t === undefined || x.at < t) firstAt.set(x.user, x.at);
  }
  // Train items of the test users only: on large data the test is a sample of the users.
  const seen = new Map<string, Set<string>>();
  for (const x of split.train) {
    if (!firstAt.has(x.user)) continue;
    const s = seen.get(x.user);
    if (s === undefined) seen.set(x.user, new Set([x.item]));
    else s.add(x.item);
  }

  const counts: TruthSplitCounts = { testUsers: firstAt.size, users: 0, usersWithoutLiked: 0, liked: 0, likedSeenInTrain: 0 };
  const test: Interaction[] = [];
  const empty = new Set<string>();
  for (const [user, at] of firstAt) {
    const exclude = seen.get(user) ?? empty;
    const all = trulyLikedItems(dataset, user, { at, minClickProbability });
    let rows = 0;
    for (const { item } of all) {
      if (exclude.has(item)) {
        counts.likedSeenInTrain++;
        continue;
      }
      test.push({ user, item, at, label: 1, type: 'click' });
      rows++;
    }
    if (rows === 0) counts.usersWithoutLiked++;
    else counts.users++;
    counts.liked += rows;
  }
  // Stable: a no-op for a test in time order; otherwise restores time order, ties by user order.
  test.sort((a, b) => a.at - b.at);
  return { train: split.train, test, counts };
}

function requireTruth(dataset: Dataset): GroundTruth {
  if (dataset.truth === undefined) {
    throw new DatasetOptionError(
      'dataset.truth',
      `"${dataset.name}" has no ground truth; only generateSynthetic datasets know what users truly like`,
    );
  }
  return dataset.truth;
}

function threshold(value: number | undefined): number {
  const v = value ?? TRUTH_DEFAULTS.minClickProbability;
  if (!(v > 0 && v < 1)) throw new DatasetOptionError('minClickProbability', `must be in (0, 1), got ${v}`);
  return v;
}
