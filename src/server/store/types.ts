/**
 * The feature store behind one interface; adapters: sqlite/ (better-sqlite3, embedded default)
 * and postgres/ (pg). One conformance suite (test/unit/server/store-conformance.test.ts) runs against both,
 * so a behaviour is either in this contract and tested on both, or it is a bug.
 */
import type { EventBatch, SyncMode } from '../../core/sync/wire.ts';
import type { EventType } from '../../core/events.ts';

export interface IngestResult {
  /** Events or counter rows written; 0 when duplicate. */
  stored: number;
  /** The batch id was ingested before; nothing was written. */
  duplicate: boolean;
}

/** One event as exported for `ondeck build --dataset events` (JSON Lines, see loadEventsExport). */
export interface ExportedEvent {
  /** Store position, strictly increasing: the cursor of the next export page. */
  seq: number;
  install: string;
  item: string;
  type: EventType;
  /** Milliseconds since the epoch. */
  at: number;
  watchSeconds?: number;
  watchFraction?: number;
}

export interface ItemFeatureOptions {
  /** Milliseconds since the epoch; recency decay is measured from here. */
  now: number;
  /** Half-life of the decayed recent counts, in days. */
  halfLifeDays: number;
  /** Beta prior of the smoothed CTR: (clicks + priorClicks) / (impressions + priorImpressions). */
  priorClicks: number;
  priorImpressions: number;
}

/** What the next release needs per item, from aggregate counters and pseudonymous events together. */
export interface ItemFeatures {
  itemId: string;
  impressions: number;
  clicks: number;
  smoothedCtr: number;
  watchSeconds: number;
  /** Mean watch fraction of watch events; null when none. */
  meanWatchFraction: number | null;
  /** Impressions and clicks weighted by 2^(-age / halfLife). */
  recentImpressions: number;
  recentClicks: number;
}

/** What users did with one feed online: impressions, clicks, CTR, watch time (overall under feed '*'). */
export interface FeedEngagement {
  feed: string;
  impressions: number;
  clicks: number;
  ctr: number | null;
  watchSeconds: number;
  watches: number;
}

/** Counts per UTC day and event type, for the dashboard's events-over-time chart. */
export interface DailyCount {
  day: string;
  type: EventType;
  count: number;
}

export interface StoreStats {
  batches: number;
  duplicates: number;
  events: number;
  countRows: number;
}

export interface FeatureStore {
  readonly kind: 'sqlite' | 'postgres';
  /** Creates or upgrades the schema (idempotent; versioned). */
  migrate(): Promise<void>;
  /**
   * Stores the batch in one transaction, committed before this resolves, unless its batchId was
   * stored before (then nothing is written and `duplicate` is true). Concurrent calls with the
   * same batchId store it exactly once. `receivedAt` is the server's clock in ms.
   * Refuses, writing nothing: strings with NUL or unpaired surrogates and days that are no
   * calendar date (InvalidBatchError), a known batch id with another body (BatchConflictError),
   * a batch of a deleted install (InstallDeletedError).
   */
  ingest(batch: EventBatch, receivedAt: number): Promise<IngestResult>;
  itemFeatures(options: ItemFeatureOptions): Promise<ItemFeatures[]>;
  /** Pseudonymous events with seq > afterSeq and at >= since, in seq order, at most `limit`. */
  exportEvents(options: { since: number; afterSeq: number; limit: number }): Promise<ExportedEvent[]>;
  /**
   * Removes every event and batch record of one install and keeps a tombstone (a hash of its id,
   * dated `at`), so later batches of that install are refused; returns how many events went.
   */
  deleteInstall(installId: string, at?: number): Promise<{ deleted: number }>;
  /** Counter sums of the days from the day of `since` to the day of `until` (default: no end). */
  feedMetrics(options: { since: number; until?: number }): Promise<FeedEngagement[]>;
  dailyCounts(options: { since: number; until?: number }): Promise<DailyCount[]>;
  /**
   * Forgets batch ids received before `before` (at most `limit` of them per call), so replay
   * detection does not keep every id forever; returns how many went.
   */
  expireBatches(options: { before: number; limit: number }): Promise<{ deleted: number }>;
  /**
   * Retention: removes every pseudonymous event of the UTC days before the day of `before` (the
   * events of that day itself stay), as whole days: the Postgres adapter drops those days'
   * partitions; SQLite, which has none, deletes them in bounded steps. Day counters stay: they
   * are the aggregate history the features and metrics read. Returns how many events went.
   */
  dropEventsBefore(options: { before: number }): Promise<{ deleted: number }>;
  /** Writes one row and commits it (for health checks): rejects when the store takes no writes. */
  probeWrite(at: number): Promise<void>;
  /**
   * Item feature values observed in events from `since` (e.g. the watch fraction of each watch
   * event, the item of each impression), the raw material of drift (PSI) against the training
   * window of the current release. At most `limit` rows, newest first.
   */
  recentEvents(options: { since: number; limit: number }): Promise<Array<{ item: string; type: EventType; at: number; watchFraction?: number }>>;
  stats(): Promise<StoreStats>;
  /** A trivial query (`SELECT 1`), for health checks; adapters without it are probed with stats(). */
  ping?(): Promise<void>;
  close(): Promise<void>;
}

export type { SyncMode };
