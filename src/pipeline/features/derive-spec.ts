/**
 * The feature spec of a release, derived from the training window only (vocabularies, means,
 * quantiles), so nothing from the test period leaks into the inputs. It names which features
 * each model reads: the item tower only static item features (its vectors are computed once per
 * release), the user tower the history and the user's own features, the ranker everything.
 */
import { parseFeatureSpec, type FeatureSpec, type FeatureSpecInput } from '../../core/features/index.ts';
import type { EventType } from '../../core/events.ts';
import { HISTORY_SCORE_FIELDS, SEQUENCE_SCORE_FIELD } from '../../core/feed/index.ts';
import type { Dataset, Interaction } from '../data/types.ts';
import { FEATURE_DEFAULTS } from './defaults.ts';

export interface FeaturePlan {
  spec: FeatureSpec;
  ranker: string[];
  userTower: string[];
  itemTower: string[];
  /** Positive train interactions per catalog item (the `popularity` feature and the head shard). */
  popularity: Map<string, number>;
}

export interface DeriveOptions {
  historyLength?: number;
  hashSeed?: number;
  /**
   * Order recency of the `history` feature (the user tower's pool), chosen on validation by the
   * retrieval model (see build/models.ts); none: every kept entry weighs the same.
   */
  historyHalfLifeEvents?: number;
  /**
   * Standardisation of the ranker's `retrieval_score` (context.retrievalScore: user vector ·
   * item vector), measured on the ranker's training rows; none: no such feature.
   */
  retrievalScore?: { mean: number; std: number };
  /** Standardisation of log(1 + retrieval rank) (context.retrievalRank); none: no such feature. */
  retrievalRank?: { mean: number; std: number };
  /**
   * Standardisation of each candidate-aware history score (context.historyMaxScore etc., see
   * src/core/feed/history-scores.ts), measured on the ranker's training rows; none: no such
   * features.
   */
  historyScores?: Readonly<Record<HistoryScoreField, { mean: number; std: number }>>;
  /**
   * Standardisation of the step table's sequence score (context.historySequenceScore, see
   * src/core/feed/step-table.ts), measured on the ranker's training rows; none: no such feature.
   */
  sequenceScore?: { mean: number; std: number };
}

type HistoryScoreField = (typeof HISTORY_SCORE_FIELDS)[number];

/** The ranker feature that reads each history score. */
export const HISTORY_SCORE_FEATURES: Readonly<Record<HistoryScoreField, string>> = Object.freeze({
  historyMaxScore: 'history_max_score',
  historyLastScore: 'history_last_score',
  historyRecentScore: 'history_recent_score',
});

type FeatureInput = FeatureSpecInput['features'][number];

export function deriveFeaturePlan(ds: Dataset, train: readonly Interaction[], opts: DeriveOptions = {}): FeaturePlan {
  const d = FEATURE_DEFAULTS;
  const features: FeatureInput[] = [];
  const itemTower: string[] = [];
  const userTower: string[] = [];

  const itemIds = [...ds.items.keys()];
  features.push(
    itemIds.length <= d.maxVocabItems
      ? { name: 'item_id', kind: 'categorical', source: 'item.id', vocab: itemIds }
      : { name: 'item_id', kind: 'categorical', source: 'item.id', hashBuckets: itemIds.length * d.hashBucketsPerItem },
  );
  itemTower.push('item_id');

  if (ds.categories.length > 0) {
    let longest = 1;
    for (const item of ds.items.values()) longest = Math.max(longest, item.categories.length);
    features.push({
      name: 'categories',
      kind: 'multi-categorical',
      source: 'item.categories',
      vocab: [...ds.categories],
      maxLength: Math.min(longest, d.maxCategoriesPerItem),
    });
    itemTower.push('categories');
  }

  const durations = [...ds.items.values()].flatMap((i) => (i.durationSeconds !== undefined ? [Math.log1p(i.durationSeconds)] : []));
  if (durations.length > 0) {
    features.push({ name: 'duration', kind: 'numeric', source: 'item.durationSeconds', log1p: true, normalize: standardize(durations), clip: [-5, 5] });
    itemTower.push('duration');
  }

  const popularity = new Map<string, number>(itemIds.map((id) => [id, 0]));
  for (const x of train) if (x.label === 1) popularity.set(x.item, (popularity.get(x.item) ?? 0) + 1);
  features.push({
    name: 'popularity',
    kind: 'numeric',
    source: 'item.popularity',
    log1p: true,
    normalize: standardize([...popularity.values()].map((c) => Math.log1p(c))),
    clip: [-5, 5],
  });
  itemTower.push('popularity');

  // Age changes with time, so it is a ranker feature only: item vectors are computed once.
  const hasCreated = [...ds.items.values()].some((i) => i.created !== undefined);
  if (hasCreated) {
    features.push({ name: 'item_age', kind: 'bucketized', source: 'item.created', ageDays: true, boundaries: [...d.ageBoundariesDays] });
  }

  for (const f of userFeatures(ds, train)) {
    features.push(f);
    userTower.push(f.name);
  }

  const hasWatch = train.some((x) => x.watchFraction !== undefined);
  // The user tower pools item-item factors over what the user liked (the item-item model is
  // fitted on positives), weighted by order recency: see train/item-item-retrieval.ts.
  features.push({
    name: 'history',
    kind: 'history',
    source: 'user.history',
    item: 'item_id',
    maxLength: opts.historyLength ?? d.historyLength,
    pooling: 'weighted-mean',
    weighting: {
      watchFraction: hasWatch,
      ...(opts.historyHalfLifeEvents === undefined ? {} : { halfLifeEvents: opts.historyHalfLifeEvents }),
      events: positiveEvents(ds),
    },
  });
  userTower.push('history');
  if (ds.categories.length > 0) {
    // The user's taste over categories: lets the ranker cross it with the candidate's own.
    features.push({
      name: 'history_categories',
      kind: 'history-share',
      source: 'user.history',
      item: 'categories',
      maxLength: opts.historyLength ?? d.historyLength,
      weighting: { watchFraction: hasWatch, halfLifeDays: d.historyHalfLifeDays, events: historyEvents(ds) },
    });
    userTower.push('history_categories');
  }

  if (opts.retrievalScore) {
    // How the candidate relates to the user's history as a whole: the retrieval model's score.
    features.push({
      name: 'retrieval_score',
      kind: 'numeric',
      source: 'context.retrievalScore',
      normalize: { type: 'standardize', ...opts.retrievalScore },
      clip: [-8, 8],
    });
  }
  if (opts.retrievalRank) {
    // Where the candidate stands in this user's list: the same scale for every user.
    features.push({
      name: 'retrieval_rank',
      kind: 'numeric',
      source: 'context.retrievalRank',
      log1p: true,
      normalize: { type: 'standardize', ...opts.retrievalRank },
      clip: [-8, 8],
    });
  }

  if (opts.historyScores) {
    // How the candidate relates to single history entries: the best match, the newest one.
    for (const field of HISTORY_SCORE_FIELDS) {
      features.push({
        name: HISTORY_SCORE_FEATURES[field],
        kind: 'numeric',
        source: `context.${field}`,
        normalize: { type: 'standardize', ...opts.historyScores[field] },
        clip: [-8, 8],
      });
    }
  }

  if (opts.sequenceScore) {
    // What users reached next from the user's newest items (the release's step table).
    features.push({
      name: 'history_sequence_score',
      kind: 'numeric',
      source: `context.${SEQUENCE_SCORE_FIELD}`,
      normalize: { type: 'standardize', ...opts.sequenceScore },
      clip: [-8, 8],
    });
  }

  const spec = parseFeatureSpec({ version: 1, hashSeed: opts.hashSeed ?? 0, features }, 'featureSpec');
  return { spec, ranker: spec.features.map((f) => f.name), userTower, itemTower, popularity };
}

/**
 * Which events make up the history. A rating below the positive threshold still says the user
 * chose to watch the film, so it counts, at half weight; an impression that was not clicked says
 * little about taste and is left out.
 */
function historyEvents(ds: Dataset): Partial<Record<EventType, number>> {
  if (ds.feedback === 'explicit') return { like: 1, skip: 0.5 };
  return { click: 1, watch: 1, like: 1 };
}

/** The events an item-item model counts as votes: the positives of the feedback kind. */
function positiveEvents(ds: Dataset): Partial<Record<EventType, number>> {
  if (ds.feedback === 'explicit') return { like: 1 };
  return { click: 1, watch: 1, like: 1 };
}

export function standardize(values: readonly number[]): { type: 'standardize'; mean: number; std: number } {
  let mean = 0;
  for (const v of values) mean += v;
  mean /= Math.max(values.length, 1);
  let variance = 0;
  for (const v of values) variance += (v - mean) ** 2;
  const std = Math.sqrt(variance / Math.max(values.length, 1));
  return { type: 'standardize', mean, std: std > 1e-9 ? std : 1 };
}

/** User side features: small vocabularies as categorical, numbers as quantile buckets. */
function userFeatures(ds: Dataset, train: readonly Interaction[]): FeatureInput[] {
  const d = FEATURE_DEFAULTS;
  const trainUsers = new Set(train.map((x) => x.user));
  const values = new Map<string, (string | number)[]>();
  for (const id of trainUsers) {
    const u = ds.users.get(id);
    if (!u) continue;
    for (const [k, v] of Object.entries(u.features)) {
      if (!values.has(k)) values.set(k, []);
      values.get(k)!.push(v);
    }
  }
  const out: FeatureInput[] = [];
  for (const [key, vs] of [...values.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) continue;
    const name = `user_${key}`;
    if (vs.every((v) => typeof v === 'number')) {
      const sorted = (vs as number[]).slice().sort((a, b) => a - b);
      const boundaries = [...new Set(d.userQuantiles.map((q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!))];
      if (boundaries.length > 0) out.push({ name, kind: 'bucketized', source: `user.${key}`, boundaries });
      continue;
    }
    const counts = new Map<string, number>();
    for (const v of vs) counts.set(String(v), (counts.get(String(v)) ?? 0) + 1);
    // High-cardinality strings (zip codes) would be near-unique ids: no signal, all overfit.
    if (counts.size > d.maxUserVocab) continue;
    const vocab = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([v]) => v);
    out.push({ name, kind: 'categorical', source: `user.${key}`, vocab });
  }
  return out;
}
