import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSynthetic, loadCsv, perUserTemporalSplit, truthSplit, type Dataset, type Interaction } from '../../../src/pipeline/data/index.ts';
import { SYNTHETIC_DEFAULTS, SYNTHETIC_MODEL, TRUTH_DEFAULTS } from '../../../src/pipeline/data/defaults.ts';
import { DatasetOptionError } from '../../../src/pipeline/data/errors.ts';
import { trulyLikedItems, type TruthSplit } from '../../../src/pipeline/data/synthetic-truth.ts';
import { buildWorld, type World } from '../../../src/pipeline/data/synthetic-world.ts';
import { evaluateFeed, prepareProtocol, type RankFeed } from '../../../src/pipeline/evaluate/index.ts';

const SHAPE = { seed: 11, users: 150, items: 400, days: 20 };
const DAY = 86_400_000;

/** The click probability in slot 0, written out from SYNTHETIC_MODEL's documented formula. */
function worldProbability(world: World, userId: string, itemId: string): number {
  const M = SYNTHETIC_MODEL;
  const u = world.users.find((x) => x.id === userId)!;
  const it = world.items.find((x) => x.id === itemId)!;
  const C = world.categoryNames.length;
  const taste = Math.min(3, Math.max(-3, Math.log(C * u.preference[it.category]!)));
  let affinity = 0;
  for (let k = 0; k < u.latent.length; k++) affinity += u.latent[k]! * it.latent[k]!;
  const z = M.clickBias + M.clickTaste * taste + M.clickQuality * it.quality + M.clickAffinity * affinity;
  return 1 / (1 + Math.exp(-z));
}

let ds: Dataset;
let world: World;
let split: { train: Interaction[]; test: Interaction[] };
let truth: TruthSplit;
let catalog: string[];

beforeAll(() => {
  ds = generateSynthetic(SHAPE);
  const o = { ...SYNTHETIC_DEFAULTS, ...SHAPE };
  world = buildWorld({ ...o, end: o.start + o.days * DAY });
  split = perUserTemporalSplit(ds);
  truth = truthSplit(ds, split);
  catalog = [...ds.items.keys()];
});

describe('ground truth of the synthetic world', () => {
  it('exists for generateSynthetic datasets only', () => {
    expect(ds.truth).toBeDefined();
    expect(ds.truth!.definition).toMatch(/probability/);
    const dir = mkdtempSync(join(tmpdir(), 'ondeck-truth-'));
    try {
      const file = join(dir, 'x.csv');
      writeFileSync(file, 'user_id,item_id,timestamp,label\nu1,a,1,1\nu1,b,2,0\nu2,a,3,1\n');
      const csv = loadCsv({ interactions: file });
      expect(csv.truth).toBeUndefined();
      const err = (() => {
        try {
          truthSplit(csv, { train: csv.interactions.slice(0, 2), test: csv.interactions.slice(2) });
        } catch (e) {
          return e;
        }
      })();
      expect(err).toBeInstanceOf(DatasetOptionError);
      expect((err as DatasetOptionError).name).toBe('DatasetOptionError');
      expect((err as DatasetOptionError).field).toBe('dataset.truth');
      expect(() => trulyLikedItems(csv, 'u1')).toThrow(/no ground truth/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("is the world's own click probability in the first slot", () => {
    for (const [u, i] of [['u1', 'v1'], ['u7', 'v250'], ['u150', 'v400']] as const) {
      expect(ds.truth!.clickProbability(u, i)).toBeCloseTo(worldProbability(world, u, i), 12);
    }
    expect(() => ds.truth!.clickProbability('nobody', 'v1')).toThrow(DatasetOptionError);
    expect(() => ds.truth!.clickProbability('u1', 'nothing')).toThrow(/item/);
  });

  it("gives every item's probability of a user at once, bit for bit the one-item values, in catalogue order", () => {
    for (const u of ['u1', 'u42', 'u150']) {
      const all = ds.truth!.clickProbabilities!(u);
      expect(all.items).toEqual(catalog);
      expect(all.probabilities.length).toBe(catalog.length);
      catalog.forEach((id, i) => expect(all.probabilities[i]).toBe(ds.truth!.clickProbability(u, id)));
    }
    expect(() => ds.truth!.clickProbabilities!('nobody')).toThrow(DatasetOptionError);
  });

  it('judges the same truly liked items without the batched probabilities (a truth of one-item calls only)', () => {
    const oneByOne: Dataset = { ...ds, truth: { definition: ds.truth!.definition, clickProbability: (u, i) => ds.truth!.clickProbability(u, i) } };
    for (const user of ['u3', 'u42']) {
      expect(trulyLikedItems(oneByOne, user, { at: split.test[0]!.at })).toEqual(trulyLikedItems(ds, user, { at: split.test[0]!.at }));
    }
    expect(truthSplit(oneByOne, split)).toEqual(truth);
  });

  it('agrees with the log: clicked impressions have a higher true probability than skipped ones', () => {
    const mean = (xs: Interaction[]): number => xs.reduce((s, x) => s + ds.truth!.clickProbability(x.user, x.item), 0) / xs.length;
    const clicked = mean(ds.interactions.filter((x) => x.label === 1));
    const skipped = mean(ds.interactions.filter((x) => x.label === 0));
    expect(clicked).toBeGreaterThan(skipped + 0.1);
  });

  it('truly liked items are exactly those at or above the threshold, most likely first', () => {
    expect(TRUTH_DEFAULTS.minClickProbability).toBe(0.5);
    for (const user of ['u3', 'u42']) {
      const expected = world.items
        .map((it) => ({ item: it.id, p: worldProbability(world, user, it.id) }))
        .filter((x) => x.p >= 0.5)
        .sort((a, b) => b.p - a.p)
        .map((x) => x.item);
      const got = trulyLikedItems(ds, user);
      expect(got.map((x) => x.item)).toEqual(expected);
      expect(got.length).toBeGreaterThan(5);
      expect(got.length).toBeLessThan(world.items.length / 4);
      for (let k = 1; k < got.length; k++) expect(got[k]!.clickProbability).toBeLessThanOrEqual(got[k - 1]!.clickProbability);
      // A stricter threshold keeps a prefix.
      const strict = trulyLikedItems(ds, user, { minClickProbability: 0.7 }).map((x) => x.item);
      expect(strict).toEqual(expected.slice(0, strict.length));
      expect(strict.length).toBeLessThan(expected.length);
    }
    expect(() => trulyLikedItems(ds, 'u3', { minClickProbability: 1 })).toThrow(/minClickProbability/);
  });

  it('leaves out items not yet uploaded at the moment asked', () => {
    const at = SYNTHETIC_DEFAULTS.start + 5 * DAY;
    const liked = trulyLikedItems(ds, 'u3', { at });
    expect(liked.length).toBeGreaterThan(0);
    for (const { item } of liked) expect(ds.items.get(item)!.created!).toBeLessThanOrEqual(at);
    const all = trulyLikedItems(ds, 'u3');
    const online = all.filter((x) => ds.items.get(x.item)!.created! <= at);
    expect(liked).toEqual(online);
  });
});

describe('truthSplit', () => {
  it('keeps train, has every test user in order, at their first test moment, with only label-1 clicks', () => {
    expect(truth.train).toBe(split.train);
    const order: string[] = [];
    const first = new Map<string, number>();
    for (const x of split.test) {
      if (!first.has(x.user)) {
        first.set(x.user, x.at);
        order.push(x.user);
      }
    }
    const truthOrder = [...new Set(truth.test.map((x) => x.user))];
    expect(truthOrder).toEqual(order.filter((u) => truthOrder.includes(u)));
    expect(truth.counts.testUsers).toBe(order.length);
    expect(truth.counts.users + truth.counts.usersWithoutLiked).toBe(order.length);
    expect(truth.counts.users).toBe(truthOrder.length);
    expect(truth.counts.users).toBeGreaterThan(order.length * 0.9);
    expect(truth.counts.liked).toBe(truth.test.length);
    for (const x of truth.test) {
      expect(x.label).toBe(1);
      expect(x.type).toBe('click');
      expect(x.at).toBe(first.get(x.user));
    }
    for (let i = 1; i < truth.test.length; i++) expect(truth.test[i]!.at).toBeGreaterThanOrEqual(truth.test[i - 1]!.at);
    // Deterministic.
    expect(truthSplit(ds, split).test).toEqual(truth.test);
  });

  it("holds each user's truly liked items minus the ones met in train", () => {
    const seenItems = (user: string): Set<string> => new Set(split.train.filter((x) => x.user === user).map((x) => x.item));
    let excluded = 0;
    const first = new Map<string, number>();
    for (const x of split.test) if (!first.has(x.user)) first.set(x.user, x.at);
    for (const [user, at] of first) {
      const seen = seenItems(user);
      const liked = trulyLikedItems(ds, user, { at }).map((x) => x.item);
      const rows = truth.test.filter((x) => x.user === user).map((x) => x.item);
      expect(rows).toEqual(liked.filter((i) => !seen.has(i)));
      for (const i of rows) expect(seen.has(i)).toBe(false);
      excluded += liked.length - rows.length;
    }
    // The old feed did show some liked items: the exclusion is exercised, and counted.
    expect(excluded).toBeGreaterThan(0);
    expect(truth.counts.likedSeenInTrain).toBe(excluded);
    // The protocol sees no relevant item the user had in train.
    expect(prepareProtocol(truth, catalog).counts.relevantSeenByUser).toBe(0);
  });

  it('is a valid evaluateFeed input: most-popular scores low, ranking by the true probability scores 1', () => {
    const counts = new Map<string, number>();
    for (const x of split.train) if (x.label === 1) counts.set(x.item, (counts.get(x.item) ?? 0) + 1);
    const byPopularity = catalog.slice().sort((a, b) => (counts.get(b) ?? 0) - (counts.get(a) ?? 0));
    const popular: RankFeed = (_u, _h, exclude, k) => byPopularity.filter((i) => !exclude.has(i)).slice(0, k);

    const at = new Map(truth.test.map((x) => [x.user, x.at]));
    const oracle: RankFeed = (user, _h, exclude, k) =>
      catalog
        .filter((i) => !exclude.has(i))
        // Items not yet online at the user's moment cannot be liked then: last.
        .map((i) => ({ i, p: ds.items.get(i)!.created! <= at.get(user)! ? ds.truth!.clickProbability(user, i) : -1 }))
        .sort((a, b) => b.p - a.p)
        .slice(0, k)
        .map((x) => x.i);

    const pop = evaluateFeed(truth, catalog, popular, 10, ds.items);
    const best = evaluateFeed(truth, catalog, oracle, 10, ds.items);
    expect(pop.users).toBe(truth.counts.users);
    expect(pop.usersWithoutPositives).toBe(0);
    expect(pop.relevant).toBe(truth.counts.liked);
    expect(Number.isFinite(pop['ndcg@10']!)).toBe(true);
    expect(pop['ndcg@10']!).toBeGreaterThan(0);
    expect(pop['ndcg@10']!).toBeLessThan(0.6);
    expect(best['ndcg@10']).toBeCloseTo(1, 12);
    expect(best['precision@10']).toBeGreaterThan(pop['precision@10']!);
    // The logged test judges the same popular feed differently: the two measures are distinct.
    const logged = evaluateFeed(split, catalog, popular, 10, ds.items);
    console.log(`truth vs log, most-popular NDCG@10: ${pop['ndcg@10']!.toFixed(4)} vs ${logged['ndcg@10']!.toFixed(4)}; oracle ${best['ndcg@10']!.toFixed(4)}`);
    expect(logged['ndcg@10']).not.toBeCloseTo(pop['ndcg@10']!, 3);
  });
});
