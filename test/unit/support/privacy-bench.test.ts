// The privacy bench's computations (test/bench/privacy-*.ts) on tiny hand-made cases with known answers.
import { describe, expect, it } from 'vitest';
import { byAddressWindow, byToken, simulateBatches, unitK, holdings, type SentBatch } from '../../bench/privacy-batches.ts';
import { anonymitySets, fetchPattern, similarBundles, type Clustering } from '../../bench/privacy-catalogue.ts';
import { movieLensEvents, type Act } from '../../bench/privacy-data.ts';
import { linkAcrossDays, type Observation } from '../../bench/privacy-linking.ts';

const v = (...xs: number[]) => Float32Array.from(xs);
const vectors = new Map([
  ['a', v(1, 0)],
  ['b', v(0, 1)],
  ['a2', v(1, 0.2)],
  ['b2', v(0.2, 1)],
  ['ab', v(1, 1)],
]);
const obs = (user: number, day: number, ...items: string[]): Observation => ({ user, day, items });

describe('linkAcrossDays', () => {
  it('links each day-0 set to the most similar day-1 set, and scores chance as one in the day-1 observations', () => {
    const r = linkAcrossDays([obs(1, 0, 'a'), obs(2, 0, 'b'), obs(1, 1, 'a2'), obs(2, 1, 'b2')], vectors);
    expect(r).toEqual({ linked: 1, chance: 0.5, scored: 2 });
  });

  it('splits credit among ties and scores only devices seen on the next day', () => {
    // Day 0: users 1 and 2 both send a; user 4 is not back on day 1. Day 1: users 1 and 2 send a again, user 3 sends b.
    const r = linkAcrossDays([obs(1, 0, 'a'), obs(2, 0, 'a'), obs(4, 0, 'b'), obs(1, 1, 'a'), obs(2, 1, 'a'), obs(3, 1, 'b')], vectors);
    expect(r.scored).toBe(2);
    expect(r.linked).toBeCloseTo(0.5, 12);
    expect(r.chance).toBeCloseTo(1 / 3, 12);
  });

  it('matches a set by its mean direction, and a wrong best match scores nothing', () => {
    // User 1's {a, b} points along (1, 1): the day-1 set {ab} is theirs. User 2 sends b then a: linked to user 3's b2.
    const r = linkAcrossDays([obs(1, 0, 'a', 'b'), obs(2, 0, 'b'), obs(1, 1, 'ab'), obs(2, 1, 'a'), obs(3, 1, 'b2')], vectors);
    expect(r.scored).toBe(2);
    expect(r.linked).toBeCloseTo(0.5, 12);
    expect(r.chance).toBeCloseTo(1 / 3, 12);
  });

  it('links days d and d + 1 only, and is NaN with nothing to score', () => {
    expect(linkAcrossDays([obs(1, 0, 'a'), obs(1, 2, 'a')], vectors).scored).toBe(0);
    expect(linkAcrossDays([obs(1, 0, 'a'), obs(1, 2, 'a')], vectors).linked).toBeNaN();
  });
});

describe('batch grouping', () => {
  const batch = (at: number, token: number, ...items: string[]): SentBatch => ({ at, token, rows: new Map(items.map((i) => [i, null])) });
  it('groups by token, and by address when requests come less than 30 minutes apart', () => {
    const min = 60_000;
    const sent = [batch(0, 0, 'a'), batch(10 * min, 1, 'b'), batch(50 * min, 2, 'c'), batch(55 * min, 2, 'd')];
    expect(byToken(sent).map((u) => [...u.rows.keys()])).toEqual([['a'], ['b'], ['c', 'd']]);
    expect(byAddressWindow(sent).map((u) => [u.at, [...u.rows.keys()]])).toEqual([
      [0, ['a', 'b']],
      [50 * min, ['c', 'd']],
    ]);
  });

  it('builds one noisy item per batch, each under its own token, through the worker batch builder', () => {
    const acts: Act[] = [
      { item: 'x', at: 1_000_000, events: movieLensEvents(5, 1_000_000) },
      { item: 'y', at: 1_000_500, events: movieLensEvents(2, 1_000_500) },
      { item: 'z', at: 1_001_000, events: movieLensEvents(3, 1_001_000) },
    ];
    const c = { noisy: true, epsilon: 1, batchesPerToken: 1, rowsPerBatch: 1, keep: (i: string) => i !== 'z' };
    const sent = simulateBatches(acts, c, 1);
    expect(sent.map((b) => [b.token, [...b.rows]])).toEqual([
      [0, [['x', null]]],
      [1, [['y', null]]],
    ]);
    // Exact and packed, one token: the counts as recorded (x liked, y not).
    const packed = simulateBatches(acts, { ...c, noisy: false, batchesPerToken: Infinity, rowsPerBatch: 100 }, 1);
    expect(packed).toHaveLength(1);
    expect(packed[0]!.rows.get('x')).toEqual({ impressions: 1, clicks: 1, likes: 1 });
    expect(packed[0]!.rows.get('z')).toBeUndefined();
  });

  it('counts as k the users whose 30 days hold a unit (with at least its exact counts)', () => {
    const one = (item: string, rating: number): Act => ({ item, at: 0, events: movieLensEvents(rating, 0) });
    const byItem = holdings(new Map([[1, [one('a', 5), one('b', 1)]], [2, [one('a', 2)]], [3, [one('a', 4), one('b', 4)]]]));
    expect(unitK({ at: 0, rows: new Map([['a', null]]) }, byItem)).toBe(3);
    expect(unitK({ at: 0, rows: new Map([['a', { impressions: 1, clicks: 1, likes: 1 }]]) }, byItem)).toBe(2);
    expect(unitK({ at: 0, rows: new Map([['a', null], ['b', null]]) }, byItem)).toBe(2);
  });
});

describe('fetch patterns of a large catalogue', () => {
  // Four clusters on the unit circle: 0 and 1 near (1, 0), 2 and 3 near (0, 1).
  const c: Clustering = { count: 4, dim: 2, centroids: v(1, 0, 0.9, 0.436, 0, 1, 0.436, 0.9) };
  it('bundles similar clusters together', () => {
    expect([...similarBundles(c, 2)]).toEqual([0, 0, 1, 1]);
  });

  it('fetches the nearest lazily, whole bundles, or the nearest with decoys', () => {
    const sessions = [v(1, 0), v(1, 0.1), v(0.1, 1)];
    expect(fetchPattern(c, sessions, 1, { kind: 'nearest' }, 1)).toEqual({ sessions: [[0], [2]], fetched: 2, needed: 2, covered: 1 });
    expect(fetchPattern(c, sessions, 1, { kind: 'bundles', bundle: similarBundles(c, 2) }, 1)).toEqual({ sessions: [[0, 1], [2, 3]], fetched: 4, needed: 2, covered: 1 });
    const decoys = fetchPattern(c, sessions, 1, { kind: 'decoys', count: 1 }, 1);
    expect(decoys.sessions[0]).toContain(0);
    expect(decoys.sessions[0]).toHaveLength(2);
    expect(decoys.fetched).toBe(decoys.sessions.flat().length);
    expect(decoys.needed).toBe(2);
  });

  it('fetches only the bundle of the nearest cluster for a cohort, holding part of the nearest', () => {
    // Along (0.7, 0.7) clusters 1 and 3 tie for nearest (the lower id first): the cohort is 1's bundle, {0, 1}.
    expect(fetchPattern(c, [v(0.7, 0.7)], 2, { kind: 'cohort', bundle: similarBundles(c, 2) }, 1)).toEqual({ sessions: [[0, 1]], fetched: 2, needed: 1, covered: 0.5 });
  });

  it('gives each observation the number of identical ones', () => {
    expect(anonymitySets(['x', 'y', 'x', 'z', 'x'])).toEqual([3, 1, 3, 1, 3]);
  });
});
