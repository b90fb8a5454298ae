/**
 * The feature spec: one declarative JSON document, shipped in every release, that names each
 * model input and its transform. The trainer and the device both run src/core/features on it,
 * so a feature can't be computed two ways.
 *
 * Index convention for every id-like output: 0 means missing or out of vocabulary (and is the
 * padding value of lists); real values start at 1. An embedding table for a feature therefore
 * has `featureCardinality(f)` rows, row 0 included.
 */
import * as v from 'valibot';
import { ValidationError } from '../errors.ts';
import { EVENT_TYPES } from '../events.ts';
import { finite, name, nonNegativeInt, parseWith, positiveInt } from '../validation.ts';

export const FEATURE_SPEC_VERSION = 1;

/** `item.durationSeconds`: a scope (user, item or context) and a field of it. */
const source = v.pipe(
  v.string(),
  v.regex(/^(user|item|context)\.[A-Za-z_][A-Za-z0-9_]*$/, 'must be "user.<field>", "item.<field>" or "context.<field>"'),
);

const vocab = v.pipe(v.array(v.string()), v.minLength(1, 'must not be empty'));

const categorical = v.object({
  name,
  kind: v.literal('categorical'),
  source,
  /** Known values, mapped to 1..n in order. */
  vocab: v.optional(vocab),
  /** Or hash into 1..hashBuckets (FNV-1a of the UTF-8 string, see hash.ts). */
  hashBuckets: v.optional(positiveInt),
});

const multiCategorical = v.object({
  name,
  kind: v.literal('multi-categorical'),
  source,
  vocab: v.optional(vocab),
  hashBuckets: v.optional(positiveInt),
  /** Values beyond this are dropped (in input order); shorter lists are padded with 0. */
  maxLength: positiveInt,
});

const normalize = v.variant('type', [
  v.object({ type: v.literal('standardize'), mean: finite, std: v.pipe(finite, v.gtValue(0, 'must be > 0')) }),
  v.object({ type: v.literal('minmax'), min: finite, max: finite }),
]);

const numeric = v.object({
  name,
  kind: v.literal('numeric'),
  source,
  /** The raw value is a time (ms since the epoch); the feature is its age in days at `now` (≥ 0). */
  ageDays: v.optional(v.boolean(), false),
  /** Applied first (after ageDays): log(1 + max(x, 0)), for heavy-tailed counts and durations. */
  log1p: v.optional(v.boolean(), false),
  normalize: v.optional(normalize),
  /** Applied last, to the normalised value. */
  clip: v.optional(v.tuple([finite, finite])),
  /** The output (after every step) for a missing or non-numeric value. */
  default: v.optional(finite, 0),
});

const bucketized = v.object({
  name,
  kind: v.literal('bucketized'),
  source,
  /** As for numeric: bucket the age in days at `now` of a time in ms since the epoch. */
  ageDays: v.optional(v.boolean(), false),
  log1p: v.optional(v.boolean(), false),
  /** Strictly ascending. Value x goes to 1 + (number of boundaries ≤ x); missing goes to 0. */
  boundaries: v.pipe(v.array(finite), v.minLength(1, 'must not be empty')),
});

const dense = v.object({
  name,
  kind: v.literal('dense'),
  source,
  /** Length of the vector (a user vector, an item embedding). */
  dim: positiveInt,
});

const eventWeights = v.record(v.picklist(EVENT_TYPES), finite);

const historyWeighting = v.optional(
  v.object({
    /** Multiply by the entry's watch fraction (floored at `minWatchFraction`). */
    watchFraction: v.optional(v.boolean(), false),
    minWatchFraction: v.optional(v.pipe(finite, v.minValue(0), v.maxValue(1)), 0.1),
    /** Multiply by 0.5^(age in days / halfLifeDays). */
    halfLifeDays: v.optional(v.pipe(finite, v.gtValue(0, 'must be > 0'))),
    /**
     * Multiply by 0.5^(position / halfLifeEvents), position 0 being the newest kept entry. Order
     * recency: a user who rates forty films in one evening has no day-scale recency, yet the
     * last few still say most about what comes next (chosen on validation, see derive-spec).
     */
    halfLifeEvents: v.optional(v.pipe(finite, v.gtValue(0, 'must be > 0'))),
    /** Weight of each event type; types absent here are left out of the history. */
    events: v.optional(eventWeights),
  }),
  {},
);

const history = v.object({
  name,
  kind: v.literal('history'),
  /** The user's interaction history; entries are HistoryEntry. */
  source: v.literal('user.history'),
  /** Name of a categorical feature with an `item.` source; its transform turns each entry's item into an id. */
  item: name,
  /** The most recent entries kept. */
  maxLength: positiveInt,
  /** How the model pools the ids: plain mean, or mean weighted by the weights computed here. */
  pooling: v.picklist(['mean', 'weighted-mean']),
  weighting: historyWeighting,
});

/**
 * The user's taste as shares: how the (weighted) history spreads over the values of an item
 * feature such as categories. One float per value (index 0 = unknown), summing to 1. A small,
 * dense summary that a ranker can cross with the candidate's own categories.
 */
const historyShare = v.object({
  name,
  kind: v.literal('history-share'),
  source: v.literal('user.history'),
  /** A categorical or multi-categorical feature with an `item.` source. */
  item: name,
  maxLength: positiveInt,
  weighting: historyWeighting,
});

const feature = v.variant('kind', [categorical, multiCategorical, numeric, bucketized, dense, history, historyShare]);

const featureSpecSchema = v.object({
  version: v.literal(FEATURE_SPEC_VERSION),
  /** Seed of the id hash, so a release can re-shuffle collisions. */
  hashSeed: v.optional(nonNegativeInt, 0),
  features: v.pipe(v.array(feature), v.minLength(1, 'must name at least one feature')),
});

export type FeatureSpec = v.InferOutput<typeof featureSpecSchema>;
export type Feature = FeatureSpec['features'][number];
export type CategoricalFeature = Extract<Feature, { kind: 'categorical' }>;
export type MultiCategoricalFeature = Extract<Feature, { kind: 'multi-categorical' }>;
export type NumericFeature = Extract<Feature, { kind: 'numeric' }>;
export type BucketizedFeature = Extract<Feature, { kind: 'bucketized' }>;
export type HistoryFeature = Extract<Feature, { kind: 'history' }>;
export type HistoryShareFeature = Extract<Feature, { kind: 'history-share' }>;
/** What a spec looks like before defaults are filled in (what a JSON file holds). */
export type FeatureSpecInput = v.InferInput<typeof featureSpecSchema>;

/**
 * Validates a feature spec (from JSON or code) and fills defaults. Throws ValidationError
 * naming the field, e.g. `featureSpec.features[3].boundaries`.
 */
export function parseFeatureSpec(input: unknown, root = 'featureSpec'): FeatureSpec {
  const spec = parseWith(featureSpecSchema, input, root);
  const byName = new Map<string, Feature>();
  spec.features.forEach((f, i) => {
    const at = `${root}.features[${i}]`;
    if (byName.has(f.name)) throw new ValidationError(`${at}.name`, `duplicate feature name "${f.name}"`);
    byName.set(f.name, f);
    if (f.kind === 'categorical' || f.kind === 'multi-categorical') {
      if ((f.vocab === undefined) === (f.hashBuckets === undefined)) {
        throw new ValidationError(at, `feature "${f.name}" needs exactly one of "vocab" or "hashBuckets"`);
      }
      if (f.vocab && new Set(f.vocab).size !== f.vocab.length) {
        throw new ValidationError(`${at}.vocab`, `feature "${f.name}" has duplicate vocabulary entries`);
      }
    }
    if (f.kind === 'bucketized') {
      for (let b = 1; b < f.boundaries.length; b++) {
        if (!(f.boundaries[b]! > f.boundaries[b - 1]!)) {
          throw new ValidationError(`${at}.boundaries[${b}]`, 'boundaries must be strictly ascending');
        }
      }
    }
    if (f.kind === 'numeric') {
      if (f.normalize?.type === 'minmax' && !(f.normalize.max > f.normalize.min)) {
        throw new ValidationError(`${at}.normalize.max`, 'must be greater than normalize.min');
      }
      if (f.clip && !(f.clip[1] >= f.clip[0])) throw new ValidationError(`${at}.clip`, 'must be [low, high] with low ≤ high');
    }
  });
  spec.features.forEach((f, i) => {
    if (f.kind === 'history-share') {
      const target = byName.get(f.item);
      if (!target || (target.kind !== 'categorical' && target.kind !== 'multi-categorical') || !target.source.startsWith('item.')) {
        throw new ValidationError(
          `${root}.features[${i}].item`,
          `"${f.item}" must name a categorical or multi-categorical feature with an "item." source`,
        );
      }
      return;
    }
    if (f.kind !== 'history') return;
    const target = byName.get(f.item);
    if (!target || target.kind !== 'categorical' || !target.source.startsWith('item.')) {
      throw new ValidationError(
        `${root}.features[${i}].item`,
        `"${f.item}" must name a categorical feature with an "item." source`,
      );
    }
  });
  return spec;
}

/** Rows of the embedding table a categorical, multi-categorical or bucketized feature needs (row 0 = missing). */
export function featureCardinality(f: Feature): number {
  switch (f.kind) {
    case 'categorical':
    case 'multi-categorical':
      return (f.vocab ? f.vocab.length : f.hashBuckets!) + 1;
    case 'bucketized':
      return f.boundaries.length + 2;
    default:
      throw new ValidationError('kind', `feature "${f.name}" of kind "${f.kind}" has no cardinality`);
  }
}
