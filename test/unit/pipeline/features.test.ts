import { beforeAll, describe, expect, it } from 'vitest';
import { ML100K_DIR, requireMovieLens } from '../../support/movielens.ts';
import { assembleDataset } from '../../../src/pipeline/data/dataset.ts';
import { loadMovieLens, perUserTemporalSplit } from '../../../src/pipeline/data/index.ts';
import type { Interaction } from '../../../src/pipeline/data/types.ts';
import { ExampleBuilder, deriveFeaturePlan } from '../../../src/pipeline/features/index.ts';
import { buildFeatureTensors, type HistoryEntry } from '../../../src/core/features/index.ts';

const DAY = 86_400_000;
const T0 = Date.UTC(2025, 0, 1);
const x = (user: string, item: string, day: number, label: 0 | 1, type: Interaction['type']): Interaction => ({ user, item, at: T0 + day * DAY, label, type });

function tiny() {
  const interactions = [
    x('u1', 'a', 0, 1, 'like'),
    x('u1', 'b', 0, 0, 'skip'),
    x('u1', 'c', 1, 1, 'like'),
    x('u2', 'a', 2, 1, 'like'),
    x('u1', 'd', 3, 1, 'like'),
  ];
  const items = new Map(
    ['a', 'b', 'c', 'd', 'e', 'f'].map((id, i) => [id, { id, title: id, categories: i % 2 ? ['drama'] : ['comedy', 'drama'], durationSeconds: 60 * (i + 1), created: T0 - i * DAY }]),
  );
  return assembleDataset({ name: 'tiny', interactions, items, feedback: 'explicit', categories: ['comedy', 'drama'] }).dataset;
}

describe('feature plan', () => {
  it('derives vocabularies and statistics from the training window only', () => {
    const ds = tiny();
    const train = ds.interactions.slice(0, 3); // a, b, c of u1
    const plan = deriveFeaturePlan(ds, train);
    expect(plan.spec.features.map((f) => f.name)).toEqual(['item_id', 'categories', 'duration', 'popularity', 'item_age', 'history', 'history_categories']);
    expect(plan.itemTower).toEqual(['item_id', 'categories', 'duration', 'popularity']);
    expect(plan.userTower).toEqual(['history', 'history_categories']);
    // Popularity counts train positives only: a and c once, d (a test item) zero.
    expect(Object.fromEntries(plan.popularity)).toEqual({ a: 1, b: 0, c: 1, d: 0, e: 0, f: 0 });
    // The user tower pools what the user liked (the item-item model's votes); the category shares
    // also count a low rating as half a vote of interest.
    const history = plan.spec.features.at(-2)!;
    expect(history.kind === 'history' && history.weighting.events).toEqual({ like: 1 });
    expect(history.kind === 'history' && history.weighting.halfLifeEvents).toBeUndefined();
    const shares = plan.spec.features.at(-1)!;
    expect(shares.kind === 'history-share' && shares.weighting.events).toEqual({ like: 1, skip: 0.5 });
  });

  it('adds order recency and the ranker\'s retrieval score and rank when the build chose them', () => {
    const ds = tiny();
    const plan = deriveFeaturePlan(ds, ds.interactions.slice(0, 3), { historyHalfLifeEvents: 16, retrievalScore: { mean: 0.2, std: 0.1 }, retrievalRank: { mean: 5, std: 1 } });
    const byName = new Map(plan.spec.features.map((f) => [f.name, f] as const));
    const history = byName.get('history')!;
    expect(history.kind === 'history' && history.weighting.halfLifeEvents).toBe(16);
    expect(byName.get('retrieval_score')).toMatchObject({ kind: 'numeric', source: 'context.retrievalScore', normalize: { type: 'standardize', mean: 0.2, std: 0.1 } });
    expect(byName.get('retrieval_rank')).toMatchObject({ kind: 'numeric', source: 'context.retrievalRank', log1p: true, normalize: { type: 'standardize', mean: 5, std: 1 } });
    expect(plan.ranker).toContain('retrieval_rank');
  });

  it('builds rows whose history holds only strictly earlier interactions', () => {
    const ds = tiny();
    const plan = deriveFeaturePlan(ds, ds.interactions);
    const b = new ExampleBuilder(ds, plan);
    const ex = b.rankerExamples(ds.interactions, { negativesPerPositive: 1, seed: 3 });
    // 5 labelled rows + 1 negative per positive (4 positives).
    expect(ex.rows).toHaveLength(9);
    expect(Array.from(ex.labels)).toEqual([1, 0, 0, 1, 0, 1, 0, 1, 0]);
    const ids = (r: number) => ((ex.rows[r]!.user!['history'] as HistoryEntry[]).map((e) => e.item['id']));
    expect(ids(0)).toEqual([]); // a at day 0: nothing before it
    expect(ids(2)).toEqual([]); // b shares day 0 with a: not "before"
    expect(ids(3)).toEqual(['a', 'b']); // c at day 1
    expect(ids(7)).toEqual(['a', 'b', 'c']); // d at day 3 (u2's a is another user)
    // Sampled negatives are items u1 had not touched at that moment.
    expect(b.catalog[ex.items[8]!]).not.toMatch(/^[abcd]$/);
    expect(ex.nows[7]).toBe(T0 + 3 * DAY);
    const t = buildFeatureTensors(plan.spec, ex.rows, { now: T0 + 3 * DAY, only: ['item_age'] });
    expect(t['item_age']!.data[7]).toBeGreaterThan(0);
    const retrieval = b.retrievalExamples(ds.interactions);
    expect(Array.from(retrieval.labels)).toEqual([1, 1, 1, 1]);
  });
});

const ML = ML100K_DIR;
describe('feature plan on MovieLens-100K', () => {
  // Fails with how to get the data where it is missing (never a skip).
  beforeAll(() => void requireMovieLens());
  it('keeps age, gender and occupation, drops zip codes', () => {
    const ds = loadMovieLens(ML);
    const { train } = perUserTemporalSplit(ds);
    const plan = deriveFeaturePlan(ds, train);
    expect(plan.userTower).toEqual(['user_age', 'user_gender', 'user_occupation', 'history', 'history_categories']);
    const occupation = plan.spec.features.find((f) => f.name === 'user_occupation');
    expect(occupation?.kind === 'categorical' && occupation.vocab?.length).toBe(21);
    expect(plan.spec.features.find((f) => f.name === 'item_id')).toMatchObject({ kind: 'categorical' });
  });
});

describe('history_categories', () => {
  it('spreads the weighted history over the categories of its items', () => {
    const ds = tiny();
    const plan = deriveFeaturePlan(ds, ds.interactions);
    const b = new ExampleBuilder(ds, plan);
    const ex = b.rankerExamples(ds.interactions, { negativesPerPositive: 0, seed: 1 });
    // Row of d (day 3) sees a (like, comedy|drama), b (skip: weight 0.5, drama) and c (like,
    // comedy|drama), with recency 0.5^(age/30 days) measured from day 3.
    const t = buildFeatureTensors(plan.spec, [ex.rows[4]!], { now: ex.nows[4]!, only: ['history_categories'] });
    const r = (days: number) => 0.5 ** (days / 30);
    const a = r(3), bw = 0.5 * r(3), c = r(2);
    const total = a + bw + c;
    // index 0 unknown; 1 comedy; 2 drama. a and c split half/half, b is all drama.
    expect(t['history_categories']!.data[0]).toBe(0);
    expect(t['history_categories']!.data[1]).toBeCloseTo((a / 2 + c / 2) / total, 6);
    expect(t['history_categories']!.data[2]).toBeCloseTo((a / 2 + bw + c / 2) / total, 6);
  });
});
