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
  RankingProvider,
  RetrievalBackend,
  SyncOptions,
  SyncStatus,
  TrackEvent,
} from './api.ts';
export { CREATED_DAYS_UNKNOWN, categoryVocab, shardItemRecord } from './shard-item.ts';
export type { ShardItemRecord } from './shard-item.ts';
