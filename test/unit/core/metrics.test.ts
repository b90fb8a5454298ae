import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/core/errors.ts';
import { auc, catalogCoverage, categorySetDistance, intraListDiversity, logloss, mapAtK, meanOver, ndcgAtK, precisionAtK, recallAtK } from '../../../src/core/metrics/index.ts';
import { categoryDistance, embeddingDistance } from '../../../src/core/metrics/catalog.ts';
import { SingleClassError } from '../../../src/core/metrics/classification.ts';

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('did not throw');
}

const L2 = Math.log2(3); // 1.5849625007211562
const L3 = 2; // log2(4)

describe('retrieval metrics, one user', () => {
  // ranked 1..5, relevant {1, 3, 6}: hits at ranks 1 and 3; item 6 is never shown.
  const ranked = [1, 2, 3, 4, 5];
  const relevant = new Set([1, 3, 6]);

  it('k = 3', () => {
    expect(recallAtK(ranked, relevant, 3)).toBeCloseTo(2 / 3, 12); // 2 hits / 3 relevant
    expect(precisionAtK(ranked, relevant, 3)).toBeCloseTo(2 / 3, 12); // 2 hits / k = 3
    // DCG = 1/log2(2) + 1/log2(4) = 1.5; IDCG (3 ideal hits) = 1 + 1/log2(3) + 1/2 = 2.1309298
    // NDCG = 1.5 / 2.1309298 = 0.7039180
    expect(ndcgAtK(ranked, relevant, 3)).toBeCloseTo(1.5 / (1 + 1 / L2 + 1 / L3), 12);
    expect(ndcgAtK(ranked, relevant, 3)).toBeCloseTo(0.703918, 6);
    // AP = (P@1 + P@3) / min(3, 3) = (1 + 2/3) / 3 = 0.5555556
    expect(mapAtK(ranked, relevant, 3)).toBeCloseTo(5 / 9, 12);
  });

  it('k = 1', () => {
    expect(recallAtK(ranked, relevant, 1)).toBeCloseTo(1 / 3, 12); // 1 hit / 3 relevant
    expect(precisionAtK(ranked, relevant, 1)).toBe(1); // 1 hit / 1
    expect(ndcgAtK(ranked, relevant, 1)).toBe(1); // DCG 1 / IDCG over min(3, 1) = 1 position: 1
    expect(mapAtK(ranked, relevant, 1)).toBe(1); // P@1 / min(3, 1) = 1 / 1
  });

  it('k larger than the list: the list is padded with misses', () => {
    expect(recallAtK(ranked, relevant, 10)).toBeCloseTo(2 / 3, 12); // still 2 of 3
    expect(precisionAtK(ranked, relevant, 10)).toBeCloseTo(0.2, 12); // 2 hits / k = 10, not / 5
    // IDCG over min(3, 10) = 3 positions, same as k = 3: 0.7039180
    expect(ndcgAtK(ranked, relevant, 10)).toBeCloseTo(0.703918, 6);
    expect(mapAtK(ranked, relevant, 10)).toBeCloseTo(5 / 9, 12); // (1 + 2/3) / min(3, 10)
  });

  it('more relevant items than k: a perfect list scores 1 on NDCG and AP, recall is capped by k', () => {
    const rel = new Set(['a', 'b', 'c', 'd']);
    const list = ['a', 'b', 'x'];
    expect(recallAtK(list, rel, 2)).toBe(0.5); // 2 / 4
    expect(ndcgAtK(list, rel, 2)).toBe(1); // DCG = IDCG over min(4, 2) = 2 positions
    expect(mapAtK(list, rel, 2)).toBe(1); // (1 + 1) / min(4, 2)
  });

  it('duplicates count once: the repeat is a miss that takes a slot', () => {
    const list = ['x', 'x', 'y'];
    const rel = new Set(['x', 'y']);
    expect(recallAtK(list, rel, 3)).toBe(1); // 2 distinct hits / 2, never 3/2
    expect(precisionAtK(list, rel, 3)).toBeCloseTo(2 / 3, 12); // hits at ranks 1 and 3
    // DCG = 1 + 1/log2(4) = 1.5; IDCG (2 ideal) = 1 + 1/log2(3) = 1.6309298; 0.9197208
    expect(ndcgAtK(list, rel, 3)).toBeCloseTo(1.5 / (1 + 1 / L2), 12);
    expect(ndcgAtK(list, rel, 3)).toBeCloseTo(0.919721, 6);
    // AP = (P@1 + P@3) / 2 = (1 + 2/3) / 2 = 0.8333333
    expect(mapAtK(list, rel, 3)).toBeCloseTo(5 / 6, 12);
  });

  it('no hit at all gives 0, an empty list too', () => {
    const rel = new Set([9]);
    for (const f of [recallAtK, precisionAtK, ndcgAtK, mapAtK]) {
      expect(f([1, 2], rel, 2)).toBe(0);
      expect(f([], rel, 2)).toBe(0);
    }
  });

  it('a user with no relevant item gets NaN, and meanOver skips it', () => {
    const none = new Set<number>();
    for (const f of [recallAtK, precisionAtK, ndcgAtK, mapAtK]) expect(f([1, 2], none, 2)).toBeNaN();
    // users: 0.5, undefined, 1 -> mean (0.5 + 1) / 2 = 0.75 over 2, 1 skipped
    expect(meanOver([0.5, NaN, 1])).toEqual({ mean: 0.75, counted: 2, skipped: 1 });
    expect(meanOver([])).toEqual({ mean: NaN, counted: 0, skipped: 0 });
    const users = [
      { ranked: [1, 2], relevant: new Set([2]) }, // recall@2 = 1
      { ranked: [1, 2], relevant: new Set([3, 4]) }, // recall@2 = 0
      { ranked: [1, 2], relevant: new Set<number>() }, // NaN, skipped
    ];
    expect(meanOver(users.map((u) => recallAtK(u.ranked, u.relevant, 2)))).toEqual({ mean: 0.5, counted: 2, skipped: 1 });
  });

  it('rejects k < 1 or not an integer', () => {
    for (const k of [0, -1, 1.5, NaN]) {
      const err = thrown(() => ndcgAtK([1], new Set([1]), k));
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).field).toBe('k');
    }
  });

  it('all metrics stay in [0, 1] and recall/precision agree on random lists (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 15 }), { maxLength: 20 }),
        fc.uniqueArray(fc.integer({ min: 0, max: 15 }), { minLength: 1, maxLength: 10 }),
        fc.integer({ min: 1, max: 25 }),
        (list, rel, k) => {
          const relevant = new Set(rel);
          const values = [recallAtK, precisionAtK, ndcgAtK, mapAtK].map((f) => f(list, relevant, k));
          for (const v of values) expect(v >= 0 && v <= 1 + 1e-12).toBe(true);
          // Both count the same distinct hits.
          expect(values[0]! * relevant.size).toBeCloseTo(values[1]! * k, 9);
        },
      ),
      { numRuns: 500, seed: 3 },
    );
  });
});

/** Brute force: fraction of (positive, negative) pairs ordered right, ties count 1/2. */
function pairwiseAuc(labels: number[], scores: number[]): number {
  let good = 0;
  let pairs = 0;
  for (let i = 0; i < labels.length; i++) {
    for (let j = 0; j < labels.length; j++) {
      if (labels[i] !== 1 || labels[j] !== 0) continue;
      pairs++;
      if (scores[i]! > scores[j]!) good += 1;
      else if (scores[i] === scores[j]) good += 0.5;
    }
  }
  return good / pairs;
}

describe('auc', () => {
  it('hand example without ties', () => {
    // ascending: 0.1 (neg) r1, 0.7 (pos) r2, 0.8 (neg) r3, 0.9 (pos) r4
    // R+ = 2 + 4 = 6; U = 6 − 2·3/2 = 3; AUC = 3 / (2·2) = 0.75
    // (pairs: 0.9>0.8 ✓, 0.9>0.1 ✓, 0.7<0.8 ✗, 0.7>0.1 ✓)
    expect(auc([1, 0, 1, 0], [0.9, 0.8, 0.7, 0.1])).toBe(0.75);
  });

  it('ties get average ranks (half a pair each)', () => {
    // positives 0.5, 0.9, 0.5; negatives 0.5, 0.1
    // ascending: 0.1 r1; three 0.5s share ranks 2, 3, 4 -> 3 each; 0.9 r5
    // R+ = 3 + 5 + 3 = 11; U = 11 − 3·4/2 = 5; AUC = 5 / (3·2) = 0.8333333
    // (pairs: two pos-0.5 vs neg-0.5 ties = 0.5 + 0.5, the other four ordered right = 4)
    expect(auc([1, 0, 1, 0, 1], [0.5, 0.5, 0.9, 0.1, 0.5])).toBeCloseTo(5 / 6, 12);
    // all tied: every pair is half right
    expect(auc([1, 0, 0, 1], [2, 2, 2, 2])).toBe(0.5);
  });

  it('perfect, reversed, infinite scores', () => {
    expect(auc([0, 0, 1, 1], [1, 2, 3, 4])).toBe(1);
    expect(auc([1, 1, 0, 0], [1, 2, 3, 4])).toBe(0);
    // ascending: −∞ (neg) r1, 0 (pos) r2, +∞ (pos) and +∞ (neg) share r3.5
    // R+ = 2 + 3.5 = 5.5; U = 5.5 − 3 = 2.5; AUC = 2.5 / 4 = 0.625
    expect(auc([0, 1, 1, 0], [-Infinity, 0, Infinity, Infinity])).toBe(0.625);
  });

  it('equals the pairwise definition on random inputs (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom(0, 1), fc.integer({ min: 0, max: 6 })), { minLength: 2, maxLength: 60 }),
        (rows) => {
          const labels = rows.map((r) => r[0]);
          const scores = rows.map((r) => r[1]);
          fc.pre(labels.includes(0) && labels.includes(1));
          expect(auc(labels, Float64Array.from(scores))).toBeCloseTo(pairwiseAuc(labels, scores), 12);
        },
      ),
      { numRuns: 500, seed: 5 },
    );
  });

  it('one class only (or nothing) throws SingleClassError', () => {
    for (const labels of [[1, 1, 1], [0, 0], []]) {
      const err = thrown(() => auc(labels, labels.map(() => 0.5)));
      expect(err).toBeInstanceOf(SingleClassError);
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as Error).name).toBe('SingleClassError');
      expect((err as ValidationError).field).toBe('labels');
    }
  });

  it('rejects bad labels, NaN scores and length mismatch', () => {
    expect((thrown(() => auc([1, 2], [0, 1])) as ValidationError).field).toBe('labels[1]');
    expect((thrown(() => auc([1, 0], [NaN, 1])) as ValidationError).field).toBe('scores[0]');
    expect((thrown(() => auc([1, 0], [1])) as ValidationError).field).toBe('scores.length');
  });
});

describe('logloss', () => {
  it('hand example', () => {
    // −(ln 0.8 + ln(1 − 0.4)) / 2 = (0.2231436 + 0.5108256) / 2 = 0.3669846
    expect(logloss([1, 0], [0.8, 0.4])).toBeCloseTo(0.3669846, 7);
  });

  it('clips to [eps, 1 − eps]', () => {
    // p = 0 for a positive -> −ln(1e-7) = 16.1180957
    expect(logloss([1], [0])).toBeCloseTo(16.1180957, 6);
    // p = 1 for a positive -> −ln(1 − 1e-7) ≈ 1.0000001e-7
    expect(logloss([1], [1])).toBeCloseTo(1e-7, 12);
    // eps = 1e-3: −ln(1e-3) = 6.9077553
    expect(logloss([0], [1], 1e-3)).toBeCloseTo(6.9077553, 6);
  });

  it('soft labels', () => {
    // y = 0.5, p = 0.5: −(0.5 ln 0.5 + 0.5 ln 0.5) = ln 2 = 0.6931472
    expect(logloss([0.5], [0.5])).toBeCloseTo(Math.LN2, 12);
  });

  it('rejects bad input', () => {
    expect((thrown(() => logloss([], [])) as ValidationError).field).toBe('labels');
    expect((thrown(() => logloss([1], [1.5])) as ValidationError).field).toBe('probs[0]');
    expect((thrown(() => logloss([2], [0.5])) as ValidationError).field).toBe('labels[0]');
    expect((thrown(() => logloss([1], [0.5], 0)) as ValidationError).field).toBe('eps');
    expect((thrown(() => logloss([1, 0], [0.5])) as ValidationError).field).toBe('probs.length');
  });
});

describe('catalog metrics', () => {
  it('coverage: distinct recommended / catalog size', () => {
    // distinct {1, 2, 3, 4} = 4 of 10
    expect(catalogCoverage([[1, 2, 3], [2, 3, 4], []], 10)).toBe(0.4);
    expect(catalogCoverage([], 10)).toBe(0);
    expect((thrown(() => catalogCoverage([['a', 'b', 'c']], 2)) as ValidationError).field).toBe('lists');
    expect((thrown(() => catalogCoverage([[1]], 0)) as ValidationError).field).toBe('catalogSize');
  });

  it('intra-list diversity by category equality', () => {
    const cat: Record<string, string> = { a: 'news', b: 'news', c: 'sport' };
    const d = categoryDistance((id: string) => cat[id]);
    // pairs (a,b) = 0, (a,c) = 1, (b,c) = 1 -> 2/3
    expect(intraListDiversity(['a', 'b', 'c'], d)).toBeCloseTo(2 / 3, 12);
    // a repeated item is a pair at distance 0
    expect(intraListDiversity(['a', 'a'], d)).toBe(0);
    // fewer than two items: no pair, NaN
    expect(intraListDiversity(['a'], d)).toBeNaN();
    expect(intraListDiversity([], d)).toBeNaN();
  });

  it('intra-list diversity by Jaccard of category sets', () => {
    const tags: Record<string, string[]> = { a: ['x', 'y'], b: ['y', 'z'], c: [], e: [] };
    const d = categorySetDistance((id: string) => tags[id] ?? []);
    // d(a,b) = 1 − |{y}| / |{x,y,z}| = 2/3; d(a,c) = 1 − 0/2 = 1; d(b,c) = 1
    // mean = (2/3 + 1 + 1) / 3 = 8/9 = 0.8888889
    expect(intraListDiversity(['a', 'b', 'c'], d)).toBeCloseTo(8 / 9, 12);
    // two items without categories are taken as identical
    expect(d('c', 'e')).toBe(0);
    // sets work as well as arrays
    const s = categorySetDistance((id: number) => new Set(id === 0 ? [1, 2] : [2]));
    expect(s(0, 1)).toBe(0.5); // 1 − 1/2
  });

  it('intra-list diversity by embeddings (1 − cosine)', () => {
    // rows: 0 = [1, 0], 1 = [0, 1], 2 = [1, 1], 3 = [0, 0]
    const d = embeddingDistance(Float32Array.of(1, 0, 0, 1, 1, 1, 0, 0), 2);
    // d(0,1) = 1 − 0 = 1; d(0,2) = d(1,2) = 1 − 1/√2 = 0.2928932
    // mean = (1 + 2 · 0.2928932) / 3 = 0.5285955
    expect(intraListDiversity([0, 1, 2], d)).toBeCloseTo((1 + 2 * (1 - Math.SQRT1_2)) / 3, 7);
    expect(d(0, 0)).toBeCloseTo(0, 7);
    expect(d(0, 3)).toBe(1); // zero row: cosine 0 by definition
    expect((thrown(() => d(0, 4)) as ValidationError).field).toBe('item');
    expect((thrown(() => embeddingDistance(new Float32Array(3), 2)) as ValidationError).field).toBe('embeddings.length');
  });
});
