/**
 * What the build chooses on validation (a slice of the training window, never test): EASE's λ
 * and the order recency of the user's history, for retrieval; the textbook EASE baseline's own
 * λ; and the ranker's training rows, built from a retrieval model of the earlier part.
 */
import { SEQUENCE_SCORE_FIELD, candidateContexts, historyScores } from '../../core/feed/index.ts';
import type { FeatureRow } from '../../core/features/index.ts';
import { topK } from '../../core/vectors/index.ts';
import { ITEM_ITEM_DEFAULTS, fitEase, scoreHistory, type ItemItemMatrix } from '../baselines/index.ts';
import { createRng, type Interaction } from '../data/index.ts';
import { catalogIndex, evaluateFeed, prepareProtocol, type Catalog, type EvalSplit } from '../evaluate/index.ts';
import type { ExampleBuilder } from '../features/index.ts';
import { BUILD_DEFAULTS } from './defaults.ts';
import type { FeedCandidates } from './feed-candidates.ts';
import type { SequenceScorer } from './sequence-scorer.ts';

export interface ItemItemChoice {
  lambda: number;
  /** How many of the newest positives the user tower pools (the history feature's maxLength). */
  historyLength: number;
  /** null: no order recency won. */
  halfLifeEvents: number | null;
  validationNdcg: number;
  /** λ of the plain EASE baseline (no recency), chosen the same way. */
  baselineLambda: number;
  /** Every setting tried: validation NDCG@10. */
  grid: { lambda: number; historyLength: number; halfLifeEvents: number | null; ndcg: number }[];
  /** The EASE model of the validation's train part at the chosen λ. */
  validationMatrix: ItemItemMatrix;
}

/**
 * λ, history length and order recency of the retrieval, each setting scored on validation
 * (NDCG@10 of the item-item model as the user tower pools it); the best wins. Long histories
 * (ml-latest-small's users rate hundreds of films) and short ones (MovieLens-100K) want
 * different lengths and half-lives, so all three are chosen together. A longer history costs
 * the device (every ranked row carries it), so the shortest length within
 * `historyLengthTolerance` of the best score wins (the best setting at that length).
 */
export function chooseItemItem(split: EvalSplit, catalog: Catalog, o: { historyLengths: readonly number[] }): ItemItemChoice {
  const indexOf = catalogIndex(catalog);
  const scores = new Float32Array(catalog.length);
  const grid: ItemItemChoice['grid'] = [];
  type Setting = { lambda: number; historyLength: number; halfLifeEvents: number | null; ndcg: number; m: ItemItemMatrix };
  const tried: Setting[] = [];
  let plain = { lambda: ITEM_ITEM_DEFAULTS.lambdas[0]!, ndcg: -1 };
  // Distinct positives each user's history pools (what scoreHistory counts), for `weights`.
  const pooled = new Map<string, number>();
  for (const lambda of ITEM_ITEM_DEFAULTS.lambdas) {
    const m = fitEase(split.train, catalog, { lambda, maxItems: BUILD_DEFAULTS.itemItemMaxItems });
    // Settings that weight a user's positives alike score them alike: a user with 40 positives
    // gets the same page from lengths 50 and 300, and from no weighting and no half-life. Each
    // user's page is computed once per distinct weighting (of this λ), not once per setting.
    const pages = new Map<string, string[]>();
    const ndcgOf = (weights: (positives: number) => string, weightOf?: (p: number) => number) =>
      evaluateFeed(split, catalog, (user, history, exclude, k) => {
        let positives = pooled.get(user);
        if (positives === undefined) pooled.set(user, (positives = pooledPositives(m, indexOf, history)));
        const key = `${user}\u0000${weights(positives)}\u0000${k}`;
        let page = pages.get(key);
        if (page === undefined) {
          scoreHistory(m, indexOf, history, scores, weightOf);
          page = Array.from(topK(scores, k, { exclude: (i) => exclude.has(catalog[i]!) }).indices, (i) => catalog[i]!);
          pages.set(key, page);
        }
        return page;
      }, 10)['ndcg@10']!;
    const base = ndcgOf((positives) => `${positives}|none`);
    if (base > plain.ndcg) plain = { lambda, ndcg: base };
    for (const historyLength of o.historyLengths) {
      for (const halfLife of BUILD_DEFAULTS.historyHalfLivesEvents) {
        // As the user tower pools: the newest `historyLength` positives, 0.5^(position / half-life).
        const h = halfLife ?? Infinity;
        const ndcg = ndcgOf(
          (positives) => `${Math.min(historyLength, positives)}|${halfLife ?? 'none'}`,
          (p) => (p < historyLength ? Math.pow(0.5, p / h) : 0),
        );
        grid.push({ lambda, historyLength, halfLifeEvents: halfLife, ndcg });
        tried.push({ lambda, historyLength, halfLifeEvents: halfLife, ndcg, m });
      }
    }
  }
  const best = pickSetting(tried, BUILD_DEFAULTS.historyLengthTolerance);
  return {
    lambda: best.lambda,
    historyLength: best.historyLength,
    halfLifeEvents: best.halfLifeEvents,
    validationNdcg: best.ndcg,
    baselineLambda: plain.lambda,
    grid,
    validationMatrix: best.m,
  };
}

/**
 * How many positives of `history` scoreHistory pools with `m`: the distinct modelled ones. The
 * matrices of one choice model the same items (the most popular of one train window), so the
 * count does not depend on λ.
 */
function pooledPositives(m: ItemItemMatrix, indexOf: ReadonlyMap<string, number>, history: readonly Interaction[]): number {
  const seen = new Set<number>();
  for (const x of history) {
    if (x.label !== 1) continue;
    const r = m.rowOf[indexOf.get(x.item) ?? -1] ?? -1;
    if (r >= 0) seen.add(r);
  }
  return seen.size;
}

/**
 * The setting validation keeps: the shortest history length whose best score is within
 * `tolerance` (a share) of the best overall, and the best setting at that length (the first
 * tried on a tie).
 */
export function pickSetting<T extends { historyLength: number; ndcg: number }>(tried: readonly T[], tolerance: number): T {
  const top = Math.max(...tried.map((t) => t.ndcg));
  const length = Math.min(...tried.filter((t) => t.ndcg >= top * (1 - tolerance)).map((t) => t.historyLength));
  return tried.filter((t) => t.historyLength === length).reduce((a, b) => (b.ndcg > a.ndcg ? b : a));
}

export interface CandidateRows {
  rows: FeatureRow[];
  nows: Float64Array;
  labels: Float32Array;
  /** Watch fraction of positive rows where the data has it, else NaN. */
  watch: Float32Array;
  retrievalScores: Float32Array;
  retrievalRanks: Float32Array;
  /** The user of each row. */
  users: string[];
}

type UserVectors = (users: { user: string; history: readonly Interaction[]; now: number }[]) => Float32Array[];
type EntryVectors = (users: { user: string; history: readonly Interaction[]; now: number }[]) => { vectors: Float32Array; rows: number }[];

/**
 * Feeds of the validation users as a device would have ranked them: at `listsPerUser` moments
 * through each user's validation interactions (the first, then evenly spaced), the candidates
 * the device would rank (head + retrieved) for the history up to that moment, labelled 1 where
 * the user liked the item from then on. Kept: every positive and `randomNegatives` negatives
 * drawn uniformly from the list (uniform, so P(like | score) keeps its shape: keeping only the
 * best-scored negatives taught the ranker that a high score means a miss). The list itself is
 * retrieval's, so its negatives are the hard ones. With `entryVectors`, each row's context also
 * carries the candidate-aware history scores (src/core/feed/history-scores.ts), and with
 * `sequence` the step table's sequence score (src/core/feed/step-table.ts).
 */
export function candidateRows(
  split: EvalSplit,
  builder: ExampleBuilder,
  candidates: FeedCandidates,
  userVectors: UserVectors,
  o: { seed: number; randomNegatives: number; listsPerUser: number; entryVectors?: EntryVectors; sequence?: SequenceScorer },
): CandidateRows {
  const catalog = builder.catalog;
  const p = prepareProtocol(split, catalog);
  const later = new Map<string, Interaction[]>();
  for (const x of split.test) {
    const list = later.get(x.user);
    if (list) list.push(x);
    else later.set(x.user, [x]);
  }
  // One moment per list: (user, history so far, the interactions still to come).
  const moments: { user: string; history: Interaction[]; future: Interaction[]; at: number }[] = [];
  for (const u of p.users) {
    const future = later.get(u.user)!;
    const starts = new Set<number>();
    for (let k = 0; k < o.listsPerUser; k++) starts.add(Math.floor((k * future.length) / o.listsPerUser));
    for (const s0 of starts) {
      // Interactions sharing a timestamp stay on one side of the moment.
      let s = s0;
      while (s > 0 && future[s - 1]!.at === future[s]!.at) s--;
      if (moments.some((m) => m.user === u.user && m.at === future[s]!.at)) continue;
      moments.push({ user: u.user, history: [...u.history, ...future.slice(0, s)], future: future.slice(s), at: future[s]!.at });
    }
  }
  const asked = moments.map((m) => ({ user: m.user, history: m.history, now: m.at }));
  const vectors = userVectors(asked);
  const entries = o.entryVectors ? o.entryVectors(asked) : null;
  const rng = createRng(o.seed);
  const out = { rows: [] as FeatureRow[], nows: [] as number[], labels: [] as number[], watch: [] as number[], scores: [] as number[], ranks: [] as number[], users: [] as string[] };
  moments.forEach((m, mi) => {
    const seen = new Set(m.history.map((x) => builder.index.get(x.item)!));
    const liked = new Map<number, number>();
    for (const x of m.future) {
      const i = builder.index.get(x.item)!;
      if (x.label === 1 && !seen.has(i) && !liked.has(i)) liked.set(i, x.watchFraction ?? Number.NaN);
    }
    if (liked.size === 0) return;
    const excluded = (i: number) => seen.has(i) || (builder.item(i).created ?? -Infinity) > m.at;
    const list = candidates.list(m.history.length > 0 ? vectors[mi]! : null, excluded);
    const keep: number[] = [];
    const negatives: number[] = [];
    list.items.forEach((item, j) => (liked.has(item) ? keep : negatives).push(j));
    for (let k = 0; k < o.randomNegatives && negatives.length > 0; k++) keep.push(negatives.splice(rng.int(negatives.length), 1)[0]!);
    const history = builder.history(m.history);
    const user = builder.user(m.user, history);
    const contexts = candidateContexts(list.retrievalScores);
    const e = entries?.[mi];
    const scores = e ? historyScores(e.vectors, e.rows, candidates.dim, keep.map((j) => candidates.vector(list.items[j]!))) : null;
    const sequence = o.sequence?.scores(history, keep.map((j) => list.items[j]!));
    keep.forEach((j, kj) => {
      const item = list.items[j]!;
      const label = liked.has(item) ? 1 : 0;
      const context: Record<string, number> = scores ? { ...contexts[j]!, ...scores[kj]! } : { ...contexts[j]! };
      if (sequence) context[SEQUENCE_SCORE_FIELD] = sequence[kj]!;
      out.rows.push({ user, item: builder.item(item) as unknown as Record<string, unknown>, context });
      out.nows.push(m.at);
      out.labels.push(label);
      out.watch.push(label === 1 ? liked.get(item)! : Number.NaN);
      out.scores.push(list.retrievalScores[j]!);
      out.ranks.push(contexts[j]!.retrievalRank);
      out.users.push(m.user);
    });
  });
  return {
    rows: out.rows,
    nows: Float64Array.from(out.nows),
    labels: Float32Array.from(out.labels),
    watch: Float32Array.from(out.watch),
    retrievalScores: Float32Array.from(out.scores),
    retrievalRanks: Float32Array.from(out.ranks),
    users: out.users,
  };
}
