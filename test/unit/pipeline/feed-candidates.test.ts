import { describe, expect, it } from 'vitest';
import { FeedCandidates } from '../../../src/pipeline/build/feed-candidates.ts';
import { generateSynthetic } from '../../../src/pipeline/data/index.ts';
import { ExampleBuilder, deriveFeaturePlan } from '../../../src/pipeline/features/index.ts';
import { createRng } from '../../../src/pipeline/data/prng.ts';

/** The full loop scoreAll was: every item summed in index order in a double. */
function allItems(u: Float32Array, v: Float32Array, dim: number): Float32Array {
  const out = new Float32Array(v.length / dim);
  for (let i = 0; i < out.length; i++) {
    let s = 0;
    for (let k = 0; k < dim; k++) s += u[k]! * v[i * dim + k]!;
    out[i] = s;
  }
  return out;
}

describe('FeedCandidates', () => {
  const ds = generateSynthetic({ seed: 3, users: 40, items: 300, days: 10 });
  const builder = new ExampleBuilder(ds, deriveFeaturePlan(ds, ds.interactions));
  const dim = 8;
  const n = builder.catalog.length;
  const rng = createRng(5);
  // Vectors on every third item only, as the item-item factors give the modelled items; one
  // vector of -0 components, which is zero too.
  const vectors = new Float32Array(n * dim);
  for (let i = 0; i < n; i += 3) for (let k = 0; k < dim; k++) vectors[i * dim + k] = rng.normal();
  for (let k = 0; k < dim; k++) vectors[1 * dim + k] = -0;
  const candidates = new FeedCandidates(builder, vectors, dim);

  it('scores every item as the full loop does, bit for bit, zero vectors at exactly +0', () => {
    const u = Float32Array.from({ length: dim }, () => rng.normal());
    const got = candidates.scoreAll(u);
    expect(got).toEqual(allItems(u, vectors, dim));
    for (let i = 0; i < n; i++) if (i % 3 !== 0) expect(Object.is(got[i], 0)).toBe(true);
    // Into a buffer that held other scores: the zero items are reset.
    const out = new Float32Array(n).fill(7);
    expect(candidates.scoreAll(u, out)).toEqual(allItems(u, vectors, dim));
  });

  it('sums every item for a user vector with NaN or Infinity (zero vectors then score NaN)', () => {
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY]) {
      const u = Float32Array.from({ length: dim }, (_, k) => (k === 2 ? bad : 0.5));
      const got = candidates.scoreAll(u);
      expect(got).toEqual(allItems(u, vectors, dim));
      expect(got[2]).toBeNaN();
    }
  });

  it('lists the same candidates as scores over the full loop would choose', () => {
    const u = Float32Array.from({ length: dim }, () => rng.normal());
    const list = candidates.list(u, (i) => i % 7 === 0, 40);
    expect(list.items.length).toBe(40);
    const full = allItems(u, vectors, dim);
    list.items.forEach((i, j) => expect(list.retrievalScores[j]).toBe(full[i]));
    expect(list.items.some((i) => i % 7 === 0)).toBe(false);
  });
});
