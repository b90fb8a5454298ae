import { describe, expect, it } from 'vitest';
import { buildFeatureTensors, parseFeatureSpec, type FeatureRow } from '../../../src/core/features/index.ts';
import { buildTensorsPerRow } from '../../../src/pipeline/evaluate/index.ts';

const DAY = 86_400_000;
const SPEC = parseFeatureSpec({
  version: 1,
  features: [
    { name: 'item', kind: 'categorical', source: 'item.id', hashBuckets: 97 },
    { name: 'genres', kind: 'multi-categorical', source: 'item.genres', vocab: ['a', 'b', 'c'], maxLength: 2 },
    { name: 'recent', kind: 'history', source: 'user.history', item: 'item', maxLength: 3, pooling: 'weighted-mean', weighting: { halfLifeDays: 2 } },
    { name: 'rating', kind: 'numeric', source: 'context.rating' },
  ],
});

describe('buildTensorsPerRow', () => {
  // One user's training examples: each sees the history before it, as of its own time.
  const t0 = Date.UTC(2024, 0, 1);
  const events = [0, 1, 1, 3, 4, 4, 9].map((d, i) => ({ item: { id: `m${i}` }, type: 'like' as const, at: t0 + d * DAY }));
  const rows: FeatureRow[] = events.map((e, i) => ({
    user: { history: events.slice(0, i) },
    item: { id: e.item.id, genres: i % 2 ? ['a', 'c'] : 'b' },
    context: { rating: i },
  }));
  // Deliberately out of order, with ties, to exercise the grouping and the scatter.
  const nows = Float64Array.from([4, 1, 9, 1, 4, 3, 0], (d) => t0 + d * DAY);

  it('equals building each row on its own with its own now', () => {
    const got = buildTensorsPerRow(SPEC, rows, nows);
    const names = Object.keys(got);
    expect(names).toEqual(['item', 'genres', 'recent:ids', 'recent:weights', 'rating']);
    for (let r = 0; r < rows.length; r++) {
      const one = buildFeatureTensors(SPEC, [rows[r]!], { now: nows[r]! });
      for (const name of names) {
        const w = got[name]!.dims[1];
        expect([...got[name]!.data.subarray(r * w, (r + 1) * w)], `${name} row ${r}`).toEqual([...one[name]!.data]);
        expect(got[name]!.dims).toEqual([rows.length, w]);
      }
    }
    // Recency matters: the same history seen from a later now weighs the newest entry more.
    const w = got['recent:weights']!.data;
    expect(w[2 * 3]!).toBeGreaterThan(0); // row 2: history [m0, m1], seen at day 9
  });

  it('handles no rows, and refuses mismatched or non-finite times', () => {
    const empty = buildTensorsPerRow(SPEC, [], []);
    expect(empty['recent:ids']!.dims).toEqual([0, 3]);
    expect(() => buildTensorsPerRow(SPEC, rows, nows.subarray(1))).toThrow(/nows.length/);
    expect(() => buildTensorsPerRow(SPEC, rows.slice(0, 1), [NaN])).toThrow(expect.objectContaining({ name: 'EvaluationInputError', field: 'nows[0]' }));
  });
});
