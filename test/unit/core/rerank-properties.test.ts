import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/core/errors.ts';
import { rerank } from '../../../src/core/rerank/index.ts';
import { RERANK_DEFAULTS } from '../../../src/core/rerank/defaults.ts';
import { explorationPositions } from '../../../src/core/rerank/exploration.ts';
import { DAY_MS, freshnessMultiplier } from '../../../src/core/rerank/freshness.ts';
import { REASONS } from '../../../src/core/rerank/reasons.ts';
import type { RerankCandidate, RerankOptions } from '../../../src/core/rerank/index.ts';
import { mulberry32 } from '../../support/vector-data.ts';

const NOW = Date.UTC(2025, 0, 31);
const CATEGORIES = ['a', 'b', 'c', 'd'];

// Embedding components from {-2..2} in 4 dims: exact copies, near-copies, zero vectors and
// repeated ids all turn up often, which is where the near-duplicate logic can go wrong.
const candidateArb: fc.Arbitrary<RerankCandidate> = fc.record(
  {
    id: fc.integer({ min: 0, max: 24 }).map((i) => `i${i}`),
    score: fc.double({ min: 0, max: 1, noNaN: true }),
    pClick: fc.double({ min: 0, max: 1, noNaN: true }),
    watchFraction: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: null }),
    embedding: fc.array(fc.integer({ min: -2, max: 2 }), { minLength: 4, maxLength: 4 }).map((xs) => Float32Array.from(xs)),
    categories: fc.subarray(CATEGORIES),
    created: fc.integer({ min: -40, max: 2 }).map((d) => NOW + d * DAY_MS),
    popularity: fc.double({ min: 0, max: 1000, noNaN: true }),
    source: fc.constantFrom<'retrieval' | 'head'>('retrieval', 'head'),
  },
  { requiredKeys: ['id', 'score', 'pClick', 'watchFraction', 'embedding', 'categories', 'popularity', 'source'] },
);

const inputArb = fc
  .record({
    candidates: fc.array(candidateArb, { maxLength: 40 }),
    count: fc.integer({ min: 1, max: 30 }),
    slotShare: fc.double({ min: 0, max: 1, noNaN: true }),
    seen: fc.uniqueArray(fc.integer({ min: 0, max: 24 }), { maxLength: 6 }),
    hidden: fc.uniqueArray(fc.integer({ min: 0, max: 24 }), { maxLength: 3 }),
    seed: fc.integer(),
    duplicateCosine: fc.double({ min: 0.5, max: 1, noNaN: true }),
    mmrLambda: fc.double({ min: 0, max: 1, noNaN: true }),
    maxPerCategory: fc.option(fc.integer({ min: 1, max: 10 }), { nil: undefined }),
    freshBoost: fc.double({ min: 0, max: 1, noNaN: true }),
    shares: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 4, maxLength: 4 }),
  })
  .map((r) => {
    const options: RerankOptions = {
      count: r.count,
      now: NOW,
      seen: new Set(r.seen.map((i) => `i${i}`)),
      hidden: new Set(r.hidden.map((i) => `i${i}`)),
      seed: r.seed,
      duplicateCosine: r.duplicateCosine,
      mmrLambda: r.mmrLambda,
      maxPerCategory: r.maxPerCategory,
      freshBoost: r.freshBoost,
      explorationSlots: Math.floor(r.slotShare * r.count),
      userCategories: new Map(CATEGORIES.map((c, k) => [c, r.shares[k]!])),
    };
    return { candidates: r.candidates, options };
  });

function invNorm(v: Float32Array): number {
  let ss = 0;
  for (let k = 0; k < v.length; k++) ss += v[k]! * v[k]!;
  return ss > 0 ? 1 / Math.sqrt(ss) : 0;
}

/** Cosine exactly as the re-ranker computes it (pool.ts), so a pair on a threshold counts the same. */
function cosine(a: Float32Array, b: Float32Array): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  // dim is 4 here: one round of the four accumulators.
  s0 += a[0]! * b[0]!;
  s1 += a[1]! * b[1]!;
  s2 += a[2]! * b[2]!;
  s3 += a[3]! * b[3]!;
  const c = (s0 + s1 + (s2 + s3)) * (invNorm(a) * invNorm(b));
  return Math.min(1, Math.max(-1, c));
}

/**
 * The near-duplicate rule written eagerly, as the brief states it: best base score first (ties
 * by id), an item goes when its cosine with an item already kept exceeds the threshold.
 */
function eagerKept(candidates: readonly RerankCandidate[], o: RerankOptions): RerankCandidate[] {
  const firstOfId = ranked(candidates, o);
  const kept: RerankCandidate[] = [];
  for (const c of firstOfId) {
    if (!kept.some((k) => cosine(k.embedding, c.embedding) > (o.duplicateCosine ?? 0.97))) kept.push(c);
  }
  return kept;
}

/** Pool order: seen/hidden dropped, best score first (ties by id), first copy of each id. */
function ranked(candidates: readonly RerankCandidate[], o: RerankOptions): RerankCandidate[] {
  const visible = candidates
    .filter((c) => !o.seen.has(c.id) && !o.hidden.has(c.id))
    .sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return visible.filter((c, i) => visible.findIndex((x) => x.id === c.id) === i);
}

/**
 * The feed without exploration, computed the plain way: eager deduplication, then every MMR
 * step scans every item. The re-ranker resolves duplicates lazily and keeps MMR values in a
 * lazy heap; it must give exactly this order.
 */
function plainFeed(candidates: readonly RerankCandidate[], o: RerankOptions): string[] {
  const pool = ranked(candidates, o);
  const boost = (c: RerankCandidate): number => c.score * freshnessMultiplier(c.created, NOW, 3, o.freshBoost ?? 0.3);
  const best = Math.max(0, ...pool.map(boost));
  const lambda = o.mmrLambda ?? 0.8;
  const cap = o.maxPerCategory ?? Math.ceil(o.count / 3);
  const kept = eagerKept(candidates, o);
  const picked: RerankCandidate[] = [];
  const counts = new Map<string, number>();
  const fits = (c: RerankCandidate): boolean => [...new Set(c.categories)].every((k) => (counts.get(k) ?? 0) < cap);
  let capped = true;
  while (picked.length < o.count) {
    let pick: RerankCandidate | undefined;
    let pickValue = -Infinity;
    for (const c of kept) {
      if (picked.includes(c) || (capped && !fits(c))) continue;
      const rel = best > 0 ? (lambda * boost(c)) / best : 0;
      const value = picked.length === 0 ? rel : rel - (1 - lambda) * Math.max(...picked.map((p) => cosine(p.embedding, c.embedding)));
      if (value > pickValue) {
        pickValue = value;
        pick = c;
      }
    }
    if (pick === undefined) {
      if (!capped) break;
      capped = false;
      continue;
    }
    picked.push(pick);
    for (const k of new Set(pick.categories)) counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return picked.map((c) => c.id);
}

describe('rerank properties', () => {
  it('unique ids from the input minus seen/hidden; length min(count, available); never throws', () => {
    fc.assert(
      fc.property(inputArb, ({ candidates, options }) => {
        const feed = rerank(candidates, options);
        const ids = feed.map((x) => x.id);
        expect(new Set(ids).size).toBe(ids.length);
        const allowed = new Set(candidates.map((c) => c.id).filter((id) => !options.seen.has(id) && !options.hidden.has(id)));
        for (const id of ids) expect(allowed.has(id)).toBe(true);
        const available = eagerKept(candidates, options).map((c) => c.id);
        expect(feed.length).toBe(Math.min(options.count, available.length));
        expect(feed.map((x) => x.position)).toEqual(ids.map((_, i) => i));
        // Lazy near-duplicate resolution decides exactly as the eager walk.
        const availableSet = new Set(available);
        for (const id of ids) expect(availableSet.has(id)).toBe(true);
        if (options.count >= available.length) expect([...ids].sort()).toEqual([...available].sort());
      }),
      { numRuns: 400 },
    );
  });

  it('without exploration, equals plain eager deduplication and a full MMR scan per step', () => {
    fc.assert(
      fc.property(inputArb, ({ candidates, options }) => {
        const o = { ...options, explorationSlots: 0 };
        expect(rerank(candidates, o).map((x) => x.id)).toEqual(plainFeed(candidates, o));
      }),
      { numRuns: 400 },
    );
  });

  it('is deterministic, and the input order does not matter (unique ids)', () => {
    fc.assert(
      fc.property(inputArb, fc.integer(), ({ candidates, options }, shuffleSeed) => {
        const first = rerank(candidates, options);
        expect(rerank(candidates, options)).toEqual(first);
        const unique = candidates.filter((c, i) => candidates.findIndex((x) => x.id === c.id) === i);
        const rand = mulberry32(shuffleSeed);
        const shuffled = unique.map((c) => [rand(), c] as const).sort((a, b) => a[0] - b[0]).map(([, c]) => c);
        expect(rerank(shuffled, options)).toEqual(rerank(unique, options));
      }),
      { numRuns: 200 },
    );
  });

  it('on a full page, exploration sits at its positions; scores are the boosted ones', () => {
    fc.assert(
      fc.property(inputArb, ({ candidates, options }) => {
        const feed = rerank(candidates, options);
        const slots = options.explorationSlots ?? 0;
        if (feed.length === options.count) {
          const at = feed.filter((x) => x.reason === REASONS.exploration).map((x) => x.position);
          expect(at).toEqual(explorationPositions(options.count, slots));
        }
        const byId = new Map(candidates.map((c) => [c.id, c]));
        for (const x of feed) {
          // The boost only raises a score, by at most freshBoost (the copy with the best score
          // is the one shown, so compare with that).
          const best = Math.max(...candidates.filter((c) => c.id === x.id).map((c) => c.score));
          expect(x.score).toBeGreaterThanOrEqual(best);
          expect(x.score).toBeLessThanOrEqual(best * (1 + (options.freshBoost ?? 0)) + 1e-12);
          expect(byId.has(x.id)).toBe(true);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('bad options and NaN scores throw ValidationError naming the field', () => {
    const good = (): RerankCandidate[] => [
      { id: 'a', score: 0.5, pClick: 0.5, watchFraction: null, embedding: Float32Array.of(1, 0), categories: [], popularity: 1, source: 'head' },
      { id: 'b', score: 0.4, pClick: 0.4, watchFraction: 1, embedding: Float32Array.of(0, 1), categories: [], popularity: 1, source: 'retrieval' },
    ];
    const base: RerankOptions = { count: 2, now: NOW, seen: new Set(), hidden: new Set(), seed: 1 };
    const fieldOf = (fn: () => unknown): string => {
      try {
        fn();
      } catch (err) {
        if (err instanceof ValidationError) return err.field;
        throw err;
      }
      return '(none)';
    };
    const notPositiveInt = fc.oneof(
      fc.integer({ max: 0 }),
      fc.double({ noInteger: true }),
      fc.constantFrom(NaN, Infinity, -Infinity),
    );
    fc.assert(
      fc.property(notPositiveInt, (count) => {
        expect(fieldOf(() => rerank(good(), { ...base, count }))).toBe('count');
      }),
    );
    const outsideUnit = fc.oneof(fc.double({ min: 1.0000001, noNaN: true }), fc.double({ max: -0.0000001, noNaN: true }), fc.constant(NaN));
    fc.assert(
      fc.property(outsideUnit, (mmrLambda) => {
        expect(fieldOf(() => rerank(good(), { ...base, mmrLambda }))).toBe('mmrLambda');
      }),
    );
    const badScore = fc.oneof(fc.constantFrom(NaN, Infinity, -Infinity), fc.double({ max: -Number.MIN_VALUE, noNaN: true }));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1 }), badScore, (i, score) => {
        const cands = good();
        cands[i]!.score = score;
        expect(fieldOf(() => rerank(cands, base))).toBe(`candidates[${i}].score`);
      }),
    );
  });
});

describe('rerank at the device size', () => {
  it('500 candidates × 64 dims -> 50 distinct items, exploration in place, no copy beside its original', () => {
    const dim = 64;
    const rand = mulberry32(2025);
    const cats = Array.from({ length: 20 }, (_, i) => `cat${i}`);
    const candidates: RerankCandidate[] = [];
    for (let i = 0; i < 500; i++) {
      const v = new Float32Array(dim);
      let ss = 0;
      for (let k = 0; k < dim; k++) {
        v[k] = rand() - 0.5;
        ss += v[k]! * v[k]!;
      }
      for (let k = 0; k < dim; k++) v[k] = v[k]! / Math.sqrt(ss);
      const pClick = rand();
      const watchFraction = rand();
      candidates.push({
        id: `item${i}`,
        score: pClick * watchFraction,
        pClick,
        watchFraction,
        embedding: v,
        categories: [cats[Math.floor(rand() * 20)]!, ...(rand() < 0.3 ? [cats[Math.floor(rand() * 20)]!] : [])],
        created: NOW - rand() * 60 * DAY_MS,
        popularity: Math.floor(rand() * 10_000),
        source: rand() < 0.1 ? 'head' : 'retrieval',
      });
    }
    // A few exact copies, so deduplication does some work.
    for (let i = 0; i < 10; i++) candidates.push({ ...candidates[i * 7]!, id: `copy${i}` });
    const options: RerankOptions = {
      count: 50,
      now: NOW,
      seen: new Set(['item3', 'item10']),
      hidden: new Set(['item20']),
      seed: 9,
      userCategories: new Map(cats.slice(0, 5).map((c) => [c, 0.15])),
    };
    // Its speed is the bench's (npm run bench: the device suite's rerank row), not a test's.
    const feed = rerank(candidates, options);
    expect(feed).toHaveLength(50);
    expect(new Set(feed.map((x) => x.id)).size).toBe(50);
    expect(feed.filter((x) => x.reason === REASONS.exploration).map((x) => x.position)).toEqual(explorationPositions(50, Math.floor(50 * RERANK_DEFAULTS.explorationShare)));
    // Copies never both appear.
    const shown = new Set(feed.map((x) => x.id));
    for (let i = 0; i < 10; i++) expect(shown.has(`item${i * 7}`) && shown.has(`copy${i}`)).toBe(false);
  });
});
