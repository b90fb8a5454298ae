// EASE and ItemKNN, the item-item baselines (and the retrieval model's base), on data small
// enough to check by hand.
import { describe, expect, it } from 'vitest';
import { fitEase, fitItemKnn, itemItemModel, scoreHistory } from '../../../src/pipeline/baselines/index.ts';
import { invertSpd } from '../../../src/pipeline/baselines/item-item.ts';
import type { Interaction } from '../../../src/pipeline/data/index.ts';
import { catalogIndex } from '../../../src/pipeline/evaluate/index.ts';

const like = (user: string, item: string, at: number): Interaction => ({ user, item, at, label: 1, type: 'like' });
const skip = (user: string, item: string, at: number): Interaction => ({ user, item, at, label: 0, type: 'skip' });

// Three users over items a, b, c, d: a and b go together, c with a once, d never liked.
const catalog = ['a', 'b', 'c', 'd'];
const train: Interaction[] = [
  like('u1', 'a', 1), like('u1', 'b', 2),
  like('u2', 'a', 3), like('u2', 'b', 4), like('u2', 'c', 5),
  like('u3', 'b', 6), skip('u3', 'd', 7),
];

describe('invertSpd', () => {
  it('inverts a symmetric positive definite matrix', () => {
    const n = 5;
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) a[i * n + j] = (i === j ? 6 : 0) + 1 / (1 + i + j);
    const p = invertSpd(a, n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let k = 0; k < n; k++) s += a[i * n + k]! * p[k * n + j]!;
        expect(s).toBeCloseTo(i === j ? 1 : 0, 12);
      }
    }
  });

  it('names λ when the matrix is not positive definite', () => {
    expect(() => invertSpd(Float64Array.from([1, 2, 2, 1]), 2)).toThrow(/λ/);
  });
});

describe('fitEase', () => {
  it('matches the closed form B = I − P·diag(1/diag P), P = (XᵀX + λI)⁻¹, on the liked items', () => {
    const lambda = 2;
    const m = fitEase(train, catalog, { lambda });
    // d is never liked: not modelled.
    expect(Array.from(m.items)).toEqual([0, 1, 2]);
    expect(m.rowOf[3]).toBe(-1);
    // XᵀX over a, b, c: a: 2 users, b: 3, c: 1; ab 2, ac 1, bc 1.
    const g = Float64Array.from([2 + lambda, 2, 1, 2, 3 + lambda, 1, 1, 1, 1 + lambda]);
    const p = invertSpd(g, 3);
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        const expected = i === j ? 0 : -p[i * 3 + j]! / p[j * 3 + j]!;
        expect(m.weights[i * 3 + j]).toBeCloseTo(expected, 6);
      }
    }
    // a and b vote for each other more than for c.
    expect(m.weights[0 * 3 + 1]).toBeGreaterThan(m.weights[0 * 3 + 2]!);
  });

  it('keeps only the maxItems most liked items', () => {
    const m = fitEase(train, catalog, { lambda: 1, maxItems: 2 });
    expect(Array.from(m.items)).toEqual([0, 1]);
    expect(m.rowOf[2]).toBe(-1);
  });

  it('refuses λ ≤ 0 and an item outside the catalogue', () => {
    expect(() => fitEase(train, catalog, { lambda: 0 })).toThrow(/lambda/);
    expect(() => fitEase([like('u1', 'zz', 1)], catalog, { lambda: 1 })).toThrow(/"zz" is not in the catalog/);
  });
});

describe('fitItemKnn', () => {
  it('is the cosine of the items’ user sets', () => {
    const m = fitItemKnn(train, catalog);
    const w = (i: number, j: number) => m.weights[m.rowOf[i]! * m.items.length + m.rowOf[j]!]!;
    expect(w(0, 1)).toBeCloseTo(2 / Math.sqrt(2 * 3), 6);
    expect(w(0, 2)).toBeCloseTo(1 / Math.sqrt(2 * 1), 6);
    expect(w(1, 1)).toBe(0);
  });
});

describe('scoreHistory', () => {
  const m = fitItemKnn(train, catalog);
  const indexOf = catalogIndex(catalog);

  it('sums the rows of the liked history items, skips and repeats not counted', () => {
    const out = scoreHistory(m, indexOf, [like('x', 'a', 1), skip('x', 'b', 2), like('x', 'a', 3)], new Float32Array(4));
    expect(out[1]).toBeCloseTo(2 / Math.sqrt(6), 6);
    expect(out[2]).toBeCloseTo(1 / Math.sqrt(2), 6);
    expect(out[3]).toBe(0);
  });

  it('weighs by position, newest first', () => {
    const out = scoreHistory(m, indexOf, [like('x', 'a', 1), like('x', 'c', 2)], new Float32Array(4), (p) => (p === 0 ? 1 : 0));
    // Only c (the newest) votes: b gets c's weight for b.
    expect(out[1]).toBeCloseTo(1 / Math.sqrt(3), 6);
    expect(out[0]).toBeCloseTo(1 / Math.sqrt(2), 6);
  });

  it('ranks unseen items for the evaluators', () => {
    const model = itemItemModel(m, catalog);
    expect(model.rank('x', [like('x', 'a', 1)], new Set(['a']), 2)).toEqual(['b', 'c']);
  });
});
