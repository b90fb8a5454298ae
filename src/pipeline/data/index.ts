export { loadCsv } from './csv.ts';
export type { CsvSource } from './csv.ts';
export { loadItemsCsv } from './csv-items.ts';
export type { ItemsCsv } from './csv-items.ts';
export { DATA_DEFAULTS, SPLIT_DEFAULTS, SYNTHETIC_DEFAULTS, SYNTHETIC_LIMITS, SYNTHETIC_MODEL, TRUTH_DEFAULTS } from './defaults.ts';
export { DatasetError, DatasetOptionError } from './errors.ts';
export type { DatasetLocation } from './errors.ts';
export { loadEventsExport } from './events.ts';
export type { EventsExportOptions } from './events.ts';
export { POSITIVE_EVENT_TYPES, labelOfRating, labelOfType } from './labels.ts';
export { loadMovieLens } from './movielens.ts';
export { createRng } from './prng.ts';
export type { Rng } from './prng.ts';
export { globalTemporalSplit, perUserTemporalSplit } from './split.ts';
export type {
  GlobalSplitOptions,
  GlobalSplitStats,
  PerUserSplitOptions,
  PerUserSplitStats,
  Split,
  SplitCounts,
} from './split.ts';
export { generateSynthetic, syntheticSessionsPerUser } from './synthetic.ts';
export type { SyntheticOptions } from './synthetic.ts';
export { trulyLikedItems, truthSplit } from './synthetic-truth.ts';
export type { TrulyLiked, TrulyLikedOptions, TruthSplit, TruthSplitCounts, TruthSplitOptions } from './synthetic-truth.ts';
export { parseTimestamp } from './timestamp.ts';
export type { Dataset, Feedback, GroundTruth, Interaction, Item, User } from './types.ts';
export { sampleTestUsers } from './sample-users.ts';
export type { SampledSplit, UserSample } from './sample-users.ts';
