import { describe, expect, it } from 'vitest';
import type { Interaction, Item } from '../../../src/pipeline/data/index.ts';
import { EVALUATE_DEFAULTS, evaluateFeed, evaluateRanking, evaluateRetrieval, prepareProtocol, restrictToUsers, warmColdUsers, type EvalSplit, type RankFeed } from '../../../src/pipeline/evaluate/index.ts';
import { metricAtKCurve } from '../../../src/pipeline/evaluate/curve.ts';

// A hand-made split: 3 users, 6 items. Times are just increasing integers.
let t = 0;
const ix = (user: string, item: string, label: 0 | 1): Interaction => ({
  user,
  item,
  at: ++t,
  label,
  type: label === 1 ? 'like' : 'skip',
});

const CATALOG = ['a', 'b', 'c', 'd', 'e', 'f'];
const SPLIT: EvalSplit = {
  train: [ix('u1', 'a', 1), ix('u2', 'a', 1), ix('u1', 'b', 0), ix('u3', 'b', 1), ix('u2', 'c', 1)],
  test: [
    ix('u1', 'c', 1),
    ix('u1', 'e', 0), // a negative: not relevant
    ix('u2', 'f', 1), // f: no train interaction names it (unseen in train), still relevant
    ix('u1', 'd', 1), // d is unseen in train too
    ix('u1', 'c', 1), // a repeat: relevant items are distinct
    ix('u3', 'd', 0), // u3 has no positive test interaction: skipped
  ],
};

// The same scores for every user: a > b > e > c > f > d.
const SCORES = Float32Array.of(6, 5, 3, 1, 4, 2);
//                              a  b  c  d  e  f
// After excluding seen items:
//   u1 (seen a, b):  e, c, f, d   relevant {c, d}
//   u2 (seen a, c):  b, e, f, d   relevant {f}
const ranked = (exclude: ReadonlySet<string>): string[] =>
  ['a', 'b', 'e', 'c', 'f', 'd'].filter((id) => !exclude.has(id));

const ITEMS = new Map<string, Pick<Item, 'categories'>>([
  ['a', { categories: ['X'] }],
  ['b', { categories: ['X', 'Y'] }],
  ['c', { categories: ['X', 'Y'] }],
  ['d', { categories: ['Z'] }],
  ['e', { categories: ['X'] }],
  ['f', { categories: ['Z'] }],
]);

const log2 = Math.log2;

describe('evaluation protocol', () => {
  it('indexes test users, relevant items, seen items and what it skipped', () => {
    const p = prepareProtocol(SPLIT, CATALOG);
    expect(p.users.map((u) => u.user)).toEqual(['u1', 'u2']);
    const [u1, u2] = p.users;
    expect(u1!.history.map((x) => x.item)).toEqual(['a', 'b']); // all train interactions, negatives too
    expect([...u1!.seen].map((i) => CATALOG[i])).toEqual(['a', 'b']);
    expect([...u1!.relevant].map((i) => CATALOG[i])).toEqual(['c', 'd']);
    expect([...u2!.relevant].map((i) => CATALOG[i])).toEqual(['f']);
    // d (u1) and f (u2): no train interaction names them.
    expect(p.counts).toEqual({ users: 2, usersWithoutPositives: 1, relevant: 3, relevantUnseenInTrain: 2, relevantSeenByUser: 0 });
    expect([...p.inTrain]).toEqual([1, 1, 1, 0, 0, 0]);
  });

  it('computes Recall@K by hand, with seen items excluded', () => {
    const calls: string[] = [];
    const report = evaluateRetrieval(
      SPLIT,
      CATALOG,
      (user, history) => {
        calls.push(`${user}:${history.map((x) => x.item).join('')}`);
        return SCORES; // the same array each time: the harness must not write into it
      },
      [4, 1, 2, 3, 2],
    );
    expect(calls).toEqual(['u1:ab', 'u2:ac']);
    // u1: e c f d vs {c, d}: @1 0/2, @2 1/2, @3 1/2, @4 2/2.
    // u2: b e f d vs {f}:    @1 0,   @2 0,   @3 1,   @4 1.
    expect(report['recall@1']).toBeCloseTo((0 + 0) / 2, 12);
    expect(report['recall@2']).toBeCloseTo((0.5 + 0) / 2, 12);
    expect(report['recall@3']).toBeCloseTo((0.5 + 1) / 2, 12);
    expect(report['recall@4']).toBeCloseTo((1 + 1) / 2, 12);
    expect(report.users).toBe(2);
    expect(report.usersWithoutPositives).toBe(1);
    // d and f are unseen in train, yet candidates: u1 found d at rank 4, u2 f at rank 3.
    expect(report.relevantUnseenInTrain).toBe(2);
    expect(report.unseenInTrainHits).toBe(2);
    expect([...SCORES]).toEqual([6, 5, 3, 1, 4, 2]);
    expect(metricAtKCurve(report)).toEqual([
      { k: 1, value: 0 },
      { k: 2, value: 0.25 },
      { k: 3, value: 0.75 },
      { k: 4, value: 1 },
    ]);
  });

  it('never retrieves a seen item, even when it scores highest and K exceeds what is left', () => {
    const report = evaluateRetrieval(SPLIT, CATALOG, () => SCORES, [6]);
    // 4 unseen items per user, all retrieved at K = 6: recall 1 for both.
    expect(report['recall@6']).toBe(1);
  });

  it('computes NDCG, Precision, MAP, coverage and diversity of a feed by hand', () => {
    const seenExcludes: string[] = [];
    const rank: RankFeed = (user, _history, exclude, k) => {
      seenExcludes.push(`${user}:${[...exclude].sort().join('')}:${k}`);
      return ranked(exclude);
    };
    const report = evaluateFeed(SPLIT, CATALOG, rank, 3, ITEMS);
    expect(seenExcludes).toEqual(['u1:ab:3', 'u2:ac:3']);
    // u1: e c f vs {c, d}: hit at rank 2.
    //   NDCG = (1/log2 3) / (1 + 1/log2 3); P = 1/3; AP = (1/2) / min(2, 3) = 1/4.
    // u2: b e f vs {f}: hit at rank 3.
    //   NDCG = (1/log2 4) / 1 = 1/2;        P = 1/3; AP = (1/3) / min(1, 3) = 1/3.
    const ndcgU1 = 1 / log2(3) / (1 + 1 / log2(3));
    expect(report['ndcg@3']).toBeCloseTo((ndcgU1 + 0.5) / 2, 12);
    expect(report['precision@3']).toBeCloseTo(1 / 3, 12);
    expect(report['map@3']).toBeCloseTo((1 / 4 + 1 / 3) / 2, 12);
    // Lists shown: {e, c, f} and {b, e, f}: 4 distinct of 6.
    expect(report.coverage).toBeCloseTo(4 / 6, 12);
    // Jaccard distances: e{X}-c{X,Y} 1/2, e-f{Z} 1, c-f 1 -> 2.5/3; b{X,Y}-e{X} 1/2, b-f 1, e-f 1 -> 2.5/3.
    expect(report.diversity).toBeCloseTo(2.5 / 3, 12);
    expect(report.users).toBe(2);
    expect(report.k).toBe(3);
    // Without items there are no categories: diversity is not measured.
    expect(evaluateFeed(SPLIT, CATALOG, rank, 3).diversity).toBeNaN();
  });

  it('keeps a relevant item the user already saw in the denominator, and counts it', () => {
    const split: EvalSplit = { train: SPLIT.train, test: [...SPLIT.test, ix('u2', 'a', 1)] };
    const report = evaluateRetrieval(split, CATALOG, () => SCORES, [4]);
    // u2 relevant {f, a}; a is seen, so excluded: recall@4 = 1/2.
    expect(report['recall@4']).toBeCloseTo((1 + 0.5) / 2, 12);
    expect(report.relevantSeenByUser).toBe(1);
  });

  it('refuses models that would bend the metrics', () => {
    expect(() => evaluateRetrieval(SPLIT, CATALOG, () => new Float32Array(5))).toThrow(/returned 5 scores/);
    expect(() => evaluateRetrieval(SPLIT, CATALOG, () => Float32Array.of(1, 2, NaN, 4, 5, 6))).toThrow(/NaN for item "c"/);
    expect(() => evaluateFeed(SPLIT, CATALOG, () => ['a', 'c', 'd'], 3)).toThrow(/already seen/);
    expect(() => evaluateFeed(SPLIT, CATALOG, () => ['d', 'z', 'e'], 3)).toThrow(/not in the catalog/);
    expect(() => evaluateFeed(SPLIT, CATALOG, (_u, _h, ex) => ranked(ex).slice(0, 2), 3)).toThrow(/returned 2 items/);
    expect(() => evaluateRetrieval({ train: SPLIT.train, test: [ix('u1', 'zz', 1)] }, CATALOG, () => SCORES)).toThrow(
      expect.objectContaining({ name: 'EvaluationInputError', field: 'split.test[0].item' }),
    );
    expect(() => evaluateRetrieval(SPLIT, ['a', 'b', 'a'], () => SCORES)).toThrow(/duplicate item id "a"/);
    expect(() => evaluateRetrieval(SPLIT, CATALOG, () => SCORES, [0])).toThrow(/ks\[0\]/);
  });

  it('defaults to the retrieval cutoffs of the design', () => {
    const report = evaluateRetrieval(SPLIT, CATALOG, () => SCORES);
    expect(Object.keys(report).filter((k) => k.startsWith('recall@'))).toEqual(['recall@10', 'recall@50', 'recall@100']);
    expect(EVALUATE_DEFAULTS.curveKs).toEqual([10, 20, 50, 100, 200]);
  });
});

describe('ranking metrics', () => {
  it('computes AUC and logloss by hand', () => {
    // Pairs (positive, negative): (.9, .1) ok, (.9, .6) ok, (.4, .1) ok, (.4, .6) wrong -> 3/4.
    const r = evaluateRanking([1, 0, 1, 0], [0.9, 0.1, 0.4, 0.6]);
    expect(r.auc).toBeCloseTo(0.75, 12);
    // −(ln .9 + ln .9 + ln .4 + ln .4) / 4.
    expect(r.logloss).toBeCloseTo(-(2 * Math.log(0.9) + 2 * Math.log(0.4)) / 4, 12);
    expect(r).toMatchObject({ rows: 4, positives: 2 });
  });

  it('gives NaN, not a throw, for a slice with one class or no rows', () => {
    const one = evaluateRanking([1, 1], [0.8, 0.7]);
    expect(one.auc).toBeNaN();
    expect(one.logloss).toBeCloseTo(-(Math.log(0.8) + Math.log(0.7)) / 2, 12);
    expect(evaluateRanking([], [])).toEqual({ auc: NaN, logloss: NaN, rows: 0, positives: 0 });
    expect(() => evaluateRanking([1, 2], [0.5, 0.5])).toThrow(/labels\[1\]/);
  });
});

describe('warm and cold users', () => {
  // A global split: u4 arrives after the cut, so has no train interaction.
  const split: EvalSplit = { train: SPLIT.train, test: [...SPLIT.test, ix('u4', 'e', 1)] };

  it('splits test users by whether train knows them', () => {
    const { warm, cold } = warmColdUsers(split);
    expect([...warm].sort()).toEqual(['u1', 'u2', 'u3']);
    expect([...cold]).toEqual(['u4']);
  });

  it('restricts the test set to a subset and keeps train whole', () => {
    const { warm, cold } = warmColdUsers(split);
    const coldSplit = restrictToUsers(split, cold);
    expect(coldSplit.train).toBe(split.train);
    expect(coldSplit.test.map((x) => x.user)).toEqual(['u4']);
    // u4 has an empty history and nothing excluded: e is rank 3 of a b e c f d.
    const coldReport = evaluateRetrieval(coldSplit, CATALOG, (_u, history) => {
      expect(history).toEqual([]);
      return SCORES;
    }, [2, 3]);
    expect(coldReport).toMatchObject({ users: 1, 'recall@2': 0, 'recall@3': 1 });
    const warmReport = evaluateRetrieval(restrictToUsers(split, warm), CATALOG, () => SCORES, [3]);
    expect(warmReport).toMatchObject({ users: 2, 'recall@3': 0.75 });
  });
});

describe('evaluateRanking per user', () => {
  it('averages the AUC within each user over users with both classes', async () => {
    const { evaluateRanking } = await import('../../../src/pipeline/evaluate/index.ts');
    // User 0: ordered (AUC 1); user 1: its positive (0.1) beats one of three negatives (AUC 1/3);
    // user 2: one class only, left out.
    const labels = [1, 0, 0, 1, 0, 0, 1, 1];
    const probs = [0.9, 0.2, 0.8, 0.1, 0.3, 0.05, 0.5, 0.4];
    const users = [0, 0, 1, 1, 1, 1, 2, 2];
    const r = evaluateRanking(labels, probs, users);
    expect(r.groupAuc).toBeCloseTo(2 / 3, 12);
    // Pooled, every user's rows mix: a different number.
    expect(r.auc).not.toBeCloseTo(2 / 3, 3);
    expect(evaluateRanking(labels, probs).groupAuc).toBeUndefined();
    expect(() => evaluateRanking(labels, probs, [0, 1])).toThrow(/groups.length/);
  });
});
