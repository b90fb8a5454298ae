export {
  BATCH_ID_PATTERN,
  DEFAULT_AGGREGATE_EPSILON,
  MAX_BATCH_BYTES,
  MAX_BATCH_EVENTS,
  MAX_ID_LENGTH,
  MAX_WATCH_CLIP_SECONDS,
  MAX_WATCH_SECONDS,
  SYNC_MODES,
} from './wire.ts';
export type {
  AggregateBatch,
  BatchAck,
  DeviceToken,
  ErrorBody,
  EventBatch,
  PseudonymousBatch,
  SyncMode,
  WireCounts,
  WireEvent,
} from './wire.ts';
export type { DriftRow, FeedMetricsRow, ServerMetrics } from './metrics.ts';
export {
  DRIFT_FEATURES,
  DURATION_BINS,
  DURATION_EDGES_SECONDS,
  OTHER_CATEGORY,
  TOP_CATEGORIES,
  WATCH_FRACTION_BINS,
  buildDriftBaseline,
  categoryBins,
  driftHistograms,
  driftRows,
  durationBin,
  isDriftFeature,
  parseDriftBaseline,
  watchFractionBin,
} from './drift.ts';
export type { DriftBaseline, DriftFeature, DriftHistogram, DriftItem, DriftSample } from './drift.ts';
