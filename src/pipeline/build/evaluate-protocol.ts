/**
 * Every figure of one protocol, each model judged by the same evaluators over the same users:
 *
 * - retrieval (Recall@K over the catalogue): ours (the item-item factors as the device
 *   retrieves), EASE, most-popular;
 * - ranking (AUC, log loss) of DCN and logistic regression on the feed's own candidates (what
 *   the ranker orders on a device), labelled by what each test user liked;
 * - the feed (NDCG/Precision/MAP@10, coverage, diversity): `served` — the device's candidate
 *   mix, DCN, then the re-ranker, through src/core/feed composeFeed, exactly as the worker;
 *   `ranked` — the same before re-ranking; and the baselines: retrieval alone (`twoTower`),
 *   EASE, ItemKNN, most-popular.
 */
import { FEED_COMPOSITION, SEQUENCE_SCORE_FIELD, readsSequenceScore, candidateContexts, composeFeed, bestPopularity, feedScore, historyScores, newUserScore, readsHistoryScores } from '../../core/feed/index.ts';
import type { FeatureRow } from '../../core/features/index.ts';
import type { RerankCandidate, RerankOptions } from '../../core/rerank/index.ts';
import { topK } from '../../core/vectors/index.ts';
import { itemItemModel, popularityModel, predictLogisticRegressionTensors } from '../baselines/index.ts';
import { truthSplit, type Dataset, type Interaction, type TruthSplitCounts } from '../data/index.ts';
import {
  buildTensorsPerRow,
  evaluateFeed,
  evaluateRanking,
  evaluateRetrieval,
  prepareProtocol,
  restrictToUsers,
  warmColdUsers,
  EVALUATE_DEFAULTS,
  type EvalSplit,
  type FeedReport,
  type RankFeed,
  type RankingReport,
  type RetrievalReport,
  type ScoreAll,
} from '../evaluate/index.ts';
import { predictDcn } from '../train/index.ts';
import { BUILD_DEFAULTS } from './defaults.ts';
import { userEntryVectors, userVectors, type TrainedModels } from './models.ts';

interface Scorer {
  scoreAll: ScoreAll;
  rank: RankFeed;
}

export interface Scorers {
  twoTower: Scorer;
  popularity: Scorer;
  ease: Scorer | null;
  itemKnn: Scorer | null;
  served: RankFeed;
  ranked: RankFeed;
  /** Labels and predictions of every candidate row ranked for a test user so far. */
  rankingRows(): { labels: number[]; dcn: number[]; logisticRegression: number[]; users: number[] };
}

export type FeedName = 'served' | 'ranked' | 'twoTower' | 'ease' | 'itemKnn' | 'popularity';

export interface ProtocolMetrics {
  retrieval: { twoTower: RetrievalReport; ease: RetrievalReport | null; popularity: RetrievalReport };
  ranking: { dcn: RankingReport; logisticRegression: RankingReport };
  feed: Record<FeedName, FeedReport | null>;
}

interface RankedFeed {
  items: number[];
  click: Float32Array;
  watch: Float32Array | null;
  candidates: RerankCandidate[];
}

/** Scoring functions of the trained models and the baselines for this split. */
export function scorers(split: EvalSplit, m: TrainedModels, rerankOptions: Partial<RerankOptions> = {}): Scorers {
  const catalog = m.builder.catalog;
  // The feed is shown at the user's first test interaction: history recency and item ages
  // are measured from that moment, as the device would.
  const firstTest = new Map<string, number>();
  for (const x of split.test) if (!firstTest.has(x.user)) firstTest.set(x.user, x.at);
  const relevantOf = new Map(prepareProtocol(split, catalog).users.map((u) => [u.user, new Set(u.relevant)] as const));
  const histories = new Map<string, Interaction[]>();
  for (const x of split.train) {
    const h = histories.get(x.user);
    if (h) h.push(x);
    else histories.set(x.user, [x]);
  }
  const moments = [...firstTest.keys()].map((user) => ({ user, history: histories.get(user) ?? [], now: firstTest.get(user)! }));
  const vectors = userVectors(m, moments);
  // The per-entry vectors only where the ranker reads the history scores (as on a device).
  const entryVectors = readsHistoryScores(m.plan.spec) ? userEntryVectors(m, moments) : null;
  const scores = new Float32Array(catalog.length);
  const scoreAll: ScoreAll = (user) => {
    const u = vectors.get(user);
    if (!u) throw new Error(`no user vector for test user "${user}"`);
    return m.candidates.scoreAll(u, scores);
  };
  const unavailable = (exclude: ReadonlySet<string>, at: number) => (i: number) => exclude.has(catalog[i]!) || (m.builder.item(i).created ?? -Infinity) > at;

  // One ranked candidate list per user, shared by the served and ranked feeds and the AUC.
  const cache = new Map<string, RankedFeed>();
  const rowsSeen = { labels: [] as number[], dcn: [] as number[], logisticRegression: [] as number[], users: [] as number[] };
  const rankedFeed = (user: string, history: readonly Interaction[], exclude: ReadonlySet<string>): RankedFeed => {
    const hit = cache.get(user);
    if (hit) return hit;
    const at = firstTest.get(user)!;
    const list = m.candidates.list(history.length > 0 ? vectors.get(user)! : null, unavailable(exclude, at));
    const entries = m.builder.history(history);
    const userScope = m.builder.user(user, entries);
    const contexts = candidateContexts(list.retrievalScores);
    const e = entryVectors?.get(user);
    const scores = e ? historyScores(e.vectors, e.rows, m.dim, list.items.map((i) => m.candidates.vector(i))) : null;
    // The step table's sequence score, where the ranker reads it (as on a device).
    const sequence = readsSequenceScore(m.plan.spec) ? m.sequence.scores(entries, list.items) : null;
    const rows: FeatureRow[] = list.items.map((i, j) => {
      const context: Record<string, number> = scores ? { ...contexts[j]!, ...scores[j]! } : { ...contexts[j]! };
      if (sequence) context[SEQUENCE_SCORE_FIELD] = sequence[j]!;
      return { user: userScope, item: m.builder.item(i) as unknown as Record<string, unknown>, context };
    });
    const inputs = buildTensorsPerRow(m.plan.spec, rows, new Float64Array(rows.length).fill(at));
    const p = rankInputs(m, inputs);
    const relevant = relevantOf.get(user) ?? new Set<number>();
    const lr = m.logReg ? predictLogisticRegressionTensors(m.logReg, m.plan.spec, inputs) : null;
    const userNumber = cache.size;
    list.items.forEach((i, j) => {
      rowsSeen.users.push(userNumber);
      rowsSeen.labels.push(relevant.has(i) ? 1 : 0);
      rowsSeen.dcn.push(p.click[j]!);
      rowsSeen.logisticRegression.push(lr ? lr[j]! : Number.NaN);
    });
    const best = history.length > 0 ? 0 : bestPopularity(list.items.map((i) => m.builder.item(i).popularity));
    const candidates = list.items.map((i, j): RerankCandidate => {
      const record = m.builder.item(i);
      const w = p.watch ? p.watch[j]! : null;
      const c: RerankCandidate = {
        id: catalog[i]!,
        // A new user's feed is by popularity, as on the device (src/core/feed newUserScore).
        score: history.length > 0 ? feedScore(p.click[j]!, w) : newUserScore(record.popularity, best),
        pClick: p.click[j]!,
        watchFraction: w,
        embedding: m.itemVectors.subarray(i * m.dim, (i + 1) * m.dim),
        categories: record.categories,
        popularity: record.popularity,
        source: list.sources[j]!,
      };
      if (record.created !== undefined) c.created = record.created;
      return c;
    });
    const feed = { items: list.items, click: p.click, watch: p.watch, candidates };
    cache.set(user, feed);
    return feed;
  };

  const pop = popularityModel(split.train, catalog);
  const itemItem = (key: 'ease' | 'itemKnn') => {
    const model = m.baselines ? itemItemModel(m.baselines[key], catalog) : null;
    return model && { scoreAll: model.scoreAll, rank: remembered(model.rank) };
  };
  // Exploration is seeded per user, so a user's served feed is the same in every cohort.
  const seedOf = new Map([...firstTest.keys()].map((user, i) => [user, i] as const));
  return {
    twoTower: {
      scoreAll,
      rank: remembered((user, history, exclude, k) => {
        const s = scoreAll(user, history);
        return Array.from(topK(s, k, { exclude: unavailable(exclude, firstTest.get(user)!) }).indices, (i) => catalog[i]!);
      }),
    },
    popularity: { scoreAll: pop.scoreAll, rank: remembered(pop.rank) },
    ease: itemItem('ease'),
    itemKnn: itemItem('itemKnn'),
    ranked: remembered((user, history, exclude, k) => {
      const f = rankedFeed(user, history, exclude);
      const s = Float32Array.from(f.candidates, (c) => c.score);
      return Array.from(topK(s, k).indices, (j) => f.candidates[j]!.id);
    }),
    served: remembered((user, history, exclude, k) => {
      const f = rankedFeed(user, history, exclude);
      const at = firstTest.get(user)!;
      const entries = m.builder.history(history);
      // The device's page (20 by default; NDCG@k reads its first k): exploration sits in the
      // page's middle and the category cap is per page, as users get them.
      const served = composeFeed(f.candidates, entries, { count: Math.max(k, FEED_COMPOSITION.pageSize), now: at, seen: exclude, hidden: new Set(), seed: seedOf.get(user) ?? 0, ...rerankOptions });
      return served.map((x) => x.id);
    }),
    rankingRows: () => rowsSeen,
  };
}

/**
 * A feed that ranks each (user, history, seen, k) once: the logged, truth and warm/cold
 * evaluations ask for the same users' pages (a third of the evaluation's time went to asking
 * again). Within one scorers() the history and seen set of a user are those of the split, so
 * their sizes tell a different request apart.
 */
function remembered(rank: RankFeed): RankFeed {
  const pages = new Map<string, readonly string[]>();
  return (user, history, exclude, k) => {
    const key = `${user}\u0000${history.length}\u0000${exclude.size}\u0000${k}`;
    let page = pages.get(key);
    if (page === undefined) {
      page = rank(user, history, exclude, k);
      pages.set(key, page);
    }
    return page;
  };
}

function rankInputs(m: TrainedModels, inputs: ReturnType<typeof buildTensorsPerRow>) {
  return predictDcn(m.dcn, inputs);
}

export function evaluateProtocol(split: EvalSplit, m: TrainedModels, s: Scorers): ProtocolMetrics & { curveKs: readonly number[] } {
  const catalog = m.builder.catalog;
  const ks = EVALUATE_DEFAULTS.curveKs;
  const items = m.builder.itemMap;
  const k = BUILD_DEFAULTS.feedK;
  const feed = (rank: RankFeed | undefined) => (rank ? evaluateFeed(split, catalog, rank, k, items) : null);
  // served and ranked first: their pass fills the ranking rows.
  const served = feed(s.served)!;
  const ranked = feed(s.ranked)!;
  const rows = s.rankingRows();
  return {
    retrieval: {
      twoTower: evaluateRetrieval(split, catalog, s.twoTower.scoreAll, ks),
      ease: s.ease ? evaluateRetrieval(split, catalog, s.ease.scoreAll, ks) : null,
      popularity: evaluateRetrieval(split, catalog, s.popularity.scoreAll, ks),
    },
    ranking: { dcn: evaluateRanking(rows.labels, rows.dcn, rows.users), logisticRegression: evaluateRanking(rows.labels, rows.logisticRegression, rows.users) },
    feed: {
      served,
      ranked,
      twoTower: feed(s.twoTower.rank),
      ease: feed(s.ease?.rank),
      itemKnn: feed(s.itemKnn?.rank),
      popularity: feed(s.popularity.rank),
    },
    curveKs: ks,
  };
}

export interface CohortMetrics {
  users: number;
  retrieval: { twoTower: RetrievalReport; popularity: RetrievalReport };
  feed: { served: FeedReport; popularity: FeedReport };
}

/** The global split's warm users (some history in training) and cold users (none), apart. */
export function evaluateWarmCold(split: EvalSplit, m: TrainedModels, s: Scorers): { warm: CohortMetrics; cold: CohortMetrics } {
  const catalog = m.builder.catalog;
  const items = m.builder.itemMap;
  const { warm, cold } = warmColdUsers(split);
  const cohort = (users: ReadonlySet<string>): CohortMetrics => {
    const sub = restrictToUsers(split, users);
    return {
      users: users.size,
      retrieval: {
        twoTower: evaluateRetrieval(sub, catalog, s.twoTower.scoreAll),
        popularity: evaluateRetrieval(sub, catalog, s.popularity.scoreAll),
      },
      feed: {
        served: evaluateFeed(sub, catalog, s.served, BUILD_DEFAULTS.feedK, items),
        popularity: evaluateFeed(sub, catalog, s.popularity.rank, BUILD_DEFAULTS.feedK, items),
      },
    };
  };
  return { warm: cohort(warm), cold: cohort(cold) };
}

export interface TruthMetrics {
  definition: string;
  counts: TruthSplitCounts;
  feed: Record<FeedName, FeedReport | null>;
}

/**
 * The same feeds judged against what each test user truly likes (synthetic data only: the
 * world that generated the log knows it), shown or not: the logged test holds only what an
 * earlier feed happened to show, which favours whatever that feed favoured.
 */
export function evaluateAgainstTruth(ds: Dataset, split: EvalSplit, m: TrainedModels, s: Scorers): TruthMetrics | null {
  if (ds.truth === undefined) return null;
  const truth = truthSplit(ds, split);
  const feed = (rank: RankFeed | undefined) => (rank ? evaluateFeed(truth, m.builder.catalog, rank, BUILD_DEFAULTS.feedK, m.builder.itemMap) : null);
  return {
    definition: ds.truth.definition,
    counts: truth.counts,
    feed: {
      served: feed(s.served),
      ranked: feed(s.ranked),
      twoTower: feed(s.twoTower.rank),
      ease: feed(s.ease?.rank),
      itemKnn: feed(s.itemKnn?.rank),
      popularity: feed(s.popularity.rank),
    },
  };
}
