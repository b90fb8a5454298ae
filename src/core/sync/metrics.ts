/**
 * The answer of `GET /v1/metrics` (JSON): what the dashboard draws and what operators watch.
 * `/metrics` serves the same figures as Prometheus text.
 */
import type { EventType } from '../events.ts';

export interface FeedMetricsRow {
  /** Feed name from the batches; '*' is all feeds together. */
  feed: string;
  impressions: number;
  clicks: number;
  /** clicks / impressions; null without impressions. */
  ctr: number | null;
  watches: number;
  watchSeconds: number;
}

export interface DriftRow {
  /** e.g. `item.categories`, `item.durationSeconds`, `event.type`, `event.watchFraction`. */
  feature: string;
  /** Population stability index between the training window and the last day of events. */
  psi: number;
  /** < 0.1 stable, < 0.25 shift, else drift (the usual PSI reading). */
  status: 'stable' | 'shift' | 'drift';
  /** Events of the last day that the figure is based on. */
  events: number;
}

export interface ServerMetrics {
  /** Server time of the answer, ms since the epoch. */
  at: number;
  ingest: {
    batches: number;
    events: number;
    duplicates: number;
    /** Rejected requests by reason, e.g. { schema: 3, auth: 1, rate: 0, size: 2 }. */
    rejected: Record<string, number>;
  };
  feeds: FeedMetricsRow[];
  /** Events per UTC day and type over the last 30 days, oldest first. */
  daily: Array<{ day: string; type: EventType; count: number }>;
  /** Null when the release has no drift baseline or no events arrived in the last day. */
  drift: { releaseId: string; trainingWindow: { from: string; to: string }; rows: DriftRow[] } | null;
  /** Releases in the release directory, newest first; `current` is the one served as latest. */
  releases: Array<{ releaseId: string; created: string; current: boolean }>;
}
