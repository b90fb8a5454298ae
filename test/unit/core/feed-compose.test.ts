// The feed composition both runtimes share (src/core/feed/compose.ts).
import { describe, expect, it } from 'vitest';
import { FEED_COMPOSITION, candidateContexts, composeFeed, feedScore, headSlotsFor, interleaveHead, retrievalScore } from '../../../src/core/feed/index.ts';
import { bestPopularity, categoryShares, newUserScore } from '../../../src/core/feed/compose.ts';
import type { RerankCandidate } from '../../../src/core/rerank/index.ts';

describe('feed composition', () => {
  it('takes the head slots for a known user, the whole budget for a new one', () => {
    expect(headSlotsFor(true, 500)).toBe(FEED_COMPOSITION.headSlots);
    expect(headSlotsFor(true, 20)).toBe(20);
    expect(headSlotsFor(false, 500)).toBe(500);
  });

  it('alternates the most popular and the newest head items, each once', () => {
    // popularity: item 2 > 0 > 1 > 3; created: 3 newest, then 1; 0 and 2 unknown.
    const order = interleaveHead([5, 1, 9, 0], [undefined, 200, undefined, 300]);
    expect(Array.from(order)).toEqual([2, 3, 0, 1]);
  });

  it('gives each candidate its retrieval score and its rank by it', () => {
    expect(retrievalScore(Float32Array.from([1, 2]), [0.5, -1])).toBeCloseTo(-1.5, 6);
    expect(candidateContexts([0.2, 0.9, 0.2, 0.5])).toEqual([
      { retrievalScore: 0.2, retrievalRank: 2 },
      { retrievalScore: 0.9, retrievalRank: 0 },
      { retrievalScore: 0.2, retrievalRank: 3 },
      { retrievalScore: 0.5, retrievalRank: 1 },
    ]);
  });

  it('scores by expected watch, or the click alone without a watch head', () => {
    expect(feedScore(0.5, 0.4)).toBeCloseTo(0.2, 6);
    expect(feedScore(0.5, null)).toBe(0.5);
  });

  it("scores a new user's candidates by popularity over the best one's, on [0, 1]", () => {
    const popularity = [40, 10, 0, 20, undefined];
    const best = bestPopularity(popularity);
    expect(best).toBe(40);
    expect(popularity.map((p) => newUserScore(p ?? 0, best))).toEqual([1, 0.25, 0, 0.5, 0]);
    // No popular candidate at all (a catalogue without interactions yet): every score is 0, never NaN.
    expect(newUserScore(0, bestPopularity([0, 0]))).toBe(0);
  });

  it('shares a history over categories from what the user chose, not what they skipped', () => {
    const shares = categoryShares([
      { item: { id: 'a', categories: ['Drama', 'War'] }, type: 'like', at: 1 },
      { item: { id: 'b', categories: ['Drama'] }, type: 'click', at: 2 },
      { item: { id: 'c', categories: ['Horror'] }, type: 'skip', at: 3 },
    ]);
    expect(shares.get('Drama')).toBeCloseTo(0.75, 6);
    expect(shares.get('War')).toBeCloseTo(0.25, 6);
    expect(shares.has('Horror')).toBe(false);
  });

  it('composes the page through the re-ranker: seen items never shown, a new user gets popular reasons', () => {
    const cand = (id: string, score: number, axis: number): RerankCandidate => {
      const embedding = new Float32Array(4);
      embedding[axis] = 1;
      return { id, score, pClick: score, watchFraction: null, embedding, categories: [], popularity: 10, source: 'head' };
    };
    const page = composeFeed([cand('a', 0.9, 0), cand('b', 0.8, 1), cand('c', 0.7, 2)], [], { count: 2, now: 0, seen: new Set(['a']), hidden: new Set(), seed: 1 });
    expect(page.map((x) => x.id)).toEqual(['b', 'c']);
    expect(page[0]!.reason).toMatch(/Popular/);
  });
});
