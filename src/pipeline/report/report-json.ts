import * as v from 'valibot';
import { issuePath } from '../../core/validation.ts';
import type { Dataset, Feedback, GlobalSplitStats, PerUserSplitStats } from '../data/index.ts';
import { ReportError } from './errors.ts';
import { describeGlobalSplit, describePerUserSplit } from './split-definitions.ts';

// report.json: the one file the benchmark and the README read after `ondeck build`. Its keys
// are a contract; the interfaces document it, the valibot schema below enforces it, and a
// compile-time check keeps the two in step.

/**
 * A measured value. null where the metric is undefined for this data (no cold users, a single
 * class in the labels): JSON has no NaN, and a null says "not measured" where a 0 would lie.
 */
export type Metric = number | null;

/** The listed keys must exist; more (e.g. `recall@20`) may be added, all numeric. */
export interface RetrievalMetrics {
  'recall@50': Metric;
  'recall@100': Metric;
  [metric: string]: Metric;
}

export interface RankingMetrics {
  auc: Metric;
  logloss: Metric;
  [metric: string]: Metric;
}

/** Offline ranking quality of the whole feed after re-ranking (NDCG, precision, MAP at 10); extras such as coverage and diversity go beside these. */
export interface FeedQualityMetrics {
  'ndcg@10': Metric;
  'precision@10': Metric;
  'map@10': Metric;
  [metric: string]: Metric;
}

export interface RetrievalResults {
  twoTower: RetrievalMetrics;
  popularity: RetrievalMetrics;
  /** EASE over the whole catalogue (absent where baselines were not run). */
  ease?: RetrievalMetrics;
}

export interface RankingResults {
  dcn: RankingMetrics;
  logisticRegression: RankingMetrics;
}

/**
 * Feeds side by side. `served` is what the device shows (its candidate mix, DCN, re-ranking);
 * `ranked` the same before re-ranking (`dcn` is its old name, kept one release as an alias);
 * the rest are baselines: `twoTower` (retrieval alone), `ease`, `itemKnn`, `popularity`.
 */
export interface FeedResults {
  served: FeedQualityMetrics;
  dcn: FeedQualityMetrics;
  popularity: FeedQualityMetrics;
  ranked?: FeedQualityMetrics;
  twoTower?: FeedQualityMetrics;
  ease?: FeedQualityMetrics;
  itemKnn?: FeedQualityMetrics;
}

export interface DatasetSummary {
  name: string;
  users: number;
  items: number;
  interactions: number;
  positives: number;
  feedback: Feedback;
  /** How many categories the vocabulary has. */
  categories: number;
}

export type PerUserSplitReport = PerUserSplitStats & { definition: string };
export type GlobalSplitReport = GlobalSplitStats & { definition: string };

/** The users of one cohort of the global split (warm: some train history; cold: none). */
export interface CohortResults {
  users: number;
  retrieval: RetrievalResults;
  feed: FeedResults;
}

export interface GlobalSplitResults {
  split: GlobalSplitReport;
  retrieval: RetrievalResults;
  ranking: RankingResults;
  feed: FeedResults;
  warm: CohortResults;
  cold: CohortResults;
}

export interface Curves {
  /** Mean training loss per epoch; the two losses are different objectives, not comparable. */
  loss: { twoTower: Metric[]; dcn: Metric[] };
  /** recall@k at each k, one value per entry of `k`, on the per-user split. */
  recallAtK: { k: number[]; twoTower: Metric[]; popularity: Metric[] };
}

/** Wall-clock seconds per stage; `total` is the whole build, so it can exceed the sum. */
export interface StageSeconds {
  load: number;
  split: number;
  features: number;
  baselines: number;
  twoTower: number;
  dcn: number;
  evaluate: number;
  shards: number;
  export: number;
  total: number;
}

/** What validation (a slice of train, never test) chose for retrieval. */
export interface RetrievalChoice {
  /** λ of the item-item (EASE) model behind retrieval. */
  lambda: number;
  /** How many of the newest positives the user tower pools (older reports: not recorded). */
  historyLength?: number;
  /** Half-life of the history's order recency, in events; null: no recency won. */
  halfLifeEvents: number | null;
  /** λ of the plain EASE baseline, chosen the same way. */
  easeLambda?: number;
}

export interface ReportSettings {
  seed: number;
  epochs: number;
  retrieval?: RetrievalChoice;
  /** DCN epochs chosen on validation. */
  dcnEpochs?: number;
  /** Every setting validation tried, with its score (shape owned by the build). */
  validation?: unknown;
  [setting: string]: unknown;
}

/**
 * Synthetic data only: the per-user protocol's feeds judged against what each test user truly
 * likes (the world that generated the log knows it), shown or not.
 */
export interface TruthResults {
  definition: string;
  /** Test users with at least one truly liked item they had not met in train. */
  users: number;
  feed: FeedResults;
}

export interface Report {
  dataset: DatasetSummary;
  /** The headline protocol. */
  split: PerUserSplitReport;
  retrieval: RetrievalResults;
  ranking: RankingResults;
  feed: FeedResults;
  truth?: TruthResults;
  globalSplit: GlobalSplitResults;
  curves: Curves;
  seconds: StageSeconds;
  settings: ReportSettings;
}

// --- schema -------------------------------------------------------------------------------

const metric = v.nullable(v.pipe(v.number(), v.finite('must be a finite number or null')));
const count = v.pipe(v.number(), v.integer('must be an integer'), v.minValue(0, 'must be ≥ 0'));
const seconds = v.pipe(v.number(), v.finite('must be finite'), v.minValue(0, 'must be ≥ 0'));

// objectWithRest: the listed keys are required, any extra key must be a metric too.
const retrievalMetrics = v.objectWithRest({ 'recall@50': metric, 'recall@100': metric }, metric);
const rankingMetrics = v.objectWithRest({ auc: metric, logloss: metric }, metric);
const feedMetrics = v.objectWithRest({ 'ndcg@10': metric, 'precision@10': metric, 'map@10': metric }, metric);
const retrieval = v.object({ twoTower: retrievalMetrics, popularity: retrievalMetrics, ease: v.optional(retrievalMetrics) });
const ranking = v.object({ dcn: rankingMetrics, logisticRegression: rankingMetrics });
const feed = v.object({
  served: feedMetrics,
  dcn: feedMetrics,
  popularity: feedMetrics,
  ranked: v.optional(feedMetrics),
  twoTower: v.optional(feedMetrics),
  ease: v.optional(feedMetrics),
  itemKnn: v.optional(feedMetrics),
});
const cohort = v.object({ users: count, retrieval, feed });

const splitCounts = {
  interactions: count,
  train: count,
  test: count,
  trainPositives: count,
  testPositives: count,
  testUsers: count,
  testItems: count,
  unseenTestItems: count,
  unseenTestInteractions: count,
};

const perUserSplit = v.looseObject({
  protocol: v.literal('per-user-temporal'),
  definition: v.string(),
  testFraction: v.number(),
  minInteractions: count,
  users: count,
  trainOnlyUsers: count,
  trainOnlyInteractions: count,
  ...splitCounts,
});

const globalSplit = v.looseObject({
  protocol: v.literal('global-temporal'),
  definition: v.string(),
  trainFraction: v.number(),
  cut: v.number(),
  trainUsers: count,
  warmTestUsers: count,
  coldTestUsers: count,
  ...splitCounts,
});

const REPORT_SCHEMA = v.object({
  dataset: v.object({
    name: v.string(),
    users: count,
    items: count,
    interactions: count,
    positives: count,
    feedback: v.picklist(['explicit', 'implicit', 'impressions']),
    categories: count,
  }),
  split: perUserSplit,
  retrieval,
  ranking,
  feed,
  truth: v.optional(v.object({ definition: v.string(), users: count, feed })),
  globalSplit: v.object({ split: globalSplit, retrieval, ranking, feed, warm: cohort, cold: cohort }),
  curves: v.object({
    loss: v.object({ twoTower: v.array(metric), dcn: v.array(metric) }),
    recallAtK: v.object({
      k: v.array(v.pipe(v.number(), v.integer('must be an integer'), v.minValue(1, 'must be ≥ 1'))),
      twoTower: v.array(metric),
      popularity: v.array(metric),
    }),
  }),
  seconds: v.object({
    load: seconds,
    split: seconds,
    features: seconds,
    baselines: seconds,
    twoTower: seconds,
    dcn: seconds,
    evaluate: seconds,
    shards: seconds,
    export: seconds,
    total: seconds,
  }),
  settings: v.looseObject({
    seed: v.number(),
    epochs: count,
    retrieval: v.optional(v.looseObject({ lambda: v.number(), historyLength: v.optional(v.number()), halfLifeEvents: v.nullable(v.number()), easeLambda: v.optional(v.number()) })),
    dcnEpochs: v.optional(count),
    validation: v.optional(v.unknown()),
  }),
});

// Fails to compile when the schema and the interfaces disagree.
const schemaMatchesInterfaces: (parsed: v.InferOutput<typeof REPORT_SCHEMA>) => Report = (parsed) => parsed;

/**
 * Checks that `input` has every key of the contract with the right type, and returns it typed.
 * Throws ReportError whose `field` is the dotted path of the first problem, e.g.
 * `feed.dcn.ndcg@10: missing`.
 */
export function validateReport(input: unknown): Report {
  const result = v.safeParse(REPORT_SCHEMA, input, { abortPipeEarly: true });
  if (!result.success) {
    const issue = result.issues[0];
    const field = issuePath(issue);
    const message = issue.input === undefined && field !== '' ? 'missing' : issue.message;
    throw new ReportError(field, message, { cause: result.issues });
  }
  const report = schemaMatchesInterfaces(result.output);
  const { k } = report.curves.recallAtK;
  for (const series of ['twoTower', 'popularity'] as const) {
    const n = report.curves.recallAtK[series].length;
    if (n !== k.length) {
      throw new ReportError(`curves.recallAtK.${series}`, `must have one value per k (${k.length}), got ${n}`);
    }
  }
  return report;
}

// --- builder ------------------------------------------------------------------------------

/** What the pipeline hands over; the builder adds the definitions and the total. */
export interface ReportParts {
  dataset: DatasetSummary;
  split: { stats: PerUserSplitStats; definition?: string };
  retrieval: RetrievalResults;
  ranking: RankingResults;
  feed: FeedResults;
  truth?: TruthResults;
  globalSplit: Omit<GlobalSplitResults, 'split'> & { stats: GlobalSplitStats; definition?: string };
  curves: Curves;
  /** `total` defaults to the sum of the stages. */
  seconds: Omit<StageSeconds, 'total'> & { total?: number };
  settings: ReportSettings;
}

/**
 * Assembles report.json from typed parts: non-finite metrics become null (JSON would write NaN
 * as null anyway, and Infinity as null too, silently), the protocol definitions are written
 * from the split parameters unless given, and the result is validated before it is returned.
 */
export function buildReport(parts: ReportParts): Report {
  const { stats: perUserStats, definition: perUserDefinition } = parts.split;
  const { stats: globalStats, definition: globalDefinition, ...global } = parts.globalSplit;
  const { total, ...stages } = parts.seconds;
  const report: Report = {
    dataset: { ...parts.dataset },
    split: { ...perUserStats, definition: perUserDefinition ?? describePerUserSplit(perUserStats) },
    retrieval: cleanRetrieval(parts.retrieval),
    ranking: cleanRanking(parts.ranking),
    feed: cleanFeed(parts.feed),
    ...(parts.truth ? { truth: { ...parts.truth, feed: cleanFeed(parts.truth.feed) } } : {}),
    globalSplit: {
      split: { ...globalStats, definition: globalDefinition ?? describeGlobalSplit(globalStats, parts.dataset.name) },
      retrieval: cleanRetrieval(global.retrieval),
      ranking: cleanRanking(global.ranking),
      feed: cleanFeed(global.feed),
      warm: cleanCohort(global.warm),
      cold: cleanCohort(global.cold),
    },
    curves: {
      loss: { twoTower: cleanSeries(parts.curves.loss.twoTower), dcn: cleanSeries(parts.curves.loss.dcn) },
      recallAtK: {
        k: [...parts.curves.recallAtK.k],
        twoTower: cleanSeries(parts.curves.recallAtK.twoTower),
        popularity: cleanSeries(parts.curves.recallAtK.popularity),
      },
    },
    seconds: { ...stages, total: total ?? Object.values(stages).reduce((a, b) => a + b, 0) },
    settings: { ...parts.settings },
  };
  return validateReport(report);
}

/** The dataset block from a loaded dataset. */
export function summarizeDataset(ds: Dataset): DatasetSummary {
  let positives = 0;
  for (const x of ds.interactions) positives += x.label;
  return {
    name: ds.name,
    users: ds.users.size,
    items: ds.items.size,
    interactions: ds.interactions.length,
    positives,
    feedback: ds.feedback,
    categories: ds.categories.length,
  };
}

/** report.json as written: two-space indent, trailing newline, so diffs between runs read well. */
export function serializeReport(report: Report): string {
  return `${JSON.stringify(validateReport(report), null, 2)}\n`;
}

function cleanMetric(x: Metric): Metric {
  return x !== null && Number.isFinite(x) ? x : null;
}

function cleanSeries(xs: readonly Metric[]): Metric[] {
  return xs.map(cleanMetric);
}

function cleanMetrics<M extends Record<string, Metric>>(m: M): M {
  const out: Record<string, Metric> = {};
  for (const [key, value] of Object.entries(m)) out[key] = cleanMetric(value);
  // Same keys as `m`, every value still a Metric: the cast restores the literal keys.
  return out as M;
}

function cleanRetrieval(r: RetrievalResults): RetrievalResults {
  return { twoTower: cleanMetrics(r.twoTower), popularity: cleanMetrics(r.popularity), ...(r.ease ? { ease: cleanMetrics(r.ease) } : {}) };
}

function cleanRanking(r: RankingResults): RankingResults {
  return { dcn: cleanMetrics(r.dcn), logisticRegression: cleanMetrics(r.logisticRegression) };
}

function cleanFeed(r: FeedResults): FeedResults {
  const out: FeedResults = { served: cleanMetrics(r.served), dcn: cleanMetrics(r.dcn), popularity: cleanMetrics(r.popularity) };
  for (const key of ['ranked', 'twoTower', 'ease', 'itemKnn'] as const) {
    const m = r[key];
    if (m) out[key] = cleanMetrics(m);
  }
  return out;
}

function cleanCohort(c: CohortResults): CohortResults {
  return { users: c.users, retrieval: cleanRetrieval(c.retrieval), feed: cleanFeed(c.feed) };
}
