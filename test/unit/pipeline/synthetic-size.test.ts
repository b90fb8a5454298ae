// Sizing the synthetic platform (`ondeck build --dataset synthetic --users --items --interactions`)
// and evaluating a sample of test users on large data: clear errors for bad sizes, counts close
// to what was asked, the demo unchanged, and a sample that is seeded and bounded.
import { describe, expect, it } from 'vitest';
import { BuildOptionError, parseBuildArgs } from '../../../src/pipeline/build/options.ts';
import { sampledNdcg } from '../../../src/pipeline/build/evaluation-sample.ts';
import { DatasetOptionError } from '../../../src/pipeline/data/errors.ts';
import { generateSynthetic, perUserTemporalSplit, sampleTestUsers, type Interaction } from '../../../src/pipeline/data/index.ts';

describe('ondeck build --dataset synthetic sizes', () => {
  it('parses users, items and interactions', () => {
    const o = parseBuildArgs(['--dataset', 'synthetic', '--users', '12000', '--items', '20_000', '--interactions', '1000000']);
    expect(o.synthetic).toEqual({ users: 12000, items: 20000, interactions: 1000000 });
    expect(o.items).toBeUndefined();
  });

  it('scales the users with --interactions alone, at the demo density', () => {
    expect(parseBuildArgs(['--dataset', 'synthetic', '--interactions', '10000000']).synthetic).toEqual({ users: 120000, interactions: 10000000 });
  });

  it('leaves the demo alone without size options', () => {
    expect(parseBuildArgs(['--dataset', 'synthetic']).synthetic).toBeUndefined();
    // --items stays the items CSV of csv and events.
    const csv = parseBuildArgs(['--dataset', 'csv', '--path', 'x.csv', '--items', 'items.csv']);
    expect(csv.items).toBe('items.csv');
    expect(csv.synthetic).toBeUndefined();
  });

  const bad: [string[], RegExp][] = [
    [['--users', '0'], /--users must be a whole number >= 1 \(digits, e\.g\. 1000000\), got "0"/],
    [['--items', '1e6'], /--items must be a whole number >= 1 .*got "1e6"/],
    [['--interactions', '10k'], /--interactions must be a whole number >= 1 .*got "10k"/],
    [['--interactions=-5'], /--interactions must be a whole number/],
    // 1,000 users x 30 sessions x 15 impressions = 450,000 at most.
    [['--users', '1000', '--interactions', '1000000'], /--interactions: 1000000 for 1000 users is 1000\.0 per user; .* must be 15000\.\.450000/],
    [['--users', '1000', '--interactions', '5000'], /must be 15000\.\.450000/],
  ];
  it.each(bad)('refuses %j with a message naming the flag', (args, message) => {
    expect(() => parseBuildArgs(['--dataset', 'synthetic', ...args])).toThrow(BuildOptionError);
    expect(() => parseBuildArgs(['--dataset', 'synthetic', ...args])).toThrow(message);
  });

  it('refuses sizes for a dataset that is read, not generated', () => {
    expect(() => parseBuildArgs(['--dataset', 'movielens', '--users', '10'])).toThrow(/--users is for --dataset synthetic, not movielens/);
    expect(() => parseBuildArgs(['--dataset', 'movielens', '--items', '10'])).toThrow(/--items is for --dataset csv, events or synthetic, not movielens/);
  });
});

describe('generateSynthetic with an interaction count', () => {
  it('comes within 5% of the count asked, deterministically', () => {
    for (const [users, items, interactions] of [[300, 500, 20_000], [1000, 2000, 100_000]] as const) {
      const ds = generateSynthetic({ seed: 5, users, items, interactions });
      expect(ds.users.size).toBe(users);
      expect(ds.items.size).toBe(items);
      expect(Math.abs(ds.interactions.length / interactions - 1)).toBeLessThan(0.05);
    }
    const a = generateSynthetic({ seed: 5, users: 300, items: 500, interactions: 20_000 });
    const b = generateSynthetic({ seed: 5, users: 300, items: 500, interactions: 20_000 });
    expect(b.interactions).toEqual(a.interactions);
  });

  it('names the field of a bad count', () => {
    expect(() => generateSynthetic({ seed: 1, interactions: 0 })).toThrow(DatasetOptionError);
    expect(() => generateSynthetic({ seed: 1, interactions: 0 })).toThrow(/^interactions: must be an integer >= 1, got 0$/);
    expect(() => generateSynthetic({ seed: 1, interactions: 1000, sessionsPerUser: 3 })).toThrow(/interactions: sets sessionsPerUser; give one of the two/);
  });
});

const row = (user: string, item: string, at: number, label: 0 | 1 = 1): Interaction => ({ user, item, at, label, type: label ? 'click' : 'impression' });

describe('sampleTestUsers', () => {
  const users = Array.from({ length: 50 }, (_, u) => `u${u}`);
  const split = {
    train: users.map((u, i) => row(u, 'a', i)),
    test: users.flatMap((u, i) => [row(u, 'b', 100 + i), row(u, 'c', 200 + i, 0)]),
  };

  it('returns the split itself when it has few enough users', () => {
    const r = sampleTestUsers(split, 50, 1);
    expect(r.split).toBe(split);
    expect(r.sample).toBeNull();
  });

  it('keeps max users with all their test rows, in order, train whole; seeded', () => {
    const r = sampleTestUsers(split, 10, 1);
    expect(r.sample).toEqual({ users: 10, of: 50, seed: 1 });
    expect(r.split.train).toBe(split.train);
    const kept = new Set(r.split.test.map((x) => x.user));
    expect(kept.size).toBe(10);
    expect(r.split.test).toHaveLength(20);
    expect(r.split.test).toEqual(split.test.filter((x) => kept.has(x.user)));
    expect(sampleTestUsers(split, 10, 1).split.test).toEqual(r.split.test);
    expect(new Set(sampleTestUsers(split, 10, 2).split.test.map((x) => x.user))).not.toEqual(kept);
    expect(() => sampleTestUsers(split, 0, 1)).toThrow(/^max: must be an integer >= 1, got 0$/);
  });
});

describe('sampledNdcg', () => {
  it('gives the mean NDCG@k of the sample and a 95% interval with the finite-population correction', () => {
    // Four sampled users of 16: two rank their one relevant item first (NDCG 1), two miss it (0).
    const catalog = ['a', 'b', 'c', 'd'];
    const split = {
      train: ['u1', 'u2', 'u3', 'u4'].map((u, i) => row(u, 'a', i)),
      test: [row('u1', 'b', 10), row('u2', 'b', 11), row('u3', 'c', 12), row('u4', 'c', 13)],
    };
    const rank = () => ['b', 'd'];
    const r = sampledNdcg(split, catalog, rank, 2, { users: 4, of: 16, seed: 0 });
    expect(r.measured).toBe(4);
    expect(r.mean).toBe(0.5);
    // sd = sqrt(4 * 0.25 / 3), se = sd / 2, fpc = sqrt(1 - 4/16)
    const half = 1.96 * (Math.sqrt(1 / 3) / 2) * Math.sqrt(0.75);
    expect(r.ci95[0]).toBeCloseTo(0.5 - half, 12);
    expect(r.ci95[1]).toBeCloseTo(0.5 + half, 12);
    expect(r).toMatchObject({ users: 4, of: 16, k: 2 });
  });
});

describe('the default split is unaffected by the bound', () => {
  it('has fewer test users than the evaluation bound, so it is evaluated whole', async () => {
    const { BUILD_DEFAULTS } = await import('../../../src/pipeline/build/defaults.ts');
    const ds = generateSynthetic({ seed: 42 });
    const split = perUserTemporalSplit(ds);
    expect(sampleTestUsers(split, BUILD_DEFAULTS.evaluationUsers, 42).split).toBe(split);
    expect(sampleTestUsers(perUserTemporalSplit({ interactions: split.train }), BUILD_DEFAULTS.validationUsers, 42).sample).toBeNull();
  });
});

describe('prepareProtocol reuse', () => {
  it('indexes a split once per catalog, and again when its arrays grew', async () => {
    const { prepareProtocol } = await import('../../../src/pipeline/evaluate/index.ts');
    const catalog = ['a', 'b', 'c'];
    const split = { train: [row('u1', 'a', 1)], test: [row('u1', 'b', 2)] };
    const p = prepareProtocol(split, catalog);
    expect(prepareProtocol(split, catalog)).toBe(p);
    expect(prepareProtocol(split, [...catalog])).not.toBe(p);
    split.test.push(row('u2', 'c', 3));
    const q = prepareProtocol(split, catalog);
    expect(q).not.toBe(p);
    expect(q.users.map((u) => u.user)).toEqual(['u1', 'u2']);
  });
});
