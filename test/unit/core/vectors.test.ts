import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cosine, dotF32, scoreRowsF32, topK } from '../../../src/core/vectors/index.ts';
import { dotInt8, norm, normalize } from '../../../src/core/vectors/dot.ts';
import { dequantizeRowsInt8, quantizeRowsInt8 } from '../../../src/core/vectors/quantize.ts';
import { scoreRowsInt8 } from '../../../src/core/vectors/score.ts';
import {
  clusteredData,
  gaussianRows,
  int8Recall,
  mulberry32,
  residualInt8Recall,
} from '../../support/vector-data.ts';
import { fieldOf } from '../../support/field-of.ts';


describe('dot products', () => {
  it('dotF32 on hand examples', () => {
    // 1·6 + 2·7 + 3·8 + 4·9 + 5·10 = 6 + 14 + 24 + 36 + 50 = 130 (5 values: unrolled part + tail)
    expect(dotF32(Float32Array.of(1, 2, 3, 4, 5), Float32Array.of(6, 7, 8, 9, 10))).toBe(130);
    // a[1..3] · b[2..4] = 1·6 + 2·7 + 3·8 = 44
    expect(dotF32(Float32Array.of(9, 1, 2, 3), Float32Array.of(4, 5, 6, 7, 8), 1, 2, 3)).toBe(44);
    expect(dotF32(new Float32Array(0), new Float32Array(0))).toBe(0);
  });

  it('dotInt8 is exact, including the extremes', () => {
    // 127·127 + (−128)·(−128) + 5·(−3) = 16129 + 16384 − 15 = 32498
    expect(dotInt8(Int8Array.of(127, -128, 5), Int8Array.of(127, -128, -3))).toBe(32498);
    // 1000 · (−128)² = 16,384,000: no wrap-around, no rounding
    expect(dotInt8(new Int8Array(1000).fill(-128), new Int8Array(1000).fill(-128))).toBe(16_384_000);
    // a[2..3] · b[0..1] = 3·1 + 4·(−1) = −1
    expect(dotInt8(Int8Array.of(1, 2, 3, 4), Int8Array.of(1, -1), 2, 0, 2)).toBe(-1);
  });

  it('rejects mismatched spans, naming the argument', () => {
    expect(fieldOf(() => dotF32(new Float32Array(3), new Float32Array(4)))).toBe('b.length');
    expect(fieldOf(() => dotF32(new Float32Array(3), new Float32Array(4), 0, 0, 5))).toBe('n');
    expect(fieldOf(() => dotInt8(new Int8Array(3), new Int8Array(3), -1))).toBe('aOffset');
    expect(fieldOf(() => dotInt8(new Int8Array(3), new Int8Array(3), 0, 1.5, 1))).toBe('bOffset');
  });

  it('cosine, norm and normalize', () => {
    expect(norm(Float32Array.of(3, 4))).toBe(5);
    expect(cosine(Float32Array.of(1, 0), Float32Array.of(0, 1))).toBe(0);
    expect(cosine(Float32Array.of(1, 2), Float32Array.of(2, 4))).toBeCloseTo(1, 12);
    expect(cosine(Float32Array.of(1, 2), Float32Array.of(-1, -2))).toBeCloseTo(-1, 12);
    // A zero vector has no direction: cosine 0 by definition, not NaN.
    expect(cosine(Float32Array.of(0, 0), Float32Array.of(1, 2))).toBe(0);
    // Rows [3, 4] and [0, 0] and [0, −2] -> [0.6, 0.8], unchanged, [0, −1]
    const m = normalize(Float32Array.of(3, 4, 0, 0, 0, -2), 2);
    expect(Array.from(m)).toEqual([Math.fround(0.6), Math.fround(0.8), 0, 0, 0, -1]);
    expect(fieldOf(() => normalize(new Float32Array(3), 2))).toBe('a.length');
  });
});

describe('scoreRows', () => {
  it('scoreRowsF32 on a hand example (dim 3, 5 rows: one block of four and a tail row)', () => {
    const q = Float32Array.of(1, 2, -1);
    const m = Float32Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1, 2, -1, 3);
    // rows: 1; 2; −1; 1 + 2 − 1 = 2; 2 − 2 − 3 = −3
    expect(Array.from(scoreRowsF32(q, m, 3))).toEqual([1, 2, -1, 2, -3]);
  });

  it('scoreRowsF32 equals dotF32 row by row for every dim and row count', () => {
    const rand = mulberry32(11);
    for (const dim of [1, 3, 4, 7, 8, 64, 65]) {
      for (const rows of [1, 3, 4, 5, 9]) {
        const m = gaussianRows(rows, dim, rand);
        const q = gaussianRows(1, dim, rand);
        const s = scoreRowsF32(q, m, dim);
        for (let r = 0; r < rows; r++) expect(s[r]).toBeCloseTo(Math.fround(dotF32(q, m, 0, r * dim, dim)), 4);
      }
    }
  });

  it("a row's score does not depend on its position (block or tail)", () => {
    const rand = mulberry32(12);
    const dim = 66;
    const m = gaussianRows(7, dim, rand);
    const q = gaussianRows(1, dim, rand);
    const all = scoreRowsF32(q, m, dim);
    const q8 = quantizeRowsInt8(m, dim);
    const all8 = scoreRowsInt8(q, q8.values, q8.scales, dim);
    for (let r = 0; r < 7; r++) {
      // Row r alone is scored by the tail loop; inside the matrix rows 0-3 go through the block.
      expect(scoreRowsF32(q, m.subarray(r * dim, (r + 1) * dim), dim)[0]).toBe(all[r]);
      const one = scoreRowsInt8(q, q8.values.subarray(r * dim, (r + 1) * dim), q8.scales.subarray(r, r + 1), dim);
      expect(one[0]).toBe(all8[r]);
    }
  });

  it('scoreRowsInt8 on a hand example', () => {
    // rows [1, −2] scale 0.5 and [127, 0] scale 0.25; query [2, 1]
    // row 0: 0.5 · (2 − 2) = 0; row 1: 0.25 · 254 = 63.5
    const s = scoreRowsInt8(Float32Array.of(2, 1), Int8Array.of(1, -2, 127, 0), Float32Array.of(0.5, 0.25), 2);
    expect(Array.from(s)).toEqual([0, 63.5]);
  });

  it('scoreRowsInt8 equals dequantise-then-float scoring within 1e-5 relative', () => {
    const rand = mulberry32(13);
    for (const dim of [1, 5, 8, 63, 64]) {
      const rows = 37;
      const m = gaussianRows(rows, dim, rand);
      const q = gaussianRows(1, dim, rand);
      const q8 = quantizeRowsInt8(m, dim);
      const deq = dequantizeRowsInt8(q8);
      const got = scoreRowsInt8(q, q8.values, q8.scales, dim);
      const want = scoreRowsF32(q, deq, dim);
      for (let r = 0; r < rows; r++) {
        // Relative to Σ|q_j x_j|, the score's magnitude before cancellation: a score near 0
        // made of large terms cannot be compared relative to itself.
        let mag = 0;
        for (let j = 0; j < dim; j++) mag += Math.abs(q[j]! * deq[r * dim + j]!);
        expect(Math.abs(got[r]! - want[r]!)).toBeLessThanOrEqual(1e-5 * mag);
      }
    }
  });

  it('reuses out, accepts a larger one as a view, rejects a smaller one', () => {
    const q = Float32Array.of(1, 1);
    const m = Float32Array.of(1, 2, 3, 4);
    const out = new Float32Array(2);
    expect(scoreRowsF32(q, m, 2, out)).toBe(out);
    expect(Array.from(out)).toEqual([3, 7]);
    const big = new Float32Array(10);
    const view = scoreRowsF32(q, m, 2, big);
    expect(view.length).toBe(2);
    expect(view.buffer).toBe(big.buffer);
    expect(Array.from(big.subarray(0, 2))).toEqual([3, 7]);
    expect(fieldOf(() => scoreRowsF32(q, m, 2, new Float32Array(1)))).toBe('out.length');
  });

  it('validates arguments, naming them', () => {
    const q = new Float32Array(4);
    expect(fieldOf(() => scoreRowsF32(q, new Float32Array(8), 0))).toBe('dim');
    expect(fieldOf(() => scoreRowsF32(q, new Float32Array(8), 2.5))).toBe('dim');
    expect(fieldOf(() => scoreRowsF32(new Float32Array(3), new Float32Array(8), 4))).toBe('query.length');
    expect(fieldOf(() => scoreRowsF32(q, new Float32Array(10), 4))).toBe('matrix.length');
    expect(fieldOf(() => scoreRowsInt8(q, new Int8Array(10), new Float32Array(2), 4))).toBe('values.length');
    expect(fieldOf(() => scoreRowsInt8(q, new Int8Array(8), new Float32Array(3), 4))).toBe('scales.length');
  });
});

describe('int8 recall@100 against exact float32 (n = 20,000, d = 64, 50 queries)', () => {
  const dim = 64;
  const k = 100;

  it('Gaussian data: >= 0.98', () => {
    const rand = mulberry32(2);
    const data = gaussianRows(20_000, dim, rand);
    const queries = Array.from({ length: 50 }, () => gaussianRows(1, dim, rand));
    const recall = int8Recall(data, dim, queries, k);
    console.log(`int8 recall@100, Gaussian: ${recall.toFixed(4)}`);
    expect(recall).toBeGreaterThanOrEqual(0.98);
  });

  it('64 clusters, spread 0.2, queries near centres: >= 0.98', () => {
    const d = clusteredData({ rows: 20_000, dim, clusters: 64, spread: 0.2, queries: 50, seed: 3 });
    const recall = int8Recall(d.data, dim, d.queries, k);
    console.log(`int8 recall@100, 64 clusters σ=0.2: ${recall.toFixed(4)}`);
    expect(recall).toBeGreaterThanOrEqual(0.98);
  });

  it('tight clusters (spread 0.05): per-row int8 falls short; residual int8 recovers it', () => {
    // Per-row int8 error is ~|x|∞/127 whatever the spread, while the scores inside a cluster
    // differ by ~spread·|q|: below spread ≈ 0.15 per-row int8 drops under 0.98. Quantising
    // residuals from the cluster centre (what IVF shards can do) makes the error scale with
    // the spread again. The plain figure is pinned loosely as a regression guard.
    const d = clusteredData({ rows: 20_000, dim, clusters: 64, spread: 0.05, queries: 50, seed: 3 });
    const plain = int8Recall(d.data, dim, d.queries, k);
    const residual = residualInt8Recall(d, dim, k);
    console.log(`int8 recall@100, 64 clusters σ=0.05: per-row ${plain.toFixed(4)}, residual ${residual.toFixed(4)}`);
    expect(plain).toBeGreaterThanOrEqual(0.9);
    expect(residual).toBeGreaterThanOrEqual(0.98);
  });
});

/** Reference: full sort by (score desc, index asc) of the selectable indices, first k. */
function referenceTopK(scores: ArrayLike<number>, k: number, excluded: (i: number) => boolean) {
  const idx: number[] = [];
  for (let i = 0; i < scores.length; i++) if (!Number.isNaN(scores[i]!) && !excluded(i)) idx.push(i);
  idx.sort((a, b) => {
    const sa = scores[a]!;
    const sb = scores[b]!;
    return sa > sb ? -1 : sa < sb ? 1 : a - b;
  });
  const top = idx.slice(0, Math.max(0, k));
  return { indices: top, scores: top.map((i) => Math.fround(scores[i]!)) };
}

describe('topK', () => {
  it('hand example: ties by lower index, NaN never selected', () => {
    const s = [0.5, NaN, 0.9, 0.5, -Infinity, 0.9, 0.1];
    const r = topK(s, 4);
    // 0.9 at 2 and 5 (lower index first), then 0.5 at 0 and 3
    expect(Array.from(r.indices)).toEqual([2, 5, 0, 3]);
    expect(Array.from(r.scores)).toEqual([Math.fround(0.9), Math.fround(0.9), 0.5, 0.5]);
    // k > n: everything but the NaN, -Infinity last
    expect(Array.from(topK(s, 100).indices)).toEqual([2, 5, 0, 3, 6, 4]);
  });

  it('k edge cases', () => {
    const s = Float32Array.of(3, 1, 2);
    expect(topK(s, 0).indices.length).toBe(0);
    expect(topK(s, -5).indices.length).toBe(0);
    expect(Array.from(topK(s, 1).indices)).toEqual([0]);
    expect(Array.from(topK(s, Infinity).indices)).toEqual([0, 2, 1]);
    expect(topK([], 10).indices.length).toBe(0);
    expect(fieldOf(() => topK(s, 1.5))).toBe('k');
    expect(fieldOf(() => topK(s, NaN))).toBe('k');
  });

  it('exclude leaves indices out and the next best move up', () => {
    const s = [5, 4, 3, 2, 1];
    const r = topK(s, 2, { exclude: (i) => i === 0 || i === 2 });
    expect(Array.from(r.indices)).toEqual([1, 3]);
  });

  it('equals a full sort on random inputs with many ties (property)', () => {
    // Scores from a small pool so ties are common, plus NaN, ±Infinity and -0.
    const score = fc.oneof(
      fc.integer({ min: -3, max: 3 }),
      fc.constantFrom(NaN, Infinity, -Infinity, -0, 0.5),
      fc.double({ noNaN: true, min: -1e6, max: 1e6 }),
    );
    fc.assert(
      fc.property(
        fc.array(score, { maxLength: 200 }),
        fc.integer({ min: -2, max: 220 }),
        fc.array(fc.boolean(), { maxLength: 200 }),
        fc.boolean(),
        (values, k, mask, asF32) => {
          const scores: ArrayLike<number> = asF32 ? Float32Array.from(values) : values;
          const excluded = (i: number) => mask[i] === true;
          const want = referenceTopK(scores, k, excluded);
          const got = topK(scores, k, { exclude: excluded });
          expect(Array.from(got.indices)).toEqual(want.indices);
          expect(Array.from(got.scores)).toEqual(want.scores);
        },
      ),
      { numRuns: 1000, seed: 42 },
    );
  });

  it('equals a full sort for k around n and k = 1 (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 50 }), fc.nat(3), (values, dk) => {
        const none = () => false;
        for (const k of [1, values.length - dk, values.length, values.length + dk]) {
          expect(Array.from(topK(values, k).indices)).toEqual(referenceTopK(values, k, none).indices);
        }
      }),
      { numRuns: 500, seed: 7 },
    );
  });
});
