import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/core/errors.ts';
import { rerank } from '../../../src/core/rerank/index.ts';
import { RERANK_DEFAULTS } from '../../../src/core/rerank/defaults.ts';
import { explorationPositions } from '../../../src/core/rerank/exploration.ts';
import { DAY_MS, freshnessMultiplier } from '../../../src/core/rerank/freshness.ts';
import { REASONS } from '../../../src/core/rerank/reasons.ts';
import type { RerankCandidate, RerankOptions } from '../../../src/core/rerank/index.ts';
import { mulberry32 } from '../../support/vector-data.ts';
import { fieldOf } from '../../support/field-of.ts';

// Hand-made cases: each expected feed is worked out in the comments.

const NOW = Date.UTC(2025, 0, 31);

/** Unit vector along axis `axis` of a `dim`-space. */
function axis(axis: number, dim = 8): Float32Array {
  const v = new Float32Array(dim);
  v[axis] = 1;
  return v;
}

function item(id: string, score: number, embedding: Float32Array, extra: Partial<RerankCandidate> = {}): RerankCandidate {
  return {
    id,
    score,
    pClick: score,
    watchFraction: null,
    embedding,
    categories: [],
    popularity: 0,
    source: 'retrieval',
    ...extra,
  };
}

/** Options that switch off every step a test does not look at. */
function opts(extra: Partial<RerankOptions> = {}): RerankOptions {
  return {
    count: 10,
    now: NOW,
    seen: new Set(),
    hidden: new Set(),
    seed: 1,
    freshBoost: 0,
    explorationSlots: 0,
    maxPerCategory: 100,
    ...extra,
  };
}

const ids = (feed: { id: string }[]): string[] => feed.map((x) => x.id);


describe('rerank: filtering', () => {
  it('drops seen and hidden items, and keeps order and positions', () => {
    // Orthogonal vectors: no MMR penalty, so the order is the score order.
    const cands = [item('a', 0.9, axis(0)), item('b', 0.8, axis(1)), item('c', 0.7, axis(2)), item('d', 0.6, axis(3))];
    const feed = rerank(cands, opts({ seen: new Set(['a']), hidden: new Set(['c']) }));
    expect(ids(feed)).toEqual(['b', 'd']);
    expect(feed.map((x) => x.position)).toEqual([0, 1]);
    expect(feed[0]).toEqual({ id: 'b', score: 0.8, pClick: 0.8, watchFraction: null, reason: REASONS.fallback, position: 0 });
  });

  it('returns what is left when fewer candidates than count, and [] for none', () => {
    const cands = [item('a', 0.9, axis(0)), item('b', 0.8, axis(1))];
    expect(ids(rerank(cands, opts({ count: 5 })))).toEqual(['a', 'b']);
    expect(rerank([], opts())).toEqual([]);
    expect(rerank(cands, opts({ seen: new Set(['a', 'b']) }))).toEqual([]);
  });

  it('a repeated id appears once, as its better-scored copy', () => {
    // The same item from the head shard and from retrieval, even with the dedup switched off.
    const cands = [item('a', 0.5, axis(0), { source: 'head' }), item('b', 0.6, axis(1)), item('a', 0.7, axis(0))];
    const feed = rerank(cands, opts({ duplicateCosine: 1 }));
    expect(ids(feed)).toEqual(['a', 'b']);
    expect(feed[0]!.score).toBe(0.7);
  });
});

describe('rerank: near-duplicates', () => {
  const at = (deg: number): Float32Array => {
    const v = new Float32Array(8);
    v[0] = Math.cos((deg * Math.PI) / 180);
    v[1] = Math.sin((deg * Math.PI) / 180);
    return v;
  };

  it('keeps the better-scored of two near-copies', () => {
    // cos(a, a2) = cos 5° = 0.9962 > 0.97: a2 has the better score, so a goes.
    const cands = [item('a', 0.5, at(0)), item('a2', 0.6, at(5)), item('b', 0.4, axis(2))];
    expect(ids(rerank(cands, opts()))).toEqual(['a2', 'b']);
    // With the threshold above cos 5°, both stay.
    expect(ids(rerank(cands, opts({ duplicateCosine: 0.999, mmrLambda: 1 })))).toEqual(['a2', 'a', 'b']);
  });

  it('compares with kept items only: a chain A~B~C keeps A and C', () => {
    // cos(A, B) = cos(B, C) = cos 10° = 0.985 > 0.97, cos(A, C) = cos 20° = 0.940.
    // Best first: A kept; B is a copy of kept A, dropped; C's only near item is B, which was
    // dropped, so C stays.
    const cands = [item('C', 0.7, at(20)), item('B', 0.8, at(10)), item('A', 0.9, at(0))];
    expect(ids(rerank(cands, opts({ mmrLambda: 1 })))).toEqual(['A', 'C']);
  });

  it('decides the same when the lower item is asked about first (the category cap defers A)', () => {
    // A is over the cap (its category is full after X), so MMR asks about C before B or A:
    // resolving C needs B, which needs A; the answer must still be {A kept, B dropped, C kept}.
    const cands = [
      item('X', 1.0, axis(5), { categories: ['k'] }),
      item('A', 0.9, at(0), { categories: ['k'] }),
      item('B', 0.8, at(10), { categories: ['k'] }),
      item('C', 0.7, at(20)),
    ];
    // X (cap full for k), then C (the only item within the cap), then the cap gives way: A.
    expect(ids(rerank(cands, opts({ maxPerCategory: 1, mmrLambda: 1 })))).toEqual(['X', 'C', 'A']);
  });
});

describe('rerank: MMR', () => {
  // A = e0; B = 0.9·e0 + √0.19·e1, so cos(A, B) = 0.9 (a near-copy, under the 0.97 threshold);
  // C = e2, orthogonal to both.
  const B = new Float32Array(8);
  B[0] = 0.9;
  B[1] = Math.sqrt(0.19);
  const cands = [item('A', 1.0, axis(0)), item('B', 0.95, B), item('C', 0.9, axis(2))];

  it('picks a diverse item over a near-copy with a slightly higher score', () => {
    // λ = 0.8, relevance = score / 1.0.
    // 1st: A (0.8·1.0 = 0.80, the largest).
    // 2nd: B: 0.8·0.95 − 0.2·0.9 = 0.76 − 0.18 = 0.58;  C: 0.8·0.9 − 0.2·0 = 0.72  -> C.
    // 3rd: B (max cos with {A, C} = 0.9).
    expect(ids(rerank(cands, opts({ mmrLambda: 0.8 })))).toEqual(['A', 'C', 'B']);
  });

  it('λ = 1 is the score order; a smaller λ needs a bigger score gap to keep B second', () => {
    expect(ids(rerank(cands, opts({ mmrLambda: 1 })))).toEqual(['A', 'B', 'C']);
    // λ = 0.95: B: 0.95·0.95 − 0.05·0.9 = 0.8575; C: 0.95·0.9 = 0.855 -> B, just.
    expect(ids(rerank(cands, opts({ mmrLambda: 0.95 })))).toEqual(['A', 'B', 'C']);
    // λ = 0.9: B: 0.855 − 0.09 = 0.765; C: 0.81 -> C.
    expect(ids(rerank(cands, opts({ mmrLambda: 0.9 })))).toEqual(['A', 'C', 'B']);
  });
});

describe('rerank: category cap', () => {
  // Orthogonal vectors: MMR reduces to the score order, so only the cap reorders.
  const cands = [
    item('c1', 0.9, axis(0), { categories: ['Comedy'] }),
    item('c2', 0.85, axis(1), { categories: ['Comedy'] }),
    item('c3', 0.8, axis(2), { categories: ['Comedy'] }),
    item('c4', 0.75, axis(3), { categories: ['Comedy'] }),
    item('d1', 0.5, axis(4), { categories: ['Drama'] }),
    item('cd', 0.45, axis(5), { categories: ['Drama', 'Comedy'] }),
    item('d2', 0.4, axis(6), { categories: ['Drama'] }),
    item('n1', 0.3, axis(7)),
  ];

  it('respects maxPerCategory', () => {
    // Cap 2: c1, c2 fill Comedy; c3, c4 and cd (it is Comedy too) are skipped: d1, d2.
    expect(ids(rerank(cands, opts({ count: 4, maxPerCategory: 2 })))).toEqual(['c1', 'c2', 'd1', 'd2']);
    expect(ids(rerank(cands, opts({ count: 4, maxPerCategory: 4 })))).toEqual(['c1', 'c2', 'c3', 'c4']);
  });

  it('gives way only when nothing within the cap is left', () => {
    // c1 c2 d1 d2 n1 fit; then Comedy and Drama are full and only capped items remain: the
    // cap gives way and the score order resumes (c3, c4, cd).
    expect(ids(rerank(cands, opts({ count: 8, maxPerCategory: 2 })))).toEqual(['c1', 'c2', 'd1', 'd2', 'n1', 'c3', 'c4', 'cd']);
  });

  it('defaults to ceil(count / 3)', () => {
    // count 6 -> cap 2: the same as above, cut at 6.
    const feed = rerank(cands, { count: 6, now: NOW, seen: new Set(), hidden: new Set(), seed: 1, freshBoost: 0 });
    expect(ids(feed)).toEqual(['c1', 'c2', 'd1', 'd2', 'n1', 'c3']);
  });
});

describe('rerank: freshness', () => {
  const days = (n: number): number => NOW - n * DAY_MS;
  const cands = [
    item('old', 0.5, axis(0), { created: days(30) }),
    item('new', 0.45, axis(1), { created: days(0) }),
    item('mid', 0.42, axis(2), { created: days(3) }),
    item('unknown', 0.4, axis(3)),
  ];

  it('boosts recent uploads by 1 + 0.3 · 2^(−age / 3 days)', () => {
    // old:     0.5  · (1 + 0.3 · 2^−10) = 0.5 · 1.00029296875 = 0.500146484375
    // new:     0.45 · 1.3                = 0.585
    // mid:     0.42 · (1 + 0.3 · 2^−1)   = 0.42 · 1.15 = 0.483
    // unknown: 0.4  · 1                  = 0.4
    const feed = rerank(cands, opts({ freshBoost: 0.3, freshnessHalfLifeDays: 3 }));
    expect(ids(feed)).toEqual(['new', 'old', 'mid', 'unknown']);
    expect(feed.map((x) => x.score)).toEqual([
      expect.closeTo(0.585, 12),
      expect.closeTo(0.500146484375, 12),
      expect.closeTo(0.483, 12),
      0.4,
    ]);
    // Without the boost, the base order.
    expect(ids(rerank(cands, opts({ freshBoost: 0 })))).toEqual(['old', 'new', 'mid', 'unknown']);
  });

  it('treats an upload in the future as brand new, and uses the documented defaults', () => {
    expect(freshnessMultiplier(NOW + DAY_MS, NOW, 3, 0.3)).toBe(1.3);
    expect(freshnessMultiplier(undefined, NOW, 3, 0.3)).toBe(1);
    expect(RERANK_DEFAULTS.freshBoost).toBe(0.3);
    expect(RERANK_DEFAULTS.freshnessHalfLifeDays).toBe(3);
  });
});

describe('rerank: exploration', () => {
  it('places slots at the middle of equal stretches of the page', () => {
    expect(explorationPositions(20, 2)).toEqual([5, 15]);
    expect(explorationPositions(20, 1)).toEqual([10]);
    // (2i + 1) · 10 / 6 = 1.67, 5, 8.33
    expect(explorationPositions(10, 3)).toEqual([1, 5, 8]);
    expect(explorationPositions(3, 3)).toEqual([0, 1, 2]);
    expect(explorationPositions(20, 0)).toEqual([]);
  });

  it('fills a slot with the one item from a category the user does not watch', () => {
    // count 3, 1 slot at floor(3 / 2) = 1. MMR takes c1 and c2 (orthogonal, score order);
    // of the rest, only h is outside Comedy (the user's usual category).
    const cands = [
      item('c1', 0.9, axis(0), { categories: ['Comedy'] }),
      item('c2', 0.8, axis(1), { categories: ['Comedy'] }),
      item('c3', 0.7, axis(2), { categories: ['Comedy'] }),
      item('h', 0.1, axis(3), { categories: ['Horror'] }),
    ];
    const feed = rerank(cands, opts({ count: 3, explorationSlots: 1, userCategories: new Map([['Comedy', 0.8]]) }));
    expect(ids(feed)).toEqual(['c1', 'h', 'c2']);
    expect(feed.map((x) => x.reason)).toEqual(['Because you watch Comedy', 'Something different', 'Because you watch Comedy']);
  });

  // 30 items of the user's categories, scored above 10 documentaries they never watch.
  const rand = mulberry32(7);
  const unit = (): Float32Array => {
    const v = new Float32Array(16);
    for (let k = 0; k < 16; k++) v[k] = rand() - 0.5;
    return v;
  };
  const cands: RerankCandidate[] = [];
  for (let i = 0; i < 30; i++) cands.push(item(`u${i}`, 0.9 - i * 0.01, unit(), { categories: [i % 2 ? 'Comedy' : 'Drama'] }));
  for (let i = 0; i < 10; i++) cands.push(item(`doc${i}`, 0.3 - i * 0.01, unit(), { categories: ['Documentary'] }));
  const userCategories = new Map([
    ['Comedy', 0.6],
    ['Drama', 0.4],
  ]);
  const run = (seed: number) => rerank(cands, opts({ count: 20, explorationSlots: 2, userCategories, seed }));

  it('puts exploration at positions 5 and 15 of 20, deterministically for a seed', () => {
    const feed = run(42);
    expect(feed).toHaveLength(20);
    const explored = feed.filter((x) => x.reason === REASONS.exploration);
    expect(explored.map((x) => x.position)).toEqual([5, 15]);
    for (const x of explored) expect(x.id).toMatch(/^doc/);
    // The 18 others are MMR picks: the user's categories, none of the documentaries.
    expect(feed.filter((x) => x.reason !== REASONS.exploration).every((x) => x.id.startsWith('u'))).toBe(true);
    expect(run(42)).toEqual(feed);
  });

  it('varies the picks with the seed', () => {
    const picks = new Set<string>();
    for (let seed = 0; seed < 20; seed++) picks.add(run(seed).filter((x) => x.reason === REASONS.exploration).map((x) => x.id).join(','));
    expect(picks.size).toBeGreaterThan(3);
  });

  it('defaults to floor(count / 20) slots, in the middle of the page', () => {
    const slots = (count: number) =>
      rerank(cands, { count, now: NOW, seen: new Set(), hidden: new Set(), seed: 3, userCategories })
        .filter((x) => x.reason === REASONS.exploration)
        .map((x) => x.position);
    expect(slots(20)).toEqual([10]);
    // A page of 10 (NDCG@10's page) explores only from 20 on: the first ten are the best bets.
    expect(slots(10)).toEqual([]);
  });
});

describe('rerank: reasons', () => {
  it('gives each item the first reason that holds', () => {
    const d = (n: number): number => NOW - n * DAY_MS;
    const c = (id: string, score: number, k: number, extra: Partial<RerankCandidate>): RerankCandidate =>
      item(id, score, axis(k, 9), extra);
    const cands = [
      c('r1', 0.9, 0, { categories: ['Comedy'], popularity: 10 }),
      // Comedy (0.5) beats Drama (0.2).
      c('r2', 0.85, 1, { categories: ['Drama', 'Comedy'], popularity: 20 }),
      // Horror's 0.05 is under usualCategoryShare 0.1: Drama it is.
      c('r3', 0.8, 2, { categories: ['Horror', 'Drama'], popularity: 30 }),
      c('h1', 0.75, 3, { categories: ['News'], source: 'head', popularity: 1000 }),
      // Head but not popular enough; one day old: New.
      c('h2', 0.7, 4, { categories: ['News'], source: 'head', popularity: 40, created: d(1) }),
      // Popular, but from retrieval, and old.
      c('r4', 0.65, 5, { categories: ['Sports'], popularity: 2000, created: d(30) }),
      c('r5', 0.6, 6, { categories: ['Sports'], popularity: 50, created: d(1) }),
      // 3 days is past newWithinDays (2).
      c('r6', 0.55, 7, { popularity: 60, created: d(3) }),
      // Popular head item, but the user's category comes first.
      c('h3', 0.5, 8, { categories: ['Comedy'], source: 'head', popularity: 3000 }),
    ];
    // Popularity sorted: 10 20 30 40 50 60 1000 2000 3000; the 0.75 quantile is the
    // ceil(0.75 · 9) = 7th smallest, 1000: h1 (1000) is popular, h2 (40) is not.
    const userCategories = new Map([
      ['Comedy', 0.5],
      ['Drama', 0.2],
      ['Horror', 0.05],
    ]);
    const feed = rerank(cands, opts({ count: 9, userCategories }));
    expect(feed.map((x) => [x.id, x.reason])).toEqual([
      ['r1', 'Because you watch Comedy'],
      ['r2', 'Because you watch Comedy'],
      ['r3', 'Because you watch Drama'],
      ['h1', 'Popular now'],
      ['h2', 'New'],
      ['r4', 'Recommended for you'],
      ['r5', 'New'],
      ['r6', 'Recommended for you'],
      ['h3', 'Because you watch Comedy'],
    ]);
  });
});

describe('rerank: new user', () => {
  it('says "Popular with everyone" where a known user would read "Recommended for you"', () => {
    const cands = [item('a', 0.9, axis(0)), item('b', 0.8, axis(1))];
    expect(rerank(cands, opts({ newUser: true })).map((x) => x.reason)).toEqual([REASONS.everyone, REASONS.everyone]);
    expect(rerank(cands, opts({})).map((x) => x.reason)).toEqual([REASONS.fallback, REASONS.fallback]);
    expect(REASONS.everyone).toBe('Popular with everyone');
  });
});

describe('rerank: validation', () => {
  const cands = [item('a', 0.5, axis(0)), item('b', 0.4, axis(1))];

  it('names the bad option', () => {
    expect(fieldOf(() => rerank(cands, opts({ count: 0 })))).toBe('count');
    expect(fieldOf(() => rerank(cands, opts({ count: -3 })))).toBe('count');
    expect(fieldOf(() => rerank(cands, opts({ count: 2.5 })))).toBe('count');
    expect(fieldOf(() => rerank(cands, opts({ now: NaN })))).toBe('now');
    expect(fieldOf(() => rerank(cands, opts({ seed: 0.5 })))).toBe('seed');
    expect(fieldOf(() => rerank(cands, opts({ mmrLambda: 1.5 })))).toBe('mmrLambda');
    expect(fieldOf(() => rerank(cands, opts({ duplicateCosine: NaN })))).toBe('duplicateCosine');
    expect(fieldOf(() => rerank(cands, opts({ maxPerCategory: 0 })))).toBe('maxPerCategory');
    expect(fieldOf(() => rerank(cands, opts({ freshnessHalfLifeDays: 0 })))).toBe('freshnessHalfLifeDays');
    expect(fieldOf(() => rerank(cands, opts({ freshBoost: -0.1 })))).toBe('freshBoost');
    expect(fieldOf(() => rerank(cands, opts({ count: 2, explorationSlots: 3 })))).toBe('explorationSlots');
    expect(fieldOf(() => rerank(cands, opts({ seen: ['a'] as unknown as Set<string> })))).toBe('seen');
    expect(fieldOf(() => rerank(cands, opts({ userCategories: new Map([['Comedy', 2]]) })))).toBe('userCategories.Comedy');
    expect(fieldOf(() => rerank(cands, opts({ userCategories: { Comedy: 0.5 } as unknown as Map<string, number> })))).toBe(
      'userCategories',
    );
  });

  it('names the bad candidate field', () => {
    const bad = (i: number, extra: Record<string, unknown>) => cands.map((c, k) => (k === i ? { ...c, ...extra } : c)) as RerankCandidate[];
    expect(fieldOf(() => rerank(bad(1, { score: NaN }), opts()))).toBe('candidates[1].score');
    expect(fieldOf(() => rerank(bad(0, { score: -1 }), opts()))).toBe('candidates[0].score');
    expect(fieldOf(() => rerank(bad(0, { pClick: 1.2 }), opts()))).toBe('candidates[0].pClick');
    expect(fieldOf(() => rerank(bad(1, { watchFraction: NaN }), opts()))).toBe('candidates[1].watchFraction');
    expect(fieldOf(() => rerank(bad(1, { embedding: new Float32Array(3) }), opts()))).toBe('candidates[1].embedding');
    expect(fieldOf(() => rerank(bad(0, { embedding: Float32Array.of(0, NaN, 0, 0, 0, 0, 0, 0) }), opts()))).toBe(
      'candidates[0].embedding[1]',
    );
    expect(fieldOf(() => rerank(bad(0, { embedding: [1, 0] }), opts()))).toBe('candidates[0].embedding');
    expect(fieldOf(() => rerank(bad(1, { created: Infinity }), opts()))).toBe('candidates[1].created');
    expect(fieldOf(() => rerank(bad(1, { source: 'cluster' }), opts()))).toBe('candidates[1].source');
    expect(fieldOf(() => rerank(bad(0, { categories: [1] }), opts()))).toBe('candidates[0].categories[0]');
  });

  it('throws ValidationError, whose name survives comlink', () => {
    let err: unknown;
    try {
      rerank(cands, opts({ count: 0 }));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as Error).name).toBe('ValidationError');
    expect((err as Error).message).toMatch(/^count: must be an integer ≥ 1/);
  });
});
