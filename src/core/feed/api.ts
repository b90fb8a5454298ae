/**
 * The contract between a page and the feed worker (types only). The worker implements
 * FeedWorkerApi; src/client wraps it with comlink. Across comlink only plain data crosses, and
 * errors keep only name, message and stack: callers branch on `err.name`.
 */
import type { EventType } from '../events.ts';

/** Retrieval backends in order of preference; `auto` picks by capability and a short calibration. */
export const RETRIEVAL_BACKENDS = ['webgpu', 'wasm', 'js'] as const;
export type RetrievalBackend = (typeof RETRIEVAL_BACKENDS)[number];
export type BackendChoice = 'auto' | RetrievalBackend;

/** onnxruntime-web execution providers the ranker may use, in order. */
export const RANKING_PROVIDERS = ['webgpu', 'wasm'] as const;
export type RankingProvider = (typeof RANKING_PROVIDERS)[number];

export interface FeedOptions {
  /** URL of the release manifest, e.g. `/v1/releases/latest` or `/models/manifest.json`. */
  release: string;
  backend?: BackendChoice;
  /** Execution providers of the ranker, in order; default ['webgpu', 'wasm']. */
  rankingProviders?: readonly RankingProvider[];
  /** Candidates taken from retrieval before ranking; default 500. */
  candidates?: number;
  /** Name of the IndexedDB database (one per app and user); default 'ondeck'. */
  database?: string;
}

export interface FeedItem {
  id: string;
  /** What the feed is ordered by: expected watch (pClick × watch fraction) after re-ranking boosts. */
  score: number;
  pClick: number;
  /** Expected watch fraction if clicked; null when the release has no watch head. */
  watchFraction: number | null;
  title: string;
  image: string;
  durationSeconds: number | null;
  /** Why this item is here, in a few words ("Because you watch Comedy", "Popular now", "New", "Something different"). */
  reason: string;
}

export interface TrackEvent {
  type: EventType;
  itemId: string;
  /** For `watch`: seconds watched. */
  watchSeconds?: number;
  /** Milliseconds since the epoch; default now. */
  at?: number;
}

export interface FeedTimings {
  userVectorMs: number;
  retrieveMs: number;
  rankMs: number;
  rerankMs: number;
}

export interface FeedStatus {
  releaseId: string | null;
  backends: { retrieval: RetrievalBackend | null; ranking: RankingProvider | null };
  /** The release in use came from Cache Storage (no network needed). */
  cached: boolean;
  offline: boolean;
  historySize: number;
  timings: FeedTimings | null;
  /** Why the newest release is not in use (a failed download, a wrong hash), if so. */
  releaseProblem: { name: string; message: string } | null;
}

export interface FeedWorkerApi {
  init(options: FeedOptions): Promise<FeedStatus>;
  next(options?: { count?: number }): Promise<FeedItem[]>;
  track(event: TrackEvent): Promise<void>;
  status(): Promise<FeedStatus>;
  forget(): Promise<void>;
}
