import { isSortedByTime } from './dataset.ts';
import { SPLIT_DEFAULTS } from './defaults.ts';
import { DatasetOptionError } from './errors.ts';
import type { Dataset, Interaction } from './types.ts';

/** Counts both protocols report, so the CLI can print one table for either. */
export interface SplitCounts {
  interactions: number;
  train: number;
  test: number;
  trainPositives: number;
  testPositives: number;
  /** Distinct users with at least one test interaction. */
  testUsers: number;
  /** Distinct items in test, and how many of those never occur in train (kept, not dropped). */
  testItems: number;
  unseenTestItems: number;
  /** Test interactions whose item never occurs in train. */
  unseenTestInteractions: number;
}

export interface PerUserSplitStats extends SplitCounts {
  protocol: 'per-user-temporal';
  testFraction: number;
  minInteractions: number;
  users: number;
  /** Users with fewer than minInteractions: all their interactions are in train. */
  trainOnlyUsers: number;
  trainOnlyInteractions: number;
}

export interface GlobalSplitStats extends SplitCounts {
  protocol: 'global-temporal';
  trainFraction: number;
  /** ms; train is everything strictly before it, test everything at or after it. */
  cut: number;
  trainUsers: number;
  /** Test users with some train interaction, and those without (cold start). */
  warmTestUsers: number;
  coldTestUsers: number;
}

export interface Split<S> {
  /** Both in time order, ties in dataset order. */
  train: Interaction[];
  test: Interaction[];
  stats: S;
}

export interface PerUserSplitOptions {
  testFraction?: number;
  minInteractions?: number;
}

export interface GlobalSplitOptions {
  trainFraction?: number;
}

type Source = Pick<Dataset, 'interactions'>;

/**
 * Leave-last-out per user: each user's latest round(testFraction · n) interactions (at least
 * 1, and at most n - 1 so every test user has a history) go to test, the rest to train. A user
 * with fewer than minInteractions goes wholly to train. Each user's train precedes their test
 * in time (ties at the boundary keep dataset order), but across users the test periods overlap
 * the train periods: this measures "next items for a known user", not "the future".
 */
export function perUserTemporalSplit(ds: Source, options: PerUserSplitOptions = {}): Split<PerUserSplitStats> {
  const testFraction = options.testFraction ?? SPLIT_DEFAULTS.testFraction;
  const minInteractions = options.minInteractions ?? SPLIT_DEFAULTS.minInteractions;
  if (!(testFraction > 0 && testFraction < 1)) {
    throw new DatasetOptionError('testFraction', `must be between 0 and 1 (exclusive), got ${testFraction}`);
  }
  if (!Number.isInteger(minInteractions) || minInteractions < 2) {
    throw new DatasetOptionError('minInteractions', `must be an integer >= 2 (one train, one test), got ${minInteractions}`);
  }
  const xs = inTimeOrder(ds.interactions);
  const perUser = new Map<string, number[]>();
  for (let i = 0; i < xs.length; i++) {
    const list = perUser.get(xs[i]!.user);
    if (list === undefined) perUser.set(xs[i]!.user, [i]);
    else list.push(i);
  }
  const isTest = new Uint8Array(xs.length);
  let trainOnlyUsers = 0;
  let trainOnlyInteractions = 0;
  for (const list of perUser.values()) {
    if (list.length < minInteractions) {
      trainOnlyUsers++;
      trainOnlyInteractions += list.length;
      continue;
    }
    const nTest = Math.min(list.length - 1, Math.max(1, Math.round(list.length * testFraction)));
    for (let k = list.length - nTest; k < list.length; k++) isTest[list[k]!] = 1;
  }
  const { train, test } = partition(xs, isTest);
  return {
    train,
    test,
    stats: {
      protocol: 'per-user-temporal',
      testFraction,
      minInteractions,
      users: perUser.size,
      trainOnlyUsers,
      trainOnlyInteractions,
      ...countSplit(xs.length, train, test),
    },
  };
}

/**
 * One cut in time for everyone: the cut is the time of the interaction at position
 * floor(trainFraction · n) in time order; train is every interaction strictly before it, test
 * every interaction at or after it. Interactions tied at the cut time all go to test, so train
 * and test never share a timestamp (train can be a little under trainFraction). This measures
 * what a release trained today does tomorrow, cold-start users included.
 */
export function globalTemporalSplit(ds: Source, options: GlobalSplitOptions = {}): Split<GlobalSplitStats> {
  const trainFraction = options.trainFraction ?? SPLIT_DEFAULTS.trainFraction;
  if (!(trainFraction > 0 && trainFraction < 1)) {
    throw new DatasetOptionError('trainFraction', `must be between 0 and 1 (exclusive), got ${trainFraction}`);
  }
  const xs = inTimeOrder(ds.interactions);
  if (xs.length === 0) throw new DatasetOptionError('interactions', 'the dataset has no interactions to split');
  const cut = xs[Math.min(xs.length - 1, Math.floor(trainFraction * xs.length))]!.at;
  const isTest = Uint8Array.from(xs, (x) => (x.at >= cut ? 1 : 0));
  const { train, test } = partition(xs, isTest);
  const trainUserSet = new Set(train.map((x) => x.user));
  const testUserSet = new Set(test.map((x) => x.user));
  let warm = 0;
  for (const u of testUserSet) if (trainUserSet.has(u)) warm++;
  return {
    train,
    test,
    stats: {
      protocol: 'global-temporal',
      trainFraction,
      cut,
      trainUsers: trainUserSet.size,
      warmTestUsers: warm,
      coldTestUsers: testUserSet.size - warm,
      ...countSplit(xs.length, train, test),
    },
  };
}

/** The interactions in time order; a stable sort only when a caller handed them unsorted. */
function inTimeOrder(xs: Interaction[]): Interaction[] {
  return isSortedByTime(xs) ? xs : xs.slice().sort((a, b) => a.at - b.at);
}

function partition(xs: Interaction[], isTest: Uint8Array): { train: Interaction[]; test: Interaction[] } {
  const train: Interaction[] = [];
  const test: Interaction[] = [];
  for (let i = 0; i < xs.length; i++) (isTest[i] === 1 ? test : train).push(xs[i]!);
  return { train, test };
}

function countSplit(interactions: number, train: Interaction[], test: Interaction[]): SplitCounts {
  const trainItems = new Set<string>();
  let trainPositives = 0;
  for (const x of train) {
    trainItems.add(x.item);
    trainPositives += x.label;
  }
  const testItems = new Set<string>();
  const unseen = new Set<string>();
  const testUsers = new Set<string>();
  let testPositives = 0;
  let unseenTestInteractions = 0;
  for (const x of test) {
    testItems.add(x.item);
    testUsers.add(x.user);
    testPositives += x.label;
    if (!trainItems.has(x.item)) {
      unseen.add(x.item);
      unseenTestInteractions++;
    }
  }
  return {
    interactions,
    train: train.length,
    test: test.length,
    trainPositives,
    testPositives,
    testUsers: testUsers.size,
    testItems: testItems.size,
    unseenTestItems: unseen.size,
    unseenTestInteractions,
  };
}
