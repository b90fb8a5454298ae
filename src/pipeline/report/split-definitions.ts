import type { GlobalSplitStats, PerUserSplitStats } from '../data/index.ts';
import { formatCount, formatPercent } from './format.ts';

// The protocol definitions report.json carries as plain sentences. They are written once here
// from the split's own parameters, so the text can never drift from what the split did; report.md
// quotes them verbatim.

/** The per-user (leave-last-out) protocol, in words, with its parameters. */
export function describePerUserSplit(stats: PerUserSplitStats): string {
  return (
    `Per-user temporal split (leave-last-out): for each user with at least ${stats.minInteractions} ` +
    `interactions, their latest ${formatPercent(stats.testFraction)} of interactions (at least one, never all) ` +
    `are test and the earlier ones train; users with fewer interactions stay wholly in train. Each user's train ` +
    `precedes their own test in time, but test periods of different users overlap each other's train periods, ` +
    `so this measures "the next items for a user we already know", not "the future". ` +
    `Test items never seen in train are kept, not dropped.`
  );
}

/**
 * The global protocol, in words, and what it measures on this data. The cold-start sentence is
 * computed, not asserted: on MovieLens most users rate nearly all their movies within days of
 * signing up, so the users active after one global cut are mostly new, and the split mostly
 * measures cold start; on a feed log with returning users it measures much more than that.
 */
export function describeGlobalSplit(stats: GlobalSplitStats, datasetName = ''): string {
  const testUsers = stats.warmTestUsers + stats.coldTestUsers;
  const cut = Number.isFinite(stats.cut) ? new Date(stats.cut).toISOString() : String(stats.cut);
  let text =
    `Global temporal split: one cut in time for all users, at ${cut}, the time of the interaction ` +
    `${formatPercent(stats.trainFraction)} of the way through the data in time order. Train is every ` +
    `interaction before the cut, test every interaction at or after it, so nothing from the test period ` +
    `is trained on. This is what a release trained today faces tomorrow, new users and items included.`;
  const movieLens = /movielens|^ml-/i.test(datasetName);
  const whyMovieLens =
    'users rate most of their movies within days of signing up, so the users active after a global cut are mostly new ones';
  if (testUsers > 0) {
    const coldShare = stats.coldTestUsers / testUsers;
    text +=
      ` Here ${formatCount(stats.coldTestUsers)} of ${formatCount(testUsers)} test users ` +
      `(${formatPercent(coldShare)}) have no interaction before the cut.`;
    if (coldShare > 0.5) {
      text +=
        ` So this split mostly measures cold start${movieLens ? `, as expected on MovieLens: ${whyMovieLens}` : ''}. ` +
        'The warm and cold rows separate the two; the per-user split is the headline protocol for that reason.';
    } else {
      text += ' The warm and cold rows separate them.';
    }
  } else if (movieLens) {
    text += ` On MovieLens this split mostly measures cold start: ${whyMovieLens}.`;
  }
  return text;
}
