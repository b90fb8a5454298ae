/**
 * What the build chooses on validation (a slice of the training window, never test): EASE's λ
 * and the order recency of the user's history, for retrieval; the textbook EASE baseline's own
 * λ; and the ranker's training rows, built from a retrieval model of the earlier part.
 */
import { candidateContexts } from '../../core/feed/index.ts';
import type { FeatureRow } from '../../core/features/index.ts';
import { topK } from '../../core/vectors/index.ts';
import { ITEM_ITEM_DEFAULTS, fitEase, scoreHistory, type ItemItemMatrix } from '../baselines/index.ts';
import { createRng, type Interaction } from '../data/index.ts';
import { catalogIndex, evaluateFeed, prepareProtocol, type Catalog, type EvalSplit } from '../evaluate/index.ts';
import type { ExampleBuilder } from '../features/index.ts';
import { BUILD_DEFAULTS } from './defaults.ts';
import type { FeedCandidates } from './feed-candidates.ts';

export interface ItemItemChoice {
  lambda: number;
  /** null: no order recency won. */
  halfLifeEvents: number | null;
  validationNdcg: number;
  /** λ of the plain EASE baseline (no recency), chosen the same way. */
  baselineLambda: number;
  /** Every setting tried: validation NDCG@10. */
  grid: { lambda: number; halfLifeEvents: number | null; ndcg: number }[];
  /** The EASE model of the validation's train part at the chosen λ. */
  validationMatrix: ItemItemMatrix;
}

export function chooseItemItem(split: EvalSplit, catalog: Catalog, o: { historyLength: number }): ItemItemChoice {
  const indexOf = catalogIndex(catalog);
  const scores = new Float32Array(catalog.length);
  const grid: ItemItemChoice['grid'] = [];
  let best: { lambda: number; halfLifeEvents: number | null; ndcg: number; m: ItemItemMatrix } | null = null;
  let plain = { lambda: ITEM_ITEM_DEFAULTS.lambdas[0]!, ndcg: -1 };
  for (const lambda of ITEM_ITEM_DEFAULTS.lambdas) {
    const m = fitEase(split.train, catalog, { lambda, maxItems: BUILD_DEFAULTS.itemItemMaxItems });
    const ndcgOf = (weightOf?: (p: number) => number) =>
      evaluateFeed(split, catalog, (_u, history, exclude, k) => {
        scoreHistory(m, indexOf, history, scores, weightOf);
        return Array.from(topK(scores, k, { exclude: (i) => exclude.has(catalog[i]!) }).indices, (i) => catalog[i]!);
      }, 10)['ndcg@10']!;
    const base = ndcgOf();
    if (base > plain.ndcg) plain = { lambda, ndcg: base };
    for (const halfLife of BUILD_DEFAULTS.historyHalfLivesEvents) {
      // As the user tower pools: the newest `historyLength` positives, 0.5^(position / half-life).
      const h = halfLife ?? Infinity;
      const ndcg = ndcgOf((p) => (p < o.historyLength ? Math.pow(0.5, p / h) : 0));
      grid.push({ lambda, halfLifeEvents: halfLife, ndcg });
      if (!best || ndcg > best.ndcg) best = { lambda, halfLifeEvents: halfLife, ndcg, m };
    }
  }
  return {
    lambda: best!.lambda,
    halfLifeEvents: best!.halfLifeEvents,
    validationNdcg: best!.ndcg,
    baselineLambda: plain.lambda,
    grid,
    validationMatrix: best!.m,
  };
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

/**
 * Feeds of the validation users as a device would have ranked them: at `listsPerUser` moments
 * through each user's validation interactions (the first, then evenly spaced), the candidates
 * the device would rank (head + retrieved) for the history up to that moment, labelled 1 where
 * the user liked the item from then on. Kept: every positive and `randomNegatives` negatives
 * drawn uniformly from the list (uniform, so P(like | score) keeps its shape: keeping only the
 * best-scored negatives taught the ranker that a high score means a miss). The list itself is
 * retrieval's, so its negatives are the hard ones.
 */
export function candidateRows(
  split: EvalSplit,
  builder: ExampleBuilder,
  candidates: FeedCandidates,
  userVectors: UserVectors,
  o: { seed: number; randomNegatives: number; listsPerUser: number },
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
  const vectors = userVectors(moments.map((m) => ({ user: m.user, history: m.history, now: m.at })));
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
    const user = builder.user(m.user, builder.history(m.history));
    const contexts = candidateContexts(list.retrievalScores);
    for (const j of keep) {
      const item = list.items[j]!;
      const label = liked.has(item) ? 1 : 0;
      out.rows.push({ user, item: builder.item(item) as unknown as Record<string, unknown>, context: contexts[j]! });
      out.nows.push(m.at);
      out.labels.push(label);
      out.watch.push(label === 1 ? liked.get(item)! : Number.NaN);
      out.scores.push(list.retrievalScores[j]!);
      out.ranks.push(contexts[j]!.retrievalRank);
      out.users.push(m.user);
    }
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
