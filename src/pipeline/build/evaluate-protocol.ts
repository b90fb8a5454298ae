/**
 * Every figure of one protocol: retrieval (two-tower vs most-popular), ranking (DCN vs logistic
 * regression) and the whole feed (retrieve 500 -> DCN -> top 10, vs most-popular), computed by
 * the evaluate module's protocol so that models and baselines are judged identically.
 */
import type { FeatureRow } from '../../core/features/index.ts';
import { scoreRowsF32, topK } from '../../core/vectors/index.ts';
import type { Interaction } from '../data/index.ts';
import { popularityModel, predictLogisticRegressionTensors } from '../baselines/index.ts';
import {
  EVALUATE_DEFAULTS,
  buildTensorsPerRow,
  evaluateFeed,
  evaluateRanking,
  evaluateRetrieval,
  restrictToUsers,
  warmColdUsers,
  type EvalSplit,
  type FeedReport,
  type RankFeed,
  type RankingReport,
  type RetrievalReport,
  type ScoreAll,
} from '../evaluate/index.ts';
import { BUILD_DEFAULTS } from './defaults.ts';
import { rankRows, userVectors, type TrainedModels } from './models.ts';

export interface Scorers {
  twoTower: { scoreAll: ScoreAll; rank: RankFeed };
  popularity: { scoreAll: ScoreAll; rank: RankFeed };
}

export interface ProtocolMetrics {
  retrieval: { twoTower: RetrievalReport; popularity: RetrievalReport };
  ranking: { dcn: RankingReport; logisticRegression: RankingReport };
  feed: { dcn: FeedReport; popularity: FeedReport };
}

/** Scoring functions of the trained models and the popularity baseline for this split. */
export function scorers(split: EvalSplit, m: TrainedModels): Scorers {
  const catalog = m.builder.catalog;
  // The feed is shown at the user's first test interaction: history recency and item ages
  // are measured from that moment, as the device would.
  const firstTest = new Map<string, number>();
  for (const x of split.test) if (!firstTest.has(x.user)) firstTest.set(x.user, x.at);
  const histories = new Map<string, Interaction[]>();
  for (const x of split.train) {
    const h = histories.get(x.user);
    if (h) h.push(x);
    else histories.set(x.user, [x]);
  }
  const vectors = userVectors(
    m,
    [...firstTest.keys()].map((user) => ({ user, history: histories.get(user) ?? [], now: firstTest.get(user)! })),
  );
  const scores = new Float32Array(catalog.length);
  const scoreAll: ScoreAll = (user) => {
    const u = vectors.get(user);
    if (!u) throw new Error(`no user vector for test user "${user}"`);
    return scoreRowsF32(u, m.itemVectors, m.dim, scores);
  };
  const pop = popularityModel(split.train, catalog);
  const head = headCandidates(m, pop.scores);
  const rank: RankFeed = (user, history, exclude, k) => {
    const at = firstTest.get(user)!;
    // What the device ranks: the two-tower's nearest items plus the head shard (most popular
    // and freshest), never an item not yet published at that moment.
    const unavailable = (i: number) => exclude.has(catalog[i]!) || (m.builder.item(i).created ?? -Infinity) > at;
    const retrieved = topK(scoreAll(user, history), BUILD_DEFAULTS.retrievalCandidates, { exclude: unavailable });
    const candidates = new Set(retrieved.indices);
    for (const i of head(at)) if (!unavailable(i)) candidates.add(i);
    const list = [...candidates];
    const userScope = m.builder.user(user, m.builder.history(history));
    const rows: FeatureRow[] = list.map((i) => ({ user: userScope, item: m.builder.item(i) as unknown as Record<string, unknown> }));
    const p = rankRows(m, rows, new Float64Array(rows.length).fill(at));
    // Expected watch: P(click) × E[watch fraction | click] where the data has watch times.
    const feedScore = Float32Array.from(p.click, (c, j) => c * (p.watch ? p.watch[j]! : 1));
    return Array.from(topK(feedScore, k).indices, (j) => catalog[list[j]!]!);
  };
  return { twoTower: { scoreAll, rank }, popularity: { scoreAll: pop.scoreAll, rank: pop.rank } };
}

export function evaluateProtocol(split: EvalSplit, m: TrainedModels, s: Scorers): ProtocolMetrics & { curveKs: readonly number[] } {
  const catalog = m.builder.catalog;
  const ks = EVALUATE_DEFAULTS.curveKs;
  const items = m.builder.itemMap;
  return {
    retrieval: {
      twoTower: evaluateRetrieval(split, catalog, s.twoTower.scoreAll, ks),
      popularity: evaluateRetrieval(split, catalog, s.popularity.scoreAll, ks),
    },
    ranking: evaluateRankingRows(split, m),
    feed: {
      dcn: evaluateFeed(split, catalog, s.twoTower.rank, BUILD_DEFAULTS.feedK, items),
      popularity: evaluateFeed(split, catalog, s.popularity.rank, BUILD_DEFAULTS.feedK, items),
    },
    curveKs: ks,
  };
}

/** AUC and log loss of DCN and logistic regression on the split's labelled test interactions. */
function evaluateRankingRows(split: EvalSplit, m: TrainedModels): ProtocolMetrics['ranking'] {
  const test = new Set(split.test);
  const sequence = [...split.train, ...split.test].sort((a, b) => a.at - b.at);
  const ex = m.builder.evaluationRows(sequence, (x) => test.has(x), { negativesPerPositive: BUILD_DEFAULTS.negativesPerPositive, seed: 1 });
  const dcn = rankRows(m, ex.rows, ex.nows);
  const lr = m.logReg ? predictLogisticRegressionTensors(m.logReg, m.plan.spec, buildTensorsPerRow(m.plan.spec, ex.rows, ex.nows)) : new Float32Array(ex.rows.length).fill(Number.NaN);
  return { dcn: evaluateRanking(ex.labels, dcn.click), logisticRegression: evaluateRanking(ex.labels, lr) };
}

export interface CohortMetrics {
  users: number;
  retrieval: { twoTower: RetrievalReport; popularity: RetrievalReport };
  feed: { dcn: FeedReport; popularity: FeedReport };
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
        dcn: evaluateFeed(sub, catalog, s.twoTower.rank, BUILD_DEFAULTS.feedK, items),
        popularity: evaluateFeed(sub, catalog, s.popularity.rank, BUILD_DEFAULTS.feedK, items),
      },
    };
  };
  return { warm: cohort(warm), cold: cohort(cold) };
}

/**
 * The head shard's items as of a moment: the most popular, and the newest already published
 * (as the release writer picks them), so the evaluated feed sees what the device would.
 */
function headCandidates(m: TrainedModels, popularity: Float32Array): (at: number) => number[] {
  const n = BUILD_DEFAULTS.headPopular;
  const popular = Array.from(topK(popularity, n).indices);
  const byCreated = m.builder.catalog
    .map((_, i) => i)
    .filter((i) => m.builder.item(i).created !== undefined)
    .sort((a, b) => m.builder.item(b).created! - m.builder.item(a).created!);
  return (at) => {
    const fresh: number[] = [];
    for (const i of byCreated) {
      if (fresh.length >= BUILD_DEFAULTS.headFresh) break;
      if (m.builder.item(i).created! <= at) fresh.push(i);
    }
    return [...popular, ...fresh];
  };
}
