import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import spec from '../../fixtures/feature-spec.json' with { type: 'json' };
import { NOW, ROWS } from '../../fixtures/feature-rows.ts';
import { USER_INDEX_TENSOR, buildFeatureTensors, featureCardinality, parseFeatureSpec, tensorLayout, userTensors } from '../../../src/core/features/index.ts';
import { hashBucket, hashString } from '../../../src/core/features/hash.ts';
import { encodeHistory, poolVectors } from '../../../src/core/features/history.ts';
import type { BucketizedFeature, CategoricalFeature, HistoryFeature } from '../../../src/core/features/spec.ts';
import { encodeBucketized } from '../../../src/core/features/transforms.ts';
import { ValidationError } from '../../../src/core/errors.ts';

/** The hash as its definition reads, over TextEncoder's bytes: an independent reference. */
function referenceHash(value: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (const byte of new TextEncoder().encode(value)) h = Math.imul(h ^ byte, 0x01000193) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const parsed = parseFeatureSpec(spec);

describe('id hash', () => {
  it('equals FNV-1a + fmix32 over the UTF-8 bytes for any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.nat(1000), (s, seed) => {
        expect(hashString(s, seed)).toBe(referenceHash(s, seed));
      }),
      { numRuns: 500 },
    );
  });

  it('is pinned: models trained on earlier releases depend on these values', () => {
    // Recorded when the hash was defined; a change here breaks every released model's ids.
    expect(hashString('')).toBe(2872998923);
    expect(hashString('a')).toBe(444641715);
    expect(hashString('item-42', 7)).toBe(197742439);
    expect(hashString('vidéo-☃-3')).toBe(2161257414);
    expect(hashString('😀')).toBe(855877642); // a surrogate pair is one 4-byte UTF-8 character
    expect(hashBucket(42, 10)).toBe(hashBucket('42', 10));
  });

  it('spreads sequential ids evenly over buckets', () => {
    const buckets = 100;
    const counts = new Array<number>(buckets + 1).fill(0);
    for (let i = 0; i < 100_000; i++) counts[hashBucket(i, buckets)]!++;
    expect(counts[0]).toBe(0); // 0 is reserved for missing
    const used = counts.slice(1);
    // Expected 1000 per bucket; a fair hash stays within ±15% (binomial sd ≈ 31).
    expect(Math.min(...used)).toBeGreaterThan(850);
    expect(Math.max(...used)).toBeLessThan(1150);
  });
});

describe('feature spec', () => {
  it('fills defaults', () => {
    const numeric = parseFeatureSpec({
      version: 1,
      features: [{ name: 'x', kind: 'numeric', source: 'item.x' }],
    });
    expect(numeric.hashSeed).toBe(0);
    expect(numeric.features[0]).toEqual({ name: 'x', kind: 'numeric', source: 'item.x', ageDays: false, log1p: false, default: 0 });
  });

  it('knows the cardinality of each id-like feature (row 0 = missing)', () => {
    const byName = Object.fromEntries(parsed.features.map((f) => [f.name, f]));
    expect(featureCardinality(byName['item_id']!)).toBe(5001);
    expect(featureCardinality(byName['category']!)).toBe(6);
    expect(featureCardinality(byName['genres']!)).toBe(5);
    expect(featureCardinality(byName['age_bucket']!)).toBe(6);
    expect(() => featureCardinality(byName['duration']!)).toThrow(/has no cardinality/);
  });

  const bad: [string, (s: typeof spec) => unknown, string, RegExp][] = [
    ['wrong version', (s) => ({ ...s, version: 2 }), 'featureSpec.version', /1/],
    ['unknown kind', (s) => ({ ...s, features: [{ name: 'x', kind: 'embedding', source: 'item.x' }] }), 'featureSpec.features[0].kind', /./],
    ['bad source scope', (s) => ({ ...s, features: [{ name: 'x', kind: 'numeric', source: 'session.x' }] }), 'featureSpec.features[0].source', /user\.<field>/],
    ['duplicate name', (s) => ({ ...s, features: [s.features[0], s.features[0]] }), 'featureSpec.features[1].name', /duplicate feature name "item_id"/],
    ['vocab and hash both', (s) => ({ ...s, features: [{ ...s.features[0], vocab: ['a'] }] }), 'featureSpec.features[0]', /exactly one of "vocab" or "hashBuckets"/],
    ['neither vocab nor hash', (s) => ({ ...s, features: [{ name: 'c', kind: 'categorical', source: 'item.c' }] }), 'featureSpec.features[0]', /exactly one/],
    ['unsorted boundaries', (s) => ({ ...s, features: [{ name: 'b', kind: 'bucketized', source: 'item.b', boundaries: [1, 5, 5] }] }), 'featureSpec.features[0].boundaries[2]', /strictly ascending/],
    ['zero std', (s) => ({ ...s, features: [{ name: 'n', kind: 'numeric', source: 'item.n', normalize: { type: 'standardize', mean: 0, std: 0 } }] }), 'featureSpec.features[0].normalize.std', /> 0/],
    ['history of a numeric', (s) => ({ ...s, features: [s.features[3], { ...s.features[8], item: 'duration' }] }), 'featureSpec.features[1].item', /categorical feature with an "item." source/],
    ['hash buckets not integer', (s) => ({ ...s, features: [{ ...s.features[0], hashBuckets: 2.5 }] }), 'featureSpec.features[0].hashBuckets', /integer/],
  ];
  it.each(bad)('rejects %s, naming the field', (_label, mutate, field, message) => {
    let err: unknown;
    try {
      parseFeatureSpec(mutate(structuredClone(spec)));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).name).toBe('ValidationError');
    expect((err as ValidationError).field).toBe(field);
    expect((err as ValidationError).message).toMatch(message);
  });
});

describe('transforms', () => {
  const t = buildFeatureTensors(parsed, ROWS, { now: NOW });

  it('lays tensors out in spec order with history split in two', () => {
    expect(tensorLayout(parsed).map((l) => `${l.tensor}:${l.type}:${l.width}`)).toEqual([
      'item_id:int32:1', 'category:int32:1', 'genres:int32:3', 'duration:float32:1', 'age_bucket:int32:1',
      'popularity:float32:1', 'hour:int32:1', 'user_vector:float32:4', 'history:ids:int32:8', 'history:weights:float32:8', 'item_age:int32:1', 'genre_share:float32:5',
    ]);
    expect(Object.keys(t)).toEqual(tensorLayout(parsed).map((l) => l.tensor));
  });

  it('hashes ids into 1..buckets with the spec seed, 0 when missing', () => {
    expect([...t['item_id']!.data]).toEqual([1 + (referenceHash('v-9', 7) % 5000), 1 + (referenceHash('12345', 7) % 5000), 0]);
  });

  it('maps vocabularies to 1..n, unknown and missing to 0', () => {
    expect([...t['category']!.data]).toEqual([2, 0, 0]); // music is the 2nd entry; podcasts unknown
    // drama=2, comedy=3, "unknown" dropped, action=1; then thriller=4 padded; then all padding.
    expect([...t['genres']!.data]).toEqual([2, 3, 1, 4, 0, 0, 0, 0, 0]);
    expect(t['genres']!.dims).toEqual([3, 3]);
  });

  it('applies log1p, standardisation, min-max and defaults', () => {
    const d = t['duration']!.data;
    expect(d[0]).toBeCloseTo((Math.log(241) - 5.5) / 1.2, 6); // (5.48480 - 5.5) / 1.2 = -0.01267
    expect(d[1]).toBeCloseTo((Math.log(96) - 5.5) / 1.2, 6); // "95" is parsed: -0.77971
    expect(d[2]).toBe(0);
    const p = t['popularity']!.data;
    expect(p[0]).toBeCloseTo(Math.log(1501) / 12, 6); // 0.60949
    expect(p[1]).toBe(0);
    expect(p[2]).toBe(0);
  });

  it('buckets by 1 + number of boundaries ≤ x', () => {
    expect([...t['age_bucket']!.data]).toEqual([2, 1, 0]); // 3 days ≥ 1; 0.5 < 1; missing
    expect([...t['hour']!.data]).toEqual([3, 1, 0]); // 13 ≥ 6,12; 5 < 6; missing
    const f: BucketizedFeature = { name: 'b', kind: 'bucketized', source: 'item.b', boundaries: [1, 7, 30], log1p: false, ageDays: false };
    expect([0, 1, 6.99, 7, 30, 1e9, Number.NaN, '3'].map((x) => encodeBucketized(f, x))).toEqual([1, 2, 2, 3, 4, 4, 0, 2]);
  });

  it('passes dense vectors through and zero-fills missing ones', () => {
    expect([...t['user_vector']!.data]).toEqual([0.5, -1, 0.25, 2, 0.5, -1, 0.25, 2, 0, 0, 0, 0]);
  });

  it('weights history by event, watch fraction and recency, newest first', () => {
    const ids = t['history:ids']!.data;
    const w = t['history:weights']!.data;
    const bucket = (id: string) => 1 + (referenceHash(id, 7) % 5000);
    // Kept, newest first: like of vidéo-☃-3 (1 day), click of v-1 (3 days), watch of v-2 (20 days).
    // The hide and the impression have no weight in the spec and are left out.
    expect([...ids.subarray(0, 8)]).toEqual([bucket('vidéo-☃-3'), bucket('v-1'), bucket('v-2'), 0, 0, 0, 0, 0]);
    const like = 2 * 1 * 0.5 ** (1 / 14); // event 2, unknown watch fraction counts 1: 1.90339
    const click = 1 * 0.5 * 0.5 ** (3 / 14); // 0.43099
    const watch = 1 * 0.1 * 0.5 ** (20 / 14); // fraction 0.05 floored to 0.1: 0.03715
    const total = like + click + watch;
    expect(w[0]).toBeCloseTo(like / total, 6); // 0.80260
    expect(w[1]).toBeCloseTo(click / total, 6); // 0.18173
    expect(w[2]).toBeCloseTo(watch / total, 6); // 0.01567
    expect([...w.subarray(3, 8)]).toEqual([0, 0, 0, 0, 0]);
    // Row 1 shares the user: the same history; row 2 has none.
    expect([...ids.subarray(8, 16)]).toEqual([...ids.subarray(0, 8)]);
    expect([...ids.subarray(16, 24)]).toEqual(new Array(8).fill(0));
    expect([...w.subarray(16, 24)]).toEqual(new Array(8).fill(0));
  });

  it('keeps only the most recent maxLength entries and weights plain means equally', () => {
    const f = { ...(parsed.features[8] as HistoryFeature), maxLength: 2, pooling: 'mean' as const };
    const item = parsed.features[0] as CategoricalFeature;
    const entries = [0, 1, 2, 3].map((k) => ({ item: { id: `i${k}` }, type: 'click' as const, at: NOW - (4 - k) * 1000 }));
    const ids = new Int32Array(2);
    const weights = new Float32Array(2);
    encodeHistory(f, item, entries, NOW, 7, ids, weights);
    expect([...ids]).toEqual([1 + (referenceHash('i3', 7) % 5000), 1 + (referenceHash('i2', 7) % 5000)]);
    expect([...weights]).toEqual([0.5, 0.5]);
  });

  it('weighs by order recency: 0.5^(position / halfLifeEvents), the newest kept entry at position 0', () => {
    const f: HistoryFeature = { ...(parsed.features[8] as HistoryFeature), maxLength: 3, pooling: 'weighted-mean', weighting: { watchFraction: false, minWatchFraction: 0.1, halfLifeEvents: 1, events: { click: 1 } } };
    const item = parsed.features[0] as CategoricalFeature;
    // The impression has no weight: it takes no position.
    const entries = [
      { item: { id: 'i0' }, type: 'click' as const, at: NOW - 4000 },
      { item: { id: 'i1' }, type: 'click' as const, at: NOW - 3000 },
      { item: { id: 'i2' }, type: 'impression' as const, at: NOW - 2000 },
      { item: { id: 'i3' }, type: 'click' as const, at: NOW - 1000 },
    ];
    const ids = new Int32Array(3);
    const weights = new Float32Array(3);
    encodeHistory(f, item, entries, NOW, 7, ids, weights);
    expect([...ids]).toEqual(['i3', 'i1', 'i0'].map((id) => 1 + (referenceHash(id, 7) % 5000)));
    expect(weights[0]).toBeCloseTo(1 / 1.75, 6);
    expect(weights[1]).toBeCloseTo(0.5 / 1.75, 6);
    expect(weights[2]).toBeCloseTo(0.25 / 1.75, 6);
  });

  it('pools vectors by weight', () => {
    const pooled = poolVectors(new Float32Array([1, 2, 3, 4, 10, 20]), [0.25, 0.75, 0], 2);
    expect([...pooled]).toEqual([0.25 * 1 + 0.75 * 3, 0.25 * 2 + 0.75 * 4]);
  });

  it('names the feature and row of a malformed dense vector', () => {
    expect(() => buildFeatureTensors(parsed, [{ user: { vector: [1, 2] } }], { now: NOW })).toThrow(
      /user\.vector: feature "user_vector" needs 4 numbers in row 0, got an array of length 2/,
    );
    expect(() => buildFeatureTensors(parsed, ROWS, { now: Number.NaN })).toThrow(/now: must be a finite time/);
    expect(() => buildFeatureTensors(parsed, ROWS, { now: NOW, only: ['nope'] })).toThrow(/unknown feature "nope"/);
  });

  it('is a pure function of its inputs (property: same rows, same tensors; rows independent)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            id: fc.oneof(fc.string(), fc.nat()),
            category: fc.constantFrom('news', 'music', 'other', undefined),
            durationSeconds: fc.oneof(fc.double({ noNaN: false }), fc.constant(undefined)),
            ageDays: fc.double({ min: -10, max: 1000 }),
          }),
          { minLength: 1, maxLength: 20 },
        ),
        (items) => {
          const rows = items.map((item) => ({ item, user: { history: [] } }));
          const all = buildFeatureTensors(parsed, rows, { now: NOW });
          const last = buildFeatureTensors(parsed, rows.slice(-1), { now: NOW });
          for (const name of Object.keys(all)) {
            const width = all[name]!.dims[1];
            expect([...all[name]!.data.slice(-width)]).toEqual([...last[name]!.data]);
            expect(Array.from(all[name]!.data).every(Number.isFinite)).toBe(true);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('per-user tensors (perUser)', () => {
  it('build the user features once per distinct user, in order of first appearance, with each row\'s index', () => {
    const a = ROWS[0]!.user!;
    const b = { history: [] };
    const rows = [ROWS[0]!, { ...ROWS[1]!, user: b }, { ...ROWS[2]!, user: a }, { ...ROWS[1]!, user: b }];
    const flat = buildFeatureTensors(parsed, rows, { now: NOW });
    const t = buildFeatureTensors(parsed, rows, { now: NOW, perUser: true });
    expect([...userTensors(parsed)]).toEqual(['user_vector', 'history:ids', 'history:weights', 'genre_share']);
    expect(t[USER_INDEX_TENSOR]).toEqual({ type: 'int32', dims: [4, 1], data: Int32Array.of(0, 1, 0, 1) });
    for (const name of Object.keys(flat)) {
      const width = flat[name]!.dims[1];
      if (userTensors(parsed).has(name)) {
        // Row r of the flat tensor is user index[r]'s row.
        expect(t[name]!.dims).toEqual([2, width]);
        for (const [r, u] of [0, 1, 0, 1].entries()) expect([...t[name]!.data.subarray(u * width, (u + 1) * width)]).toEqual([...flat[name]!.data.subarray(r * width, (r + 1) * width)]);
      } else {
        expect(t[name]).toEqual(flat[name]);
      }
    }
    // A history feature reads something: the first user's is not the empty one's.
    expect([...t['history:ids']!.data.subarray(0, 8)]).not.toEqual([...t['history:ids']!.data.subarray(8, 16)]);
  });
});

describe('age features', () => {
  it('turn a time into days at `now`, floored at 0, before the other steps', () => {
    const DAY = 86_400_000;
    const age: BucketizedFeature = { name: 'age', kind: 'bucketized', source: 'item.created', boundaries: [1, 7, 30], log1p: false, ageDays: true };
    // created 10 days ago -> 10 days -> 1 + 2 boundaries ≤ 10 = 3; future -> 0 days -> 1; missing -> 0.
    expect([NOW - 10 * DAY, NOW + 5 * DAY, undefined].map((t) => encodeBucketized(age, t, NOW))).toEqual([3, 1, 0]);
    const spec2 = parseFeatureSpec({
      version: 1,
      features: [{ name: 'age', kind: 'numeric', source: 'item.created', ageDays: true, log1p: true }],
    });
    const t = buildFeatureTensors(spec2, [{ item: { created: NOW - 3 * DAY } }, { item: {} }], { now: NOW });
    expect(t['age']!.data[0]).toBeCloseTo(Math.log(4), 6); // log1p(3 days)
    expect(t['age']!.data[1]).toBe(0); // missing -> default
  });
});

it('ages the fixture items at NOW: 8 days -> bucket 3, half a day -> 1, missing -> 0', () => {
  const t = buildFeatureTensors(parsed, ROWS, { now: NOW });
  expect([...t['item_age']!.data]).toEqual([3, 1, 0]);
});

it('spreads the fixture history over genres: like of a thriller, click of a drama|comedy', () => {
  const t = buildFeatureTensors(parsed, ROWS, { now: NOW });
  const like = 2 * 0.5 ** (1 / 14); // thriller (4)
  const click = 1 * 0.5 ** (3 / 14); // drama (2) and comedy (3), half each; no watch weighting here
  const total = like + click; // v-2 has no genres: not counted
  const row = Array.from(t['genre_share']!.data.subarray(0, 5));
  expect(row[0]).toBe(0);
  expect(row[1]).toBe(0); // action
  expect(row[2]).toBeCloseTo(click / 2 / total, 6);
  expect(row[3]).toBeCloseTo(click / 2 / total, 6);
  expect(row[4]).toBeCloseTo(like / total, 6);
  expect(Array.from(t['genre_share']!.data.subarray(10, 15))).toEqual([0, 0, 0, 0, 0]);
});
