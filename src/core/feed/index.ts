export { RANKING_PROVIDERS, RETRIEVAL_BACKENDS } from './api.ts';
export type {
  BackendChoice,
  BackendFallback,
  FeedItem,
  FeedOptions,
  FeedStatus,
  FeedTimings,
  FeedVerification,
  FeedWorkerApi,
  ForgetResult,
  RankingProvider,
  RetrievalBackend,
  SyncOptions,
  SyncStatus,
  TrackEvent,
  WasmPaths,
} from './api.ts';
export { categoryVocab, shardItemRecord } from './shard-item.ts';
export type { ShardItemRecord } from './shard-item.ts';
export { FEED_PAGE } from './defaults.ts';
export {
  FEED_COMPOSITION,
  candidateContexts,
  composeFeed,
  feedScore,
  headSlotsFor,
  interleaveHead,
  newUserScore,
  bestPopularity,
  retrievalScore,
} from './compose.ts';
export { HISTORY_SCORE_FIELDS, entryTowerInputs, historyScores, readsHistoryScores } from './history-scores.ts';
export {
  NO_NEIGHBOUR,
  SEQUENCE_SCORE_FIELD,
  STEP_TABLE_MAX_ROWS,
  decodeStepTable,
  encodeStepTable,
  readsSequenceScore,
  sequenceItems,
  sequenceScores,
  stepRows,
} from './step-table.ts';
export type { StepTable } from './step-table.ts';
