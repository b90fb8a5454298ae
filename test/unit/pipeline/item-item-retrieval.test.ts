// Retrieval from EASE in the two-tower format: the user tower pools the factorised rows of the
// liked history items, and its dot products with the item vectors order items as EASE does.
import { describe, expect, it } from 'vitest';
import { buildFeatureTensors, parseFeatureSpec, type HistoryEntry } from '../../../src/core/features/index.ts';
import { fitEase, scoreHistory } from '../../../src/pipeline/baselines/index.ts';
import { createRng, type Interaction } from '../../../src/pipeline/data/index.ts';
import { catalogIndex } from '../../../src/pipeline/evaluate/index.ts';
import { embedUsers, factorize, itemItemRetrieval } from '../../../src/pipeline/train/index.ts';

const n = 12;
const catalog = Array.from({ length: n }, (_, i) => `i${i}`);
const rng = createRng(5);
const train: Interaction[] = [];
for (let u = 0; u < 40; u++) {
  // Two tastes: even or odd items, with some noise.
  for (let k = 0; k < 5; k++) {
    const item = rng.next() < 0.85 ? 2 * rng.int(n / 2) + (u % 2) : rng.int(n);
    train.push({ user: `u${u}`, item: `i${item}`, at: u * 10 + k, label: 1, type: 'like' });
  }
}
const spec = parseFeatureSpec(
  {
    version: 1,
    hashSeed: 0,
    features: [
      { name: 'item_id', kind: 'categorical', source: 'item.id', vocab: catalog },
      { name: 'history', kind: 'history', source: 'user.history', item: 'item_id', maxLength: 10, pooling: 'weighted-mean', weighting: { halfLifeEvents: 2, events: { like: 1 } } },
    ],
  },
  'spec',
);

describe('factorize', () => {
  it('reproduces the matrix at full rank (B = Q·Vᵀ)', async () => {
    const m = fitEase(train, catalog, { lambda: 5 });
    const k = m.items.length;
    const f = await factorize(m, k, 1, 6);
    for (let i = 0; i < k; i++) {
      for (let j = 0; j < k; j++) {
        let s = 0;
        for (let c = 0; c < k; c++) s += f.q[i * k + c]! * f.v[j * k + c]!;
        expect(s).toBeCloseTo(m.weights[i * k + j]!, 4);
      }
    }
  });
});

describe('itemItemRetrieval', () => {
  it('its user tower and item vectors score items in EASE’s order, with the history’s order recency', async () => {
    const m = fitEase(train, catalog, { lambda: 5 });
    const dim = m.items.length;
    const r = await itemItemRetrieval(spec, catalog, m, await factorize(m, dim, 1, 6), { historyFeature: 'history', itemIdFeature: 'item_id', seed: 1 });
    const history: Interaction[] = [2, 4, 7].map((i, k) => ({ user: 'x', item: `i${i}`, at: k, label: 1, type: 'like' }));
    const entries: HistoryEntry[] = history.map((x) => ({ item: { id: x.item }, type: x.type, at: x.at }));
    const inputs = buildFeatureTensors(spec, [{ user: { history: entries } }], { now: 10 });
    const u = embedUsers(r.tower, inputs);
    let norm = 0;
    for (const x of u) norm += x * x;
    expect(norm).toBeCloseTo(1, 5);
    const dot = (j: number) => {
      let s = 0;
      for (let c = 0; c < dim; c++) s += u[c]! * r.itemVectors[j * dim + c]!;
      return s;
    };
    // EASE with weights 0.5^(position / 2), newest first, normalised like the pool.
    const expected = scoreHistory(m, catalogIndex(catalog), history, new Float32Array(n), (p) => Math.pow(0.5, p / 2));
    const ratio = dot(0) / expected[0]!;
    for (let j = 0; j < n; j++) expect(dot(j)).toBeCloseTo(expected[j]! * ratio, 4);
    expect(ratio).toBeGreaterThan(0);
    // No history: still a unit vector (the catalogue's own votes), never a zero one.
    const empty = embedUsers(r.tower, buildFeatureTensors(spec, [{ user: { history: [] } }], { now: 10 }));
    expect(Math.hypot(...empty)).toBeCloseTo(1, 5);
  });
});
